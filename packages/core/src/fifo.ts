/**
 * A first-in first-out queue with O(1) `push` and `shift` (an array read from a moving head, compacted
 * as it is consumed). `Array.prototype.shift` is O(n), which makes a deep inbox quadratic.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns the oldest item, or `undefined` if empty. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      this.items.length = 0; // keeps the array: a queue that empties after each item allocates nothing
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes `item` wherever it stands; `false` if it is not queued. */
  remove(item: T): boolean {
    const at = this.items.indexOf(item, this.head);
    if (at < 0) return false;
    this.items.splice(at, 1);
    return true;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }
}

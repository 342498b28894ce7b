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

  /** Keeps only the items for which `keep` is true, in order: one pass over the queue. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let at = this.head; at < this.items.length; at += 1) {
      const item = this.items[at] as T;
      if (keep(item)) kept.push(item);
    }
    this.items = kept;
    this.head = 0;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }
}

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every run
 * and machine, so a chaos run that failed can be replayed by its seed.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed)) throw new TypeError(`the seed must be an integer, got ${String(seed)}`);
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

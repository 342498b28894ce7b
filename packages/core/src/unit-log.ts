import type { OutgoingData } from './outbox.js';

/** One sequenced unit kept for replay: the frame as written, and its size in bytes. */
export interface Unit {
  readonly data: OutgoingData;
  readonly bytes: number;
}

/** The limits on what one end keeps unacknowledged in a session. */
export interface UnitBounds {
  /** Units kept at most. */
  readonly maxUnacked: number;
  /** Bytes kept at most (the sum of the units' sizes). */
  readonly maxUnackedBytes: number;
}

/**
 * What one end of a session has sent and the peer has not acknowledged yet (PROTOCOL.md §5.3): units
 * numbered from 1, kept in order until an acknowledgement covers them, replayable after any count the
 * peer reports. It only counts its bounds; the session decides what exceeding them means.
 */
export class UnitLog {
  /** The kept units are `units[head…]` (an array read from a moving head, compacted as it goes). */
  private units: Unit[] = [];
  private head = 0;
  /** Units numbered so far (the last one's number). */
  private numbered = 0;
  /** Units the peer has acknowledged (all kept units are numbered after it). */
  private base = 0;
  private keptBytes = 0;

  /** How many units have been numbered (sent or held) in the session. */
  get sent(): number {
    return this.numbered;
  }

  /** How many of them the peer has acknowledged. */
  get acked(): number {
    return this.base;
  }

  /** Units kept (numbered, not acknowledged). */
  get count(): number {
    return this.units.length - this.head;
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.keptBytes;
  }

  /** Numbers and keeps one unit; returns its number. */
  push(data: OutgoingData, bytes: number): number {
    this.units.push({ data, bytes });
    this.keptBytes += bytes;
    this.numbered += 1;
    return this.numbered;
  }

  /** Whether what is kept is over `bounds`. */
  over(bounds: UnitBounds): boolean {
    return this.count > bounds.maxUnacked || this.keptBytes > bounds.maxUnackedBytes;
  }

  /**
   * The peer has received `n` units: forgets units 1…n. Returns an error text if `n` is impossible
   * (more than were sent, or less than an earlier acknowledgement), and then changes nothing.
   */
  ack(n: number): string | undefined {
    const problem = this.checkCount(n);
    if (problem !== undefined) return problem;
    while (this.base < n) {
      this.keptBytes -= (this.units[this.head] as Unit).bytes;
      this.units[this.head++] = undefined as unknown as Unit;
      this.base += 1;
    }
    if (this.head >= 1024 && this.head * 2 >= this.units.length) {
      this.units = this.units.slice(this.head);
      this.head = 0;
    }
    return undefined;
  }

  /**
   * The units after the peer's count `n`, oldest first, for replay on a new link (acknowledging 1…n
   * first); an error text if `n` is impossible.
   */
  after(n: number): Unit[] | string {
    const problem = this.ack(n);
    if (problem !== undefined) return problem;
    return this.units.slice(this.head);
  }

  /** Forgets every kept unit (the session ended); returns how many there were. */
  clear(): number {
    const dropped = this.count;
    this.units = [];
    this.head = 0;
    this.keptBytes = 0;
    this.base = this.numbered;
    return dropped;
  }

  private checkCount(n: number): string | undefined {
    if (!Number.isSafeInteger(n) || n < 0) return `a count must be a whole number, got ${String(n)}`;
    if (n > this.numbered) return `the peer counts ${n} units received, but only ${this.numbered} were sent`;
    if (n < this.base) return `the peer counts ${n} units received, but had already acknowledged ${this.base}`;
    return undefined;
  }
}

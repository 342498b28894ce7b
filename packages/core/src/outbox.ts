import { OutboxFullError } from './errors.js';

/** What the outbox keeps: the bytes or text of one frame. */
export type OutgoingData = string | ArrayBuffer | ArrayBufferView;

/** Writes one frame on the current link; resolves like `sendMessage()`. */
export type FrameWriter = (data: OutgoingData, action: string) => Promise<Error | null>;

interface Held {
  data: OutgoingData;
  action: string;
  settle(result: Error | null): void;
}

/**
 * The messages sent while a reconnecting connection is down, bounded to `limit`, kept in order until
 * a new link opens ({@link Outbox.flush}) or the connection closes for good ({@link Outbox.fail}).
 * Binary data is copied when held, so a caller reusing its buffer does not change what is sent.
 */
export class Outbox {
  /** Only pushed to and drained whole: an array is the queue. */
  private held: Held[] = [];

  constructor(private readonly limit: number) {}

  /** How many messages wait. */
  get size(): number {
    return this.held.length;
  }

  /**
   * Keeps one frame; the promise settles when it is written ({@link Outbox.flush}) or given up
   * ({@link Outbox.fail}), or at once with an `OutboxFullError` if `limit` frames already wait.
   */
  hold(data: OutgoingData, action: string): Promise<Error | null> {
    if (this.held.length >= this.limit) return Promise.resolve(new OutboxFullError(action, this.limit));
    return new Promise((settle) => this.held.push({ data: copy(data), action, settle }));
  }

  /**
   * Hands every held frame to `write`, oldest first, all before returning, so that a send made
   * afterwards comes after them; each promise settles with what `write` resolves.
   */
  flush(write: FrameWriter): void {
    for (const entry of this.drain()) void write(entry.data, entry.action).then(entry.settle);
  }

  /** Settles every held send with the error `why(action)`: they will never be sent. */
  fail(why: (action: string) => Error): void {
    for (const entry of this.drain()) entry.settle(why(entry.action));
  }

  private drain(): Held[] {
    const all = this.held;
    this.held = [];
    return all;
  }
}

function copy(data: OutgoingData): OutgoingData {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return data.slice(0);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

import type { UnitBounds } from './unit-log.js';

/** Milliseconds after the first unacknowledged unit by which an acknowledgement goes out at the latest. */
export const ACK_DELAY = 100;

/**
 * When the receiving end of a session acknowledges (PROTOCOL.md §5.3): after a quarter of the
 * sender's bounds (count or bytes) has arrived since the last acknowledgement, or {@link ACK_DELAY} ms
 * after the first unit not acknowledged yet, whichever comes first. One timer at most, and only while
 * something is unacknowledged: a quiet session costs nothing.
 */
export class AckPolicy {
  /** Units received in the session. */
  received = 0;
  private reported = 0;
  private bytesSince = 0;
  private everyUnits = 1024;
  private everyBytes = 1024 * 1024;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `send(n)` writes `{"t":"ack","n":n}` on the link; `false` if it could not (no link). */
  constructor(private readonly send: (n: number) => boolean) {}

  /** The peer's bounds, from its `hello` or `welcome`: acknowledge after a quarter of them. */
  peerBounds(bounds: UnitBounds): void {
    this.everyUnits = Math.max(1, Math.floor(bounds.maxUnacked / 4));
    this.everyBytes = Math.max(1, Math.floor(bounds.maxUnackedBytes / 4));
  }

  /** One unit of `bytes` arrived. */
  arrived(bytes: number): void {
    this.received += 1;
    this.bytesSince += bytes;
    if (this.received - this.reported >= this.everyUnits || this.bytesSince >= this.everyBytes) this.flush();
    else this.timer ??= unref(setTimeout(() => this.flush(), ACK_DELAY));
  }

  /** A `hello` or `welcome` told the peer the count: nothing is unacknowledged. */
  reportedNow(): void {
    this.stop();
    this.reported = this.received;
    this.bytesSince = 0;
  }

  /** Acknowledges now whatever is unacknowledged. */
  flush(): void {
    this.stop();
    if (this.received === this.reported) return;
    if (!this.send(this.received)) return;
    this.reported = this.received;
    this.bytesSince = 0;
  }

  /** The link went down (or the session ended): no timer. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A new session: nothing received. */
  reset(): void {
    this.stop();
    this.received = 0;
    this.reported = 0;
    this.bytesSince = 0;
  }
}

function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

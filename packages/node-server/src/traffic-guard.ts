import { CloseCode, type ConnState } from '@corows/core';
import { BackpressureError, RateLimitError } from './errors.js';
import type { MetricsRecorder } from './metrics.js';
import type { BackpressurePolicy } from './options.js';
import { rateLimitReason, TokenBucket, type RateLimit } from './rate-limit.js';

/** The per-connection limits a {@link TrafficGuard} enforces. */
export interface SocketLimits {
  rateLimit: RateLimit | undefined;
  maxBackpressure: number;
  backpressurePolicy: BackpressurePolicy;
}

/** A server connection as its guard sees it. */
export interface GuardedConn {
  readonly state: ConnState;
  /** Bytes waiting to be written to the client. */
  readonly bufferedAmount: number;
  /** Starts the closing handshake. */
  close(code: number, reason: string): Promise<void>;
  /** Drops the connection at once. */
  terminate(): void;
  /** Writes now what this tick's sends hold back to write together. */
  flushWrites(): void;
  /** Reports a broken limit through the connection's `error` event. */
  reportViolation(err: Error): void;
}

/**
 * The server's limits on its connections' traffic, and its traffic counters: one per server, shared by
 * all its connections. With a rate limit it keeps each connection's bucket (in a `WeakMap`, so that
 * a server without one spends no field on it in each of its connections).
 * A client over its rate limit is closed with 1008 before the offending message reaches the inbox; a
 * client too slow to read gets the backpressure policy on every write (sends and broadcasts).
 */
export class TrafficGuard {
  /** Each connection's rate-limit bucket, made with its first message; `undefined` without a rate limit. */
  private readonly buckets: WeakMap<GuardedConn, TokenBucket> | undefined;

  constructor(
    private readonly limits: SocketLimits,
    private readonly metrics: MetricsRecorder,
  ) {
    if (limits.rateLimit !== undefined) this.buckets = new WeakMap();
  }

  /**
   * Counts a message of `bytes` that arrived on `conn`; `false` if its bucket had no token left for it:
   * the first time, `conn` is closed with 1008 and told why; from then on every message is refused.
   */
  inbound(conn: GuardedConn, bytes: number): boolean {
    this.metrics.received(bytes);
    if (this.buckets === undefined) return true;
    let bucket = this.buckets.get(conn);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limits.rateLimit as RateLimit); // full: as if made when the connection opened
      this.buckets.set(conn, bucket);
    }
    const wasOver = bucket.over;
    if (bucket.take()) return true;
    if (wasOver) return false;
    this.metrics.rateLimited++;
    const reason = rateLimitReason(this.limits.rateLimit as RateLimit);
    void conn.close(CloseCode.PolicyViolation, reason);
    conn.reportViolation(new RateLimitError(`the client broke the ${reason}; closed with 1008`));
    return false;
  }

  /**
   * Counts `size` more bytes to write on `conn` and returns `undefined`, or refuses them by the
   * backpressure policy and returns the error the send gets; under `'close'` an open `conn` is cut off
   * and told why.
   */
  outbound(conn: GuardedConn, size: number): BackpressureError | undefined {
    const { maxBackpressure, backpressurePolicy } = this.limits;
    let buffered = conn.bufferedAmount;
    if (buffered !== 0 && buffered + size > maxBackpressure) {
      // Part of it may be only held back to go out with the tick's other sends: not the client's fault.
      conn.flushWrites();
      buffered = conn.bufferedAmount;
    }
    if (buffered === 0 || buffered + size <= maxBackpressure) {
      this.metrics.sent(size);
      return undefined;
    }
    if (backpressurePolicy === 'drop') {
      this.metrics.backpressureDropped++;
      return new BackpressureError(buffered, maxBackpressure, false);
    }
    if (conn.state === 'OPEN') {
      this.metrics.backpressureClosed++;
      conn.terminate();
      conn.reportViolation(new BackpressureError(buffered, maxBackpressure, true));
    }
    return new BackpressureError(buffered, maxBackpressure, true);
  }
}

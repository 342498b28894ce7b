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
  /** Reports a broken limit through the connection's `error` event. */
  reportViolation(err: Error): void;
}

/**
 * The server's limits on its connections' traffic, and its traffic counters: one per server, shared by
 * all its connections, which each keep only a rate-limit bucket, and only when there is a rate limit.
 * A client over its rate limit is closed with 1008 before the offending message reaches the inbox; a
 * client too slow to read gets the backpressure policy on every write (sends and broadcasts).
 */
export class TrafficGuard {
  constructor(
    private readonly limits: SocketLimits,
    private readonly metrics: MetricsRecorder,
  ) {}

  /** A new connection's rate-limit bucket; `undefined` when the server has no rate limit. */
  newBucket(): TokenBucket | undefined {
    return this.limits.rateLimit === undefined ? undefined : new TokenBucket(this.limits.rateLimit);
  }

  /**
   * Counts a message of `bytes` that arrived on `conn`; `false` if `bucket` had no token left for it:
   * the first time, `conn` is closed with 1008 and told why; from then on every message is refused.
   */
  inbound(conn: GuardedConn, bucket: TokenBucket | undefined, bytes: number): boolean {
    this.metrics.received(bytes);
    if (bucket === undefined) return true;
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
    const buffered = conn.bufferedAmount;
    const { maxBackpressure, backpressurePolicy } = this.limits;
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

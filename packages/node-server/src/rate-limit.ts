import { performance } from 'node:perf_hooks';

/** A per-connection message rate limit: at most `messages` per `interval` milliseconds, on average. */
export interface RateLimit {
  /** Messages allowed per `interval`; also the largest burst a quiet connection may send at once. */
  messages: number;
  /** The window, in milliseconds. */
  interval: number;
}

/**
 * A token bucket: it holds up to `messages` tokens, refills at `messages` per `interval`, and each
 * message takes one. A connection may burst up to the limit and then keep to the average rate. Once a
 * message finds it empty, it stays {@link TokenBucket.over}: the connection is being closed.
 */
export class TokenBucket {
  /** A message found the bucket empty: every later message is refused too. */
  over = false;
  private tokens: number;
  private last = performance.now();

  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.messages;
  }

  /** Takes a token for one message; `false` when the connection is (or was once) over its rate. */
  take(): boolean {
    if (this.over) return false;
    const now = performance.now();
    this.tokens = Math.min(this.limit.messages, this.tokens + ((now - this.last) * this.limit.messages) / this.limit.interval);
    this.last = now;
    if (this.tokens < 1) {
      this.over = true;
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}

/** The close reason sent with 1008 (at most 123 bytes). */
export function rateLimitReason(limit: RateLimit): string {
  return `rate limit: more than ${limit.messages} messages in ${limit.interval} ms`;
}

import { CorowsError } from '@corows/core';

/**
 * A send refused because the client reads too slowly: more than `maxBackpressure` bytes already wait
 * to be written to it. With the `'drop'` policy the message was dropped and the connection lives on;
 * with `'close'` the connection was cut off. Fix: read faster on the client, send less, or raise
 * `maxBackpressure`.
 */
export class BackpressureError extends CorowsError {
  /** Bytes that were waiting to be written when the send was refused. */
  readonly bufferedAmount: number;
  /** The `maxBackpressure` limit in force. */
  readonly limit: number;

  constructor(bufferedAmount: number, limit: number, closed: boolean) {
    const outcome = closed ? 'the connection was cut off' : 'the message was dropped';
    super(
      `the client reads too slowly: ${bufferedAmount} bytes wait to be sent, over maxBackpressure (${limit}); ${outcome}`,
      { code: 'ERR_BACKPRESSURE' },
    );
    this.bufferedAmount = bufferedAmount;
    this.limit = limit;
  }
}

/** A connection sent messages faster than `rateLimit` allows; it was closed with 1008. */
export class RateLimitError extends CorowsError {
  constructor(reason: string) {
    super(reason, { code: 'ERR_RATE_LIMIT' });
  }
}

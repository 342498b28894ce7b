
/**
 * When and how often a dropped connection is opened again (the `reconnect` option). The n-th
 * attempt after a drop waits `min(maxDelay, initialDelay × factor^(n−1))`, less a random part of up to
 * `jitter` of it, so that many clients dropped together do not all come back at the same instant.
 * LuatOS `ws:start(…, reconnTime)` retried at one fixed interval forever; `initialDelay` is that
 * interval's default.
 */
export interface ReconnectOptions {
  /**
   * Milliseconds before the first attempt after a drop.
   * @default 1000
   */
  initialDelay?: number;
  /**
   * Largest wait between two attempts, in milliseconds.
   * @default 30000
   */
  maxDelay?: number;
  /**
   * How much each wait grows over the previous one.
   * @default 2
   */
  factor?: number;
  /**
   * The random share of each wait, from 0 (none) to 1: the wait is drawn from
   * `[delay × (1 − jitter), delay]`.
   * @default 0.5
   */
  jitter?: number;
  /**
   * Attempts in a row that may fail before the connection gives up and closes for good. An attempt
   * fails if it does not open, or if its link drops before `stableAfter`; the count starts again once
   * a link has stayed open that long. `Infinity` tries forever.
   * @default Infinity
   */
  maxAttempts?: number;
  /**
   * Milliseconds a new link must stay open before it counts as a success and the delays start again
   * from `initialDelay`. A link that drops sooner counts as a failed attempt, so a server that accepts
   * and closes at once (overloaded, 1013; a bad deploy) sees the delays keep growing instead of a
   * reconnect storm at the initial delay.
   * @default 5000
   */
  stableAfter?: number;
  /**
   * Messages kept while the connection is down, to be sent in order once it is back (see
   * `WebSocketConn`). A send past this resolves an `OutboxFullError`; `0` makes every send while
   * down resolve it at once.
   * @default 1024
   */
  maxOutbox?: number;
}

/** A resolved {@link ReconnectOptions}: every field set. */
export type ReconnectPolicy = Readonly<Required<ReconnectOptions>>;

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelay: 1000,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  stableAfter: 5000,
  maxOutbox: 1024,
};

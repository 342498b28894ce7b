import { describeValue } from './describe.js';

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

const MAX_DELAY = 2 ** 31 - 1;

/**
 * Checks and completes a `reconnect` option (`true` means the defaults); `undefined` means no
 * reconnecting. Throws a `RangeError` or `TypeError` naming the bad field.
 */
export function resolveReconnect(value: boolean | ReconnectOptions | undefined): ReconnectPolicy | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    throw new TypeError(`connectToWebsocket(): reconnect must be a boolean or an object of reconnect options, got ${describeValue(value)}`);
  }
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT, ...(value === true ? {} : withoutUndefined(value)) };
  const unknown = Object.keys(policy).filter((key) => !(key in DEFAULT_RECONNECT));
  if (unknown.length > 0) throw new TypeError(`connectToWebsocket(): unknown reconnect option ${unknown.join(', ')}`);
  check('initialDelay', policy.initialDelay, 0, MAX_DELAY);
  check('maxDelay', policy.maxDelay, 0, MAX_DELAY);
  check('factor', policy.factor, 1, 1000);
  check('jitter', policy.jitter, 0, 1);
  check('stableAfter', policy.stableAfter, 0, MAX_DELAY);
  if (policy.maxAttempts !== Infinity) check('maxAttempts', policy.maxAttempts, 1, Number.MAX_SAFE_INTEGER, true);
  check('maxOutbox', policy.maxOutbox, 0, Number.MAX_SAFE_INTEGER, true);
  return policy;
}

function withoutUndefined(options: ReconnectOptions): ReconnectOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

function check(name: string, value: unknown, min: number, max: number, whole = false): void {
  if (typeof value !== 'number' || !(value >= min && value <= max) || (whole && !Number.isInteger(value))) {
    const kind = whole ? 'a whole number' : 'a number';
    throw new RangeError(`connectToWebsocket(): reconnect.${name} must be ${kind} from ${min} to ${max}, got ${describeValue(value)}`);
  }
}

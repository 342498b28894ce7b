import { describeValue } from './describe.js';

/** Default {@link KeepAliveOptions.interval}, in milliseconds (the LuatOS client's advice: 30 s). */
export const DEFAULT_KEEP_ALIVE_INTERVAL = 30_000;

/**
 * Dead-peer detection: every `interval` a heartbeat goes to the peer, and a peer that has sent
 * nothing at all (no answer, no message) within `timeout` of it is declared dead: the connection
 * closes with code 1006 (`CloseCode.Abnormal`) and a reason that starts with `heartbeat timeout`.
 * A frozen peer is so detected within `interval + timeout`.
 *
 * The heartbeat is a WebSocket ping where the runtime can send one (Node); in a browser, which cannot,
 * it is the corows heartbeat message, which only a corows server is asked to answer (see
 * `negotiateSubprotocol`). LuatOS: `ws:start(keepAlive)`, there in seconds, here in milliseconds.
 */
export interface KeepAliveOptions {
  /**
   * Milliseconds between two heartbeats.
   * @default 30000
   */
  interval?: number;
  /**
   * Milliseconds of silence after a heartbeat before the peer is declared dead.
   * @default the interval
   */
  timeout?: number;
}

/**
 * `keepAlive` as the options take it: a number is the interval in milliseconds (the timeout is the
 * same), `true` the defaults, `false` or `0` no heartbeat.
 */
export type KeepAlive = number | boolean | KeepAliveOptions;

/** A resolved {@link KeepAlive}. */
export interface KeepAliveSettings {
  readonly interval: number;
  readonly timeout: number;
}

const MAX_DELAY = 2 ** 31 - 1;

/**
 * Checks and completes a `keepAlive` option; `undefined` means no heartbeat. Throws a `RangeError`
 * naming `where` and the bad value.
 */
export function resolveKeepAlive(value: KeepAlive | undefined, where: string): KeepAliveSettings | undefined {
  if (value === undefined || value === false || value === 0) return undefined;
  const options: KeepAliveOptions = value === true ? {} : typeof value === 'number' ? { interval: value } : value;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: keepAlive must be a number of milliseconds, a boolean or { interval, timeout }, got ${describeValue(value)}`);
  }
  const interval = options.interval ?? DEFAULT_KEEP_ALIVE_INTERVAL;
  const timeout = options.timeout ?? interval;
  for (const [name, ms] of [['interval', interval], ['timeout', timeout]] as const) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1 || ms > MAX_DELAY) {
      throw new RangeError(`${where}: keepAlive ${name} must be a number of milliseconds from 1 to ${MAX_DELAY}, got ${describeValue(ms)}`);
    }
  }
  // Settings that need nothing filled in are used as they are: a server's connections share its one object.
  return options.interval === interval && options.timeout === timeout ? (options as KeepAliveSettings) : { interval, timeout };
}

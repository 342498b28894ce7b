import { isRetryableCloseCode } from './close-codes.js';
import { ConnectError } from './errors.js';
import { DEFAULT_RECONNECT, type ReconnectOptions, type ReconnectPolicy } from './reconnect-policy.js';

// The reconnect supervisor's decisions, loaded with it (a page that never reconnects never loads them).

/**
 * Milliseconds to wait before attempt number `attempt` (1 for the first after a drop). `random`
 * returns a number in `[0, 1)`, as `Math.random`.
 */
export function reconnectDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** (attempt - 1));
  return Math.round(full * (1 - policy.jitter * random()));
}

/** Whether a link that closed with `code` is worth opening again (see `isRetryableCloseCode`). */
export function shouldReconnectAfterClose(code: number): boolean {
  return isRetryableCloseCode(code);
}

/**
 * Whether a failed attempt is worth trying again: network, DNS, TLS and timeout failures may pass
 * (a network comes back, a captive portal lets go); an HTTP answer in the 4xx range (refused,
 * unauthorized, not found) would be given again, except 408 and 429, which ask to come back later.
 */
export function shouldRetryConnect(err: unknown): boolean {
  const status = err instanceof ConnectError ? err.status : undefined;
  if (status === undefined) return true;
  return status === 408 || status === 429 || status >= 500;
}

const MAX_DELAY = 2 ** 31 - 1;

/**
 * Checks and completes a `reconnect` option (`true` means the defaults); `undefined` means no
 * reconnecting. Throws a `RangeError` or `TypeError` naming the bad field. `describeValue` quotes a
 * bad value (given: this module is loaded on first use and imports nothing internal).
 */
export function resolveReconnect(value: boolean | ReconnectOptions | undefined, describeValue: (value: unknown) => string): ReconnectPolicy | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    throw new TypeError(`connectToWebsocket(): reconnect must be a boolean or an object of reconnect options, got ${describeValue(value)}`);
  }
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT, ...(value === true ? {} : withoutUndefined(value)) };
  const unknown = Object.keys(policy).filter((key) => !(key in DEFAULT_RECONNECT));
  if (unknown.length > 0) throw new TypeError(`connectToWebsocket(): unknown reconnect option ${unknown.join(', ')}`);
  const check = (name: string, value: unknown, min: number, max: number, whole = false): void => {
    if (typeof value !== 'number' || !(value >= min && value <= max) || (whole && !Number.isInteger(value))) {
      const kind = whole ? 'a whole number' : 'a number';
      throw new RangeError(`connectToWebsocket(): reconnect.${name} must be ${kind} from ${min} to ${max}, got ${describeValue(value)}`);
    }
  };
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

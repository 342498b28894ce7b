import { isRetryableCloseCode } from './close-codes.js';
import { ConnectError } from './errors.js';
import type { ReconnectPolicy } from './reconnect-policy.js';

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

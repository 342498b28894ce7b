import { resolveKeepAlive, type KeepAlive, type KeepAliveSettings } from '@corows/core';

/** Default {@link ServerOptions.keepAlive}: a ping every 30 s, a client silent 30 s after it is dropped. */
export const DEFAULT_SERVER_KEEP_ALIVE: KeepAliveSettings = { interval: 30_000, timeout: 30_000 };

/**
 * The server's heartbeat for its connections (`ServerOptions.keepAlive`): on unless `false`. Throws
 * a `RangeError` naming the bad value.
 */
export function serverKeepAlive(value: KeepAlive | undefined, caller: string): KeepAliveSettings | undefined {
  if (value === undefined || value === true) return DEFAULT_SERVER_KEEP_ALIVE;
  return resolveKeepAlive(value, caller);
}

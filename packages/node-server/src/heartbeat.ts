import type { IncomingMessage } from 'node:http';
import { negotiateSubprotocol, resolveKeepAlive, type KeepAlive, type KeepAliveSettings } from '@corows/core';

/** Default {@link ServerOptions.keepAlive}: a ping every 30 s, a client silent 30 s after it is dropped. */
export const DEFAULT_SERVER_KEEP_ALIVE: KeepAliveSettings = { interval: 30_000, timeout: 30_000 };

/**
 * The server's heartbeat for its connections (`ServerOptions.keepAlive`): on unless `false`. Throws
 * a `RangeError` naming the bad value.
 */
export function serverKeepAlive(value: KeepAlive | undefined): KeepAliveSettings | undefined {
  if (value === undefined || value === true) return DEFAULT_SERVER_KEEP_ALIVE;
  return resolveKeepAlive(value, 'createWebsocketServer()');
}

/**
 * The `ws` `handleProtocols` of a corows server: the application's subprotocol as `choose` picks it
 * (by default the client's first), plus the corows heartbeat when a browser client offers it (see
 * `negotiateSubprotocol` in `@corows/core`). The connection then answers the client's heartbeats.
 */
export function handleProtocols(
  choose?: (offered: string[], request: IncomingMessage) => string | false,
): (offered: Set<string>, request: IncomingMessage) => string | false {
  return (offered, request) => negotiateSubprotocol(offered, choose === undefined ? undefined : (app) => choose(app, request));
}

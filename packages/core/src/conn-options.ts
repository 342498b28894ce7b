import type { ConnPolicy, LinkSupervisor, LinkSwitch } from './conn-parts.js';
import type { WebSocketConn } from './connection.js';
import { describeValue } from './describe.js';
import type { KeepAlive } from './keep-alive-options.js';
import type { NodeTransport } from './socket.js';

/** Default {@link ConnOptions.maxQueue}: messages buffered before the socket stops being read. */
export const DEFAULT_MAX_QUEUE = 1024;

/** How a {@link WebSocketConn} is set up around a socket. */
export interface ConnOptions {
  /** The address (client side) or the upgrade request's path and query (server side). */
  url?: string;
  /** The handshake headers: sent (client side) or received, with lower-case names (server side). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, where known. */
  remoteAddress?: string | undefined;
  /**
   * Node: the TCP (or TLS) socket under `socket`, if you know it (a server knows it from the
   * upgrade). corows then writes each event-loop turn's messages together, and its heartbeat counts
   * the bytes read instead of listening for pongs. A `ws` client's is found on its own.
   */
  transport?: NodeTransport;
  /**
   * How many unconsumed messages the inbox holds before it stops reading from the socket (Node);
   * reading resumes when it has drained to half. Browsers cannot pause a WebSocket, so there the
   * inbox keeps growing past this mark. While reading is paused this end does not answer the peer's
   * pings, so a peer with a heartbeat drops it once its `interval + timeout` passes.
   * @default 1024
   */
  maxQueue?: number;
  /**
   * Dead-peer detection (see `KeepAliveOptions`): a number is the heartbeat interval in milliseconds,
   * `true` the defaults (30 s), `false` or `0` none.
   * @default false (the server turns it on for its connections: see `ServerOptions.keepAlive`)
   */
  keepAlive?: KeepAlive;
  /** Advanced (servers): limits and counters on every message in and out (see `ConnPolicy`). */
  policy?: ConnPolicy<WebSocketConn>;
  /** Advanced (the client's `reconnect`): what keeps the connection alive across links (see `LinkSupervisor`). */
  supervise?: (links: LinkSwitch) => LinkSupervisor;
}

/** Returns `maxQueue` or its default; throws a `RangeError` if it is not a whole number ≥ 1. */
export function checkMaxQueue(maxQueue: number | undefined): number {
  if (maxQueue === undefined) return DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) {
    throw new RangeError(`maxQueue must be a whole number of messages, at least 1, got ${describeValue(maxQueue)}`);
  }
  return maxQueue;
}

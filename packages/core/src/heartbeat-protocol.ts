import type { Message } from './types.js';

/**
 * The subprotocol by which a browser client and a corows server agree on the corows heartbeat.
 *
 * Browsers can neither send WebSocket pings nor see the pongs, so a browser client with `keepAlive`
 * detects a dead server with messages instead, and it must never send them to a server that does not
 * expect them. The agreement rides on the subprotocol handshake, the only answer a browser can read:
 *
 * - The browser client offers, after the application's own subprotocols `P…`, one `corows.heartbeat.P`
 *   per `P`, then `corows.heartbeat`. With no application subprotocol it offers `corows` first, then
 *   `corows.heartbeat`, so that a server which blindly takes the first offer (`ws` without
 *   `handleProtocols`) takes one that asks for nothing.
 * - A corows server picks the application subprotocol as usual among the client's own offers (the
 *   `corows*` ones removed), then answers `corows.heartbeat.P` (or `corows.heartbeat` if it picked
 *   none) when that was offered: see {@link negotiateSubprotocol}.
 * - Only if the answer is a `corows.heartbeat*` value does the client send heartbeats: an **empty
 *   binary message**, which the server answers with an empty binary message. Neither end delivers
 *   those to the application, and on such a connection `sendBinary()` of zero bytes resolves an
 *   error. `conn.protocol` is the application's part of the answer on both ends (`P`, or `''`).
 *
 * So a server that is not corows never receives a heartbeat (the browser client then has no
 * dead-peer detection: `conn.heartbeat` is `'off'`), and a client that is not corows never offers the
 * heartbeat, so a corows server never sends it one. Node clients use WebSocket pings instead, which
 * every server answers; they offer none of this. The names `corows` and `corows.heartbeat*` are
 * reserved: an application subprotocol cannot use them.
 */
export const HEARTBEAT_PROTOCOL = 'corows.heartbeat';

const PLAIN_PROTOCOL = 'corows';
const PREFIX = `${HEARTBEAT_PROTOCOL}.`;

function isCorowsProtocol(protocol: string): boolean {
  return protocol === PLAIN_PROTOCOL || protocol === HEARTBEAT_PROTOCOL || protocol.startsWith(PREFIX);
}

/**
 * The application's subprotocols among those a client offered: the offer without the `corows*`
 * names the heartbeat agreement adds (see {@link HEARTBEAT_PROTOCOL}).
 */
export function applicationProtocols(offered: Iterable<string>): string[] {
  return [...offered].filter((protocol) => !isCorowsProtocol(protocol));
}

/** The subprotocols a browser client with `keepAlive` offers, around the application's own `app`. */
export function offerHeartbeatProtocols(app: readonly string[]): string[] {
  if (app.length === 0) return [PLAIN_PROTOCOL, HEARTBEAT_PROTOCOL];
  return [...app, ...app.map((protocol) => PREFIX + protocol), HEARTBEAT_PROTOCOL];
}

/** What a client offers: the application's `protocols`, plus the heartbeat's when `heartbeat`. */
export function protocolsToOffer(protocols: string | string[] | undefined, heartbeat: boolean): string | string[] | undefined {
  if (!heartbeat) return protocols;
  return offerHeartbeatProtocols(protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : protocols);
}

/** Splits the subprotocol a handshake settled on into the application's part and the heartbeat flag. */
export function readSelectedProtocol(selected: string): { protocol: string; heartbeat: boolean } {
  if (selected === HEARTBEAT_PROTOCOL) return { protocol: '', heartbeat: true };
  if (selected.startsWith(PREFIX)) return { protocol: selected.slice(PREFIX.length), heartbeat: true };
  if (selected === PLAIN_PROTOCOL) return { protocol: '', heartbeat: false };
  return { protocol: selected, heartbeat: false };
}

/**
 * The server's side of the heartbeat agreement (see {@link HEARTBEAT_PROTOCOL}): from the client's
 * offered subprotocols, the value to answer. `choose` picks the application subprotocol among the
 * client's own offers (the `corows*` ones removed), or `false` for none; by default the first, as `ws`
 * does. corows' server uses it for you; a plain `ws` server can serve corows browser heartbeats with
 * `new WebSocketServer({ handleProtocols: (offered) => negotiateSubprotocol(offered) })` and a
 * `WebSocketConn` around each socket.
 *
 * @example
 * ```ts
 * negotiateSubprotocol(['chat', 'corows.heartbeat.chat', 'corows.heartbeat']); // 'corows.heartbeat.chat'
 * negotiateSubprotocol(['chat']);                                              // 'chat'
 * ```
 */
export function negotiateSubprotocol(
  offered: Iterable<string>,
  choose: (app: string[]) => string | false = (app) => app[0] ?? false,
): string | false {
  const all = [...offered];
  const chosen = choose(applicationProtocols(all));
  const withHeartbeat = chosen === false ? HEARTBEAT_PROTOCOL : PREFIX + chosen;
  return all.includes(withHeartbeat) ? withHeartbeat : chosen;
}

/** On a connection that agreed on the corows heartbeat, whether `msg` is a heartbeat (an empty binary message). */
export function isHeartbeatMessage(msg: Message): boolean {
  return typeof msg !== 'string' && msg.byteLength === 0;
}

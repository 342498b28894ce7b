import type { WebSocketLike } from './socket.js';

/**
 * The subprotocol by which a browser client and a corows server agree on the corows protocol
 * (`docs/PROTOCOL.md` §1.2): requests, sessions and the browser heartbeat. Browsers cannot set
 * handshake headers, and the selected subprotocol is the only answer a page can read, so:
 *
 * - The browser client offers, after the application's own subprotocols `P…`, one `corows.1.P` per
 *   `P`, then `corows.1`. With no application subprotocol it offers `corows` first, then `corows.1`, so
 *   that a server which blindly takes the first offer (`ws` without `handleProtocols`) takes one that
 *   asks for nothing.
 * - A corows server picks the application subprotocol as usual among the client's own offers (the
 *   `corows*` ones removed), then answers `corows.1.P` (or `corows.1` if it picked none) when that was
 *   offered: see {@link negotiateSubprotocol}.
 * - The protocol is agreed only if the answer is a `corows.1*` value. `conn.protocol` is the
 *   application's part of the answer on both ends (`P`, or `''`).
 *
 * Node, Bun and Deno clients agree by header instead (see {@link COROWS_PROTOCOL_HEADER}). The names
 * `corows` and `corows.N…` (N a version number) are reserved: an application subprotocol cannot use them.
 */
export const COROWS_SUBPROTOCOL = 'corows.1';

/**
 * The handshake header by which a client that can set headers (Node, Bun, Deno) and a corows server
 * agree on the corows protocol (`docs/PROTOCOL.md` §1.1): the client sends `Corows-Protocol: 1`, a
 * corows server answers with the same header on its 101 response (see {@link answerCorowsHeader}), and
 * only then is it agreed.
 */
export const COROWS_PROTOCOL_HEADER = 'corows-protocol';

const VERSION = '1';

const PLAIN_PROTOCOL = 'corows';
const PREFIX = `${COROWS_SUBPROTOCOL}.`;

/** `corows`, and `corows.N` or `corows.N.…` for a protocol version N: the names the agreement uses. */
const isCorowsProtocol = (protocol: string): boolean => /^corows(\.\d+(\.|$)|$)/.test(protocol);

/**
 * The application's subprotocols among those a client offered: the offer without the `corows*`
 * names the agreement adds (see {@link COROWS_SUBPROTOCOL}).
 */
export function applicationProtocols(offered: Iterable<string>): string[] {
  return [...offered].filter((protocol) => !isCorowsProtocol(protocol));
}

/** What a browser client offers: the application's `protocols`, around them the corows protocol's names. */
export function protocolsToOffer(protocols: string | readonly string[] | undefined): string[] {
  const app = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : protocols;
  return app.length === 0 ? [PLAIN_PROTOCOL, COROWS_SUBPROTOCOL] : [...app, ...app.map((protocol) => PREFIX + protocol), COROWS_SUBPROTOCOL];
}

/** Splits the subprotocol a handshake settled on into the application's part and whether corows was agreed. */
export function readSelectedProtocol(selected: string): { protocol: string; corows: boolean } {
  if (selected === COROWS_SUBPROTOCOL || selected.startsWith(PREFIX)) return { protocol: selected.slice(PREFIX.length), corows: true };
  return { protocol: selected === PLAIN_PROTOCOL ? '' : selected, corows: false };
}

/**
 * The server's side of the subprotocol agreement (see {@link COROWS_SUBPROTOCOL}): from the client's
 * offered subprotocols, the value to answer. `choose` picks the application subprotocol among the
 * client's own offers (the `corows*` ones removed), or `false` for none; by default the first, as `ws`
 * does. corows' server uses it for you; a plain `ws` server can serve corows browser clients with
 * `new WebSocketServer({ handleProtocols: (offered) => negotiateSubprotocol(offered) })` and a
 * `WebSocketConn` around each socket.
 *
 * @example
 * ```ts
 * negotiateSubprotocol(['chat', 'corows.1.chat', 'corows.1']); // 'corows.1.chat'
 * negotiateSubprotocol(['chat']);                              // 'chat'
 * ```
 */
export function negotiateSubprotocol(
  offered: Iterable<string>,
  choose: (app: string[]) => string | false = (app) => app[0] ?? false,
): string | false {
  const all = [...offered];
  const chosen = choose(applicationProtocols(all));
  const withCorows = chosen === false ? COROWS_SUBPROTOCOL : PREFIX + chosen;
  return all.includes(withCorows) ? withCorows : chosen;
}

/**
 * The server's side of the header agreement (see {@link COROWS_PROTOCOL_HEADER}): from the value of the
 * client's `Corows-Protocol` request header, the value to answer in the 101 response (the version both
 * speak), or `undefined` to answer none. The client's side reads the response header the same way.
 */
export function answerCorowsHeader(offered: string | string[] | undefined): string | undefined {
  const values = offered === undefined ? [] : Array.isArray(offered) ? offered : [offered];
  return values.some((item) => item.split(',').some((version) => version.trim() === VERSION)) ? VERSION : undefined;
}

const agreedByHeader = new WeakSet<object>();

/**
 * Records that the corows protocol was agreed by header on `socket`'s handshake (see
 * {@link COROWS_PROTOCOL_HEADER}): corows' client does it when the server's 101 response carries the
 * header, corows' server when it answered the client's. A plain `ws` server that serves corows clients
 * calls it for each socket whose upgrade request offered the header and whose response carried it.
 */
export function markCorowsAgreed(socket: WebSocketLike): void {
  agreedByHeader.add(socket);
}

/** Whether the corows protocol was agreed on the link of `socket` (`selected`: its subprotocol). */
export function isCorowsAgreed(socket: WebSocketLike, selected: string): boolean {
  return agreedByHeader.has(socket) || readSelectedProtocol(selected).corows;
}

/**
 * {@link isCorowsAgreed}, for the connection that takes the socket as its link: the record of a header
 * agreement is dropped as it is read (the connection keeps the answer), so that it costs nothing for
 * the life of the socket.
 */
export function takeCorowsAgreed(socket: WebSocketLike, selected: string): boolean {
  return agreedByHeader.delete(socket) || readSelectedProtocol(selected).corows;
}

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
 * `corows` and `corows.*` are reserved: an application subprotocol cannot use them.
 */
export const COROWS_SUBPROTOCOL = 'corows.1';

/**
 * The handshake header by which a client that can set headers (Node, Bun, Deno) and a corows server
 * agree on the corows protocol (`docs/PROTOCOL.md` §1.1): the client sends `Corows-Protocol: 1`, a
 * corows server answers with the same header on its 101 response, and only then is it agreed.
 */
export const COROWS_PROTOCOL_HEADER = 'corows-protocol';

/** The protocol version this implementation speaks, as the header carries it. */
export const COROWS_PROTOCOL_VERSION = '1';

const PLAIN_PROTOCOL = 'corows';
const PREFIX = `${COROWS_SUBPROTOCOL}.`;

function isCorowsProtocol(protocol: string): boolean {
  return protocol === PLAIN_PROTOCOL || protocol.startsWith(`${PLAIN_PROTOCOL}.`);
}

/**
 * The application's subprotocols among those a client offered: the offer without the `corows*`
 * names the agreement adds (see {@link COROWS_SUBPROTOCOL}).
 */
export function applicationProtocols(offered: Iterable<string>): string[] {
  return [...offered].filter((protocol) => !isCorowsProtocol(protocol));
}

/** The subprotocols a browser client offers, around the application's own `app`. */
export function offerCorowsProtocols(app: readonly string[]): string[] {
  if (app.length === 0) return [PLAIN_PROTOCOL, COROWS_SUBPROTOCOL];
  return [...app, ...app.map((protocol) => PREFIX + protocol), COROWS_SUBPROTOCOL];
}

/** What a browser client offers: the application's `protocols`, plus the corows protocol's names. */
export function protocolsToOffer(protocols: string | string[] | undefined): string[] {
  return offerCorowsProtocols(protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : protocols);
}

/** Splits the subprotocol a handshake settled on into the application's part and whether corows was agreed. */
export function readSelectedProtocol(selected: string): { protocol: string; corows: boolean } {
  if (selected === COROWS_SUBPROTOCOL) return { protocol: '', corows: true };
  if (selected.startsWith(PREFIX)) return { protocol: selected.slice(PREFIX.length), corows: true };
  if (selected === PLAIN_PROTOCOL) return { protocol: '', corows: false };
  return { protocol: selected, corows: false };
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

/** Whether a handshake header's value (`Corows-Protocol`) names the version this implementation speaks. */
export function offersCorowsVersion(value: string | string[] | undefined): boolean {
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((item) => item.split(',').some((version) => version.trim() === COROWS_PROTOCOL_VERSION));
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

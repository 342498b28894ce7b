import WebSocketImpl from 'isomorphic-ws';
import type { ConnectOptions } from './connect.js';
import { ArgumentProblem } from './argument-problem.js';
import { ConnectError, CorowsError } from './errors.js';
import { answerCorowsHeader, COROWS_PROTOCOL_HEADER, markCorowsAgreed, protocolsToOffer } from './negotiation.js';
import { normalizeHeaders } from './headers.js';
import { readRefusalReason } from './refusal.js';
import { refuseHeaders } from './refuse-headers.js';
import { isNodeWebSocket, type WebSocketConstructor, type WebSocketLike } from './socket.js';
import { checkTlsOptions, isPlainTextAnswer, tlsHint } from './tls.js';

/**
 * How `connectToWebsocket` opens its sockets on this platform. Node (and every runtime without the
 * `browser` condition) gets this file: `ws` through isomorphic-ws, with handshake headers, TLS settings
 * and Node's options. Browser builds get `dial.browser.ts` instead: package.json `imports` maps `#dial`
 * by export condition, so no header, TLS or `ws` code reaches a browser bundle.
 */
export interface Dial {
  /** The handshake headers as they will be sent (the client's `conn.headers`). */
  readonly headers: Record<string, string | string[]>;
  /** Creates one socket (the first connection, and each reconnect); a throw becomes a `ConnectError`. */
  open(href: string): WebSocketLike;
  /**
   * Reports what the socket tells of a failed handshake better than a bare error: an HTTP status
   * instead of 101, a TLS failure with how to fix it.
   */
  watch(socket: WebSocketLike, address: string, fail: (err: ConnectError) => void): void;
}

/** `isomorphic-ws` resolves to `ws` in Node and to the global `WebSocket` in browsers (or `null`). */
const Implementation = WebSocketImpl as unknown as WebSocketConstructor | null;

/**
 * Checks what can be checked before any network work (an implementation exists, the headers and TLS
 * settings are valid and can be used) and returns how to open sockets. The corows protocol is offered
 * by header (`ws`), or as subprotocols on a WebSocket that cannot set headers (a WHATWG one given as
 * `webSocketImpl`). Throws a `TypeError`, a `CorowsError`, or an `ArgumentProblem` (which
 * `connectToWebsocket` turns into its error).
 */
export function prepareDial(options: ConnectOptions): Dial {
  const Socket = options.webSocketImpl ?? Implementation;
  if (Socket === null) throw new ArgumentProblem('noWebSocket');
  if (typeof Socket !== 'function') {
    throw new TypeError(`connectToWebsocket(): webSocketImpl must be a WebSocket class, got ${typeof Socket}`);
  }
  const headers = options.headers === undefined ? {} : normalizeHeaders(options.headers);
  // A WHATWG WebSocket (no `ping`) cannot send headers, ping, or take Node's options.
  const nodeFeatures = typeof (Socket.prototype as { ping?: unknown }).ping === 'function';
  if (!nodeFeatures) refuseHeaders(Object.keys(headers));
  if (options.tls !== undefined) {
    checkTlsOptions(options.tls);
    if (!nodeFeatures) {
      throw new CorowsError('connectToWebsocket(): a WHATWG WebSocket uses the platform\'s certificate store and client certificates; the tls option works with Node\'s ws only', { code: 'ERR_UNSUPPORTED' });
    }
  }
  const offered = { ...headers, [COROWS_PROTOCOL_HEADER]: answerCorowsHeader('1') as string };
  return {
    headers,
    open: (href) => (nodeFeatures ? openNodeSocket(Socket, href, offered, options) : new Socket(href, protocolsToOffer(options.protocols))),
    watch: (socket, address, fail) => {
      if (!isNodeWebSocket(socket)) return;
      socket.on('unexpected-response', (_request, response) =>
        readRefusalReason(response, (reason) =>
          fail(
            new ConnectError(
              address,
              `the server answered HTTP ${`${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd()} instead of 101 Switching Protocols${reason === '' ? '' : `: ${reason}`}`,
              { code: 'ERR_HTTP_STATUS', status: response.statusCode },
            ),
          ),
        ),
      );
      socket.on('error', (err) => {
        const code = (err as { code?: string }).code;
        if (isPlainTextAnswer(err)) {
          fail(new ConnectError(address, 'this server does not speak TLS (it answered the TLS handshake in plain text); use ws:// instead of wss://', { code, cause: err }));
          return;
        }
        const hint = tlsHint(code) || (code === 'ECONNRESET' && address.startsWith('wss:')
          ? 'if the server requires a client certificate (mutual TLS), it must be signed by a CA the server trusts'
          : '');
        if (hint !== '') fail(new ConnectError(address, `${err.message.trim()} (${hint})`, { code, cause: err }));
      });
    },
  };
}

/** A `ws` socket offering the corows protocol by header; it is agreed if the 101 response carries it back. */
function openNodeSocket(Socket: WebSocketConstructor, href: string, headers: Record<string, string | string[]>, options: ConnectOptions): WebSocketLike {
  const socket = new Socket(href, options.protocols, {
    headers,
    maxPayload: options.maxPayload,
    perMessageDeflate: options.perMessageDeflate ?? false,
    ...options.tls,
  });
  if (isNodeWebSocket(socket)) {
    socket.on('upgrade', (response) => {
      if (answerCorowsHeader(response.headers[COROWS_PROTOCOL_HEADER]) !== undefined) markCorowsAgreed(socket);
    });
  }
  return socket;
}

import WebSocketImpl from 'isomorphic-ws';
import type { ConnectOptions } from './connect.js';
import { ConnectError, CorowsError } from './errors.js';
import { normalizeHeaders } from './headers.js';
import { refuseHeaders } from './refuse-headers.js';
import { isNodeWebSocket, type WebSocketLike } from './socket.js';

/**
 * How `connectToWebsocket` opens its socket on this platform. Node (and every runtime without the
 * `browser` condition) gets this file: `ws` through isomorphic-ws, with handshake headers and Node's
 * options. Browser builds get `dial.browser.ts` instead: package.json `imports` maps `#dial` by
 * export condition, so no header or `ws` code reaches a browser bundle.
 */
export interface Dial {
  /** The handshake headers as they will be sent (the client's `conn.headers`). */
  readonly headers: Record<string, string | string[]>;
  /** Creates the socket; a throw becomes a `ConnectError`. */
  open(href: string): WebSocketLike;
  /** Reports a handshake the server refused (an HTTP status instead of 101), where the socket tells. */
  watch(socket: WebSocketLike, address: string, fail: (err: ConnectError) => void): void;
}

type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

/** `isomorphic-ws` resolves to `ws` in Node and to the global `WebSocket` in browsers (or `null`). */
const Implementation = WebSocketImpl as unknown as WebSocketConstructor | null;

/**
 * Checks what can be checked before any network work (an implementation exists, the headers are
 * valid and can be sent) and returns how to open the socket. Throws a `TypeError` or `CorowsError`.
 */
export function prepareDial(options: ConnectOptions): Dial {
  if (Implementation === null) {
    throw new CorowsError('connectToWebsocket(): this environment has no WebSocket implementation', { code: 'ERR_UNSUPPORTED' });
  }
  const Socket = Implementation;
  const headers = options.headers === undefined ? {} : normalizeHeaders(options.headers);
  // A WHATWG WebSocket (no `ping`) cannot send headers or take Node's options.
  const nodeFeatures = typeof (Socket.prototype as { ping?: unknown }).ping === 'function';
  if (!nodeFeatures) refuseHeaders(Object.keys(headers));
  return {
    headers,
    open: (href) =>
      nodeFeatures
        ? new Socket(href, options.protocols, {
            headers,
            maxPayload: options.maxPayload,
            perMessageDeflate: options.perMessageDeflate ?? false,
          })
        : new Socket(href, options.protocols),
    watch: (socket, address, fail) => {
      if (!isNodeWebSocket(socket)) return;
      socket.on('unexpected-response', (_request, response) =>
        fail(
          new ConnectError(address, `the server answered HTTP ${response.statusCode} ${response.statusMessage ?? ''} instead of 101 Switching Protocols`.trimEnd(), {
            code: 'ERR_HTTP_STATUS',
            status: response.statusCode,
          }),
        ),
      );
    },
  };
}

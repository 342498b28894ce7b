import WebSocketImpl from 'isomorphic-ws';
import { armCancel } from './cancel.js';
import { ConnectError, CorowsError, TimeoutError } from './errors.js';
import { offerHeartbeatProtocols } from './heartbeat-protocol.js';
import { normalizeHeaders } from './headers.js';
import { isNodeWebSocket, OPEN, type WebSocketLike } from './socket.js';
import { checkTlsOptions, tlsHint, type TlsOptions } from './tls.js';
import type { HeaderValues } from './types.js';

/**
 * A WebSocket class: `new Impl(url, protocols, options?)`. Node's `ws` takes `options` (headers, TLS);
 * a WHATWG `WebSocket` (browsers, undici) ignores them.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

/** `isomorphic-ws` resolves to `ws` in Node and to the global `WebSocket` in browsers (or `null`). */
const DefaultImplementation = WebSocketImpl as unknown as WebSocketConstructor | null;

/** What {@link prepareDial} needs from `ConnectOptions`. */
export interface DialOptions {
  headers?: HeaderValues | undefined;
  protocols?: string | string[] | undefined;
  tls?: TlsOptions | undefined;
  maxPayload?: number | undefined;
  perMessageDeflate?: boolean | undefined;
  webSocketImpl?: WebSocketConstructor | undefined;
}

/** Opens sockets to one address with one set of options: the first connection, and each reconnect. */
export interface Dialer {
  /** The handshake headers sent, normalized. */
  readonly headers: Record<string, string | string[]>;
  /** Starts one connection attempt. Throws a `ConnectError` if the implementation refuses at once. */
  open(): WebSocketLike;
}

/**
 * Checks what the options ask of the WebSocket implementation and returns a {@link Dialer}. Throws,
 * before any network work, a `CorowsError` (`ERR_UNSUPPORTED`) for what the implementation cannot do
 * (headers or TLS settings in a browser) or a `TypeError` for a bad option. With `messageHeartbeat`
 * (a `keepAlive` where the implementation cannot ping), the corows heartbeat subprotocols are offered.
 */
export function prepareDial(address: string, href: string, options: DialOptions, keepAlive: boolean): Dialer {
  const Implementation = options.webSocketImpl ?? DefaultImplementation;
  if (Implementation === null) {
    throw new CorowsError('connectToWebsocket(): this environment has no WebSocket implementation; pass one as the webSocketImpl option', { code: 'ERR_UNSUPPORTED' });
  }
  if (typeof Implementation !== 'function') {
    throw new TypeError(`connectToWebsocket(): webSocketImpl must be a WebSocket class, got ${typeof Implementation}`);
  }
  const headers = options.headers === undefined ? {} : normalizeHeaders(options.headers);
  const nodeFeatures = typeof (Implementation.prototype as { ping?: unknown }).ping === 'function';
  if (!nodeFeatures && Object.keys(headers).length > 0) {
    throw new CorowsError(
      `connectToWebsocket(): browsers cannot set WebSocket handshake headers (${Object.keys(headers).join(', ')}); send a token as a subprotocol (the protocols option) or as a query parameter of the URL instead`,
      { code: 'ERR_UNSUPPORTED' },
    );
  }
  if (options.tls !== undefined) {
    checkTlsOptions(options.tls);
    if (!nodeFeatures) {
      throw new CorowsError('connectToWebsocket(): browsers use their own certificate store and client certificates; the tls option works in Node only', { code: 'ERR_UNSUPPORTED' });
    }
  }
  const app = options.protocols === undefined ? [] : typeof options.protocols === 'string' ? [options.protocols] : options.protocols;
  const protocols = keepAlive && !nodeFeatures ? offerHeartbeatProtocols(app) : options.protocols;
  const nodeOptions = nodeFeatures
    ? { headers, maxPayload: options.maxPayload, perMessageDeflate: options.perMessageDeflate ?? false, ...options.tls }
    : undefined;

  return {
    headers,
    open: () => {
      try {
        return nodeOptions === undefined ? new Implementation(href, protocols) : new Implementation(href, protocols, nodeOptions);
      } catch (err) {
        throw new ConnectError(address, describe(err), { cause: err });
      }
    },
  };
}

/**
 * Resolves once `socket` is open; rejects with a `ConnectError` naming `address` and the cause
 * (refused, DNS, TLS, an HTTP status instead of 101, no answer within `timeout` ms: code
 * `'ETIMEDOUT'`), or an `AbortError` when `signal` aborts. On failure the socket is dropped.
 */
export function waitForOpen(socket: WebSocketLike, address: string, options: { timeout: number; signal?: AbortSignal | undefined }): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      disarm();
      if (err === undefined) {
        resolve();
        return;
      }
      drop(socket);
      reject(err);
    };
    let disarm = (): void => undefined;
    try {
      disarm = armCancel(`connecting to ${address}`, options, (err) =>
        settle(err instanceof TimeoutError ? new ConnectError(address, `no connection within ${options.timeout} ms`, { code: 'ETIMEDOUT', cause: err }) : err),
      );
    } catch (err) {
      settle(err as Error);
      return;
    }
    if (socket.readyState === OPEN) {
      settle();
      return;
    }
    const closedEarly = (code: number | undefined): void =>
      settle(new ConnectError(address, `the connection closed before opening (code ${code ?? 1006})`, { code: 'ECONNRESET' }));
    if (isNodeWebSocket(socket)) {
      socket.on('open', () => settle());
      socket.on('error', (err) => settle(connectFailure(address, err)));
      socket.on('close', (code) => closedEarly(code));
      socket.on('unexpected-response', (_request, response) =>
        settle(
          new ConnectError(address, `the server answered HTTP ${response.statusCode} ${response.statusMessage ?? ''} instead of 101 Switching Protocols`.trimEnd(), {
            code: 'ERR_HTTP_STATUS',
            status: response.statusCode,
          }),
        ),
      );
    } else {
      socket.addEventListener('open', () => settle());
      socket.addEventListener('error', () => settle(new ConnectError(address, 'the WebSocket reported an error (browsers give no detail: see the developer tools console)')));
      socket.addEventListener('close', (ev) => closedEarly(ev.code));
    }
  });
}

function connectFailure(address: string, err: Error): ConnectError {
  const code = (err as { code?: string }).code;
  let hint = tlsHint(code);
  if (hint === '' && code === 'ECONNRESET' && address.startsWith('wss:')) {
    hint = 'if the server requires a client certificate (mutual TLS), it must be signed by a CA the server trusts';
  }
  const message = err.message.trim();
  return new ConnectError(address, hint === '' ? message : `${message} (${hint})`, { code, cause: err });
}

function drop(socket: WebSocketLike): void {
  try {
    if (isNodeWebSocket(socket)) socket.terminate();
    else socket.close();
  } catch {
    // already closed
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

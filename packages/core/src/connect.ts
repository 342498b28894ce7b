import WebSocketImpl from 'isomorphic-ws';
import { parseAddress } from './address.js';
import { armCancel } from './cancel.js';
import { WebSocketConn } from './connection.js';
import { ConnectError, CorowsError, TimeoutError } from './errors.js';
import { normalizeHeaders } from './headers.js';
import { readRefusalReason } from './refusal.js';
import { isNodeWebSocket, type WebSocketLike } from './socket.js';
import type { HeaderValues } from './types.js';

/** Default {@link ConnectOptions.timeout}, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** Options of {@link connectToWebsocket}. */
export interface ConnectOptions {
  /** Handshake headers, as the seed's header table (Node only: browsers cannot set them). */
  headers?: HeaderValues;
  /** Subprotocols to offer; the server's choice is `conn.protocol`. */
  protocols?: string | string[];
  /**
   * Milliseconds to wait for the connection (DNS, TCP, TLS and the handshake) before rejecting with a
   * `ConnectError` whose `code` is `'ETIMEDOUT'`.
   * @default 10000
   */
  timeout?: number;
  /** Cancels the connect: it rejects with an `AbortError` and the socket is dropped. */
  signal?: AbortSignal;
  /**
   * Unconsumed messages buffered before reading pauses (see `WebSocketConn`).
   * @default 1024
   */
  maxQueue?: number;
  /**
   * Largest message, in bytes, accepted from the server (Node only); a larger one closes with 1009.
   * @default 104857600 (100 MiB, as `ws`)
   */
  maxPayload?: number;
  /**
   * Offer permessage-deflate compression (Node only).
   * @default false
   */
  perMessageDeflate?: boolean;
}

const OPTION_NAMES: ReadonlySet<string> = new Set<keyof ConnectOptions>([
  'headers',
  'protocols',
  'timeout',
  'signal',
  'maxQueue',
  'maxPayload',
  'perMessageDeflate',
]);

type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

/** `isomorphic-ws` resolves to `ws` in Node and to the global `WebSocket` in browsers (or `null`). */
const Implementation = WebSocketImpl as unknown as WebSocketConstructor | null;

/**
 * Opens a WebSocket connection (seed: `connect_to_websocket`) and resolves once it is open.
 *
 * `headersOrOptions` is either the seed's header table or a {@link ConnectOptions} object: an object
 * whose keys are all option names is options, one with none of them is a header table (so a header
 * named like an option, such as `timeout`, must go under `headers`).
 *
 * Rejects with a `TypeError` before any network work if the address is not a `ws://` or `wss://` URL
 * or an option is invalid; with a `ConnectError` naming the address and the cause (`code`, `status`)
 * if the connection fails; with an `AbortError` if `signal` aborts. The seed's `if conn == nil` check
 * becomes `try/catch`.
 *
 * @example
 * ```ts
 * const conn = await connectToWebsocket('ws://127.0.0.1:1042', { header1: ['a', 2, 'c'] });
 * ```
 */
export function connectToWebsocket(addr: string, headersOrOptions?: HeaderValues | ConnectOptions): Promise<WebSocketConn> {
  try {
    return open(addr, parseAddress(addr).href, splitOptions(headersOrOptions));
  } catch (err) {
    return Promise.reject(err);
  }
}

function splitOptions(arg: HeaderValues | ConnectOptions | undefined): ConnectOptions {
  if (arg === undefined || arg === null) return {};
  if (typeof arg !== 'object' || Array.isArray(arg)) {
    throw new TypeError(`connectToWebsocket(): the second argument must be a header table or an options object, got ${Array.isArray(arg) ? 'an array' : typeof arg}`);
  }
  const keys = Object.keys(arg);
  const unknown = keys.filter((key) => !OPTION_NAMES.has(key));
  if (unknown.length === keys.length) return { headers: arg as HeaderValues };
  if (unknown.length > 0) {
    throw new TypeError(`connectToWebsocket(): unknown option ${unknown.map((key) => JSON.stringify(key)).join(', ')}; to send headers with other options, put them under { headers: { ... } }`);
  }
  return arg as ConnectOptions;
}

function open(address: string, href: string, options: ConnectOptions): Promise<WebSocketConn> {
  if (Implementation === null) {
    throw new CorowsError('connectToWebsocket(): this environment has no WebSocket implementation', { code: 'ERR_UNSUPPORTED' });
  }
  const headers = options.headers === undefined ? {} : normalizeHeaders(options.headers);
  const nodeFeatures = typeof (Implementation.prototype as { ping?: unknown }).ping === 'function';
  if (!nodeFeatures && Object.keys(headers).length > 0) {
    throw new CorowsError(
      `connectToWebsocket(): browsers cannot set WebSocket handshake headers (${Object.keys(headers).join(', ')}); send a token as a subprotocol (the protocols option) or as a query parameter of the URL instead`,
      { code: 'ERR_UNSUPPORTED' },
    );
  }
  const timeout = options.timeout ?? DEFAULT_CONNECT_TIMEOUT;

  return new Promise((resolve, reject) => {
    let settled = false;
    const disarm = armCancel(`connecting to ${address}`, { timeout, signal: options.signal }, (err) =>
      fail(err instanceof TimeoutError ? new ConnectError(address, `no connection within ${timeout} ms`, { code: 'ETIMEDOUT', cause: err }) : err),
    );
    let socket: WebSocketLike;
    try {
      socket = nodeFeatures
        ? new Implementation(href, options.protocols, {
            headers,
            maxPayload: options.maxPayload,
            perMessageDeflate: options.perMessageDeflate ?? false,
          })
        : new Implementation(href, options.protocols);
    } catch (err) {
      disarm();
      reject(new ConnectError(address, err instanceof Error ? err.message : String(err), { cause: err }));
      return;
    }
    const conn = new WebSocketConn(socket, { url: address, headers, maxQueue: options.maxQueue });

    const onOpen = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(conn);
    };
    const onError = (err: Error): void =>
      fail(new ConnectError(address, err.message, { code: (err as { code?: string }).code, cause: err }));
    const onClose = (code: number): void => fail(new ConnectError(address, `the connection closed before opening (code ${code})`, { code: 'ECONNRESET' }));
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      cleanup();
      conn.terminate();
      reject(err);
    }
    function cleanup(): void {
      disarm();
      conn.off('open', onOpen).off('error', onError).off('close', onClose);
    }

    conn.on('open', onOpen).on('error', onError).on('close', onClose);
    if (isNodeWebSocket(socket)) {
      socket.on('unexpected-response', (_request, response) =>
        readRefusalReason(response, (reason) =>
          fail(
            new ConnectError(address, `the server answered HTTP ${`${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd()} instead of 101 Switching Protocols${reason === '' ? '' : `: ${reason}`}`, {
              code: 'ERR_HTTP_STATUS',
              status: response.statusCode,
            }),
          ),
        ),
      );
    }
  });
}

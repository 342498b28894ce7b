import { prepareDial } from '#dial';
import type { Dial } from './dial.js';
import { parseAddress } from './address.js';
import { ArgumentProblem, rejectWith } from './argument-problem.js';
import { checkMaxQueue, type ConnOptions } from './conn-options.js';
import { loadKeepAlive } from './keep-alive-loader.js';
import { WebSocketConn } from './connection.js';
import { describeValue } from './describe.js';
import { ConnectError } from './errors.js';
import { waitForOpen } from './handshake.js';
import { resolveKeepAlive, type KeepAlive, type KeepAliveSettings } from './keep-alive-options.js';
import type { ReconnectOptions } from './reconnect-policy.js';
import type { WebSocketConstructor, WebSocketLike } from './socket.js';
import type { ResumeOptions } from './session-options.js';
import type { TlsOptions } from './tls.js';
import type { HeaderValues } from './types.js';

/** Default {@link ConnectOptions.maxPayload}: 1 MiB, as the server's `maxPayload`. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Default {@link ConnectOptions.timeout}, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** Options of {@link connectToWebsocket}. */
export interface ConnectOptions {
  /** Handshake headers, as the seed's header table (Node only: browsers cannot set them). */
  headers?: HeaderValues;
  /**
   * Subprotocols to offer; the server's choice is `conn.protocol`. (A browser client with `keepAlive`
   * also offers the corows protocol's: see `COROWS_SUBPROTOCOL`.)
   */
  protocols?: string | string[];
  /**
   * Milliseconds to wait for the connection (DNS, TCP, TLS and the handshake) before rejecting with a
   * `ConnectError` whose `code` is `'ETIMEDOUT'`; with `reconnect`, also the limit of each attempt.
   * (LuatOS `ws:connect(timeout)`.)
   * @default 10000
   */
  timeout?: number;
  /**
   * Cancels the connect: it rejects with an `AbortError` and the socket is dropped. It cancels only
   * the first connect; close an open connection with `close()`.
   */
  signal?: AbortSignal;
  /**
   * Dead-peer detection (LuatOS `ws:start(keepAlive)`, there in seconds): every `interval` ms a ping
   * goes to the server, and a server silent for `timeout` ms after it is declared dead: the
   * connection closes with 1006 and a reason starting `heartbeat timeout` (or, with `reconnect`,
   * reconnects). A number is the interval (and timeout); `true` means 30 s. In Node this is a
   * WebSocket ping, which every server answers. In a browser it is the corows heartbeat, which needs a
   * corows server; against another server it stays off (see `negotiateSubprotocol`, `conn.heartbeat`).
   * The verdict waits until input already received has been read (a stalled event loop does not drop
   * a healthy server), and silence is not held against the server while the inbox is full and reading
   * is paused; but then this end does not answer the server's pings either (see `maxQueue`).
   * @default false
   */
  keepAlive?: KeepAlive;
  /**
   * Open the connection again when it drops (see `ReconnectOptions` for the delays and
   * `WebSocketConn` for what happens to messages): `true` for the defaults, or the policy. Only a
   * drop after the first open is retried: the first connect still rejects at once, so a wrong
   * address or certificate is reported as such (retry it yourself, as LuatOS's
   * `while not ws:connect() do … end`).
   * @default false
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Sessions that survive the network (the server needs `resume` too; README "Sessions"): every
   * message either way arrives exactly once, in order, across any number of links, and the server's
   * connection lives on. Implies `reconnect` (its defaults if not given). `true` for the defaults, or
   * the bounds of what this end keeps unacknowledged. Against a server without sessions the connection
   * is a plain reconnecting one and `conn.session` is `null`.
   * @default false
   */
  resume?: boolean | Omit<ResumeOptions, 'window'>;
  /**
   * TLS settings of a `wss://` connection: CA, client certificate (mutual TLS), verification (Node
   * only). LuatOS `websocket.new(url, cert)`.
   */
  tls?: TlsOptions;
  /**
   * Unconsumed messages buffered before reading pauses (see `WebSocketConn`). A paused reader does not
   * answer the server's pings either: if it stays paused longer than the server's heartbeat allows
   * (`interval + timeout`), the server drops it. Keep up with the inbox, or raise this.
   * @default 1024
   */
  maxQueue?: number;
  /**
   * Largest message, in bytes, accepted from the server, counted over all the fragments of a message.
   * A larger one is refused as soon as its size is known (from a frame's header: a server announcing
   * 1 GiB costs this end nothing) and the connection closes with 1009 and a reason naming the size and
   * the limit, so a hostile or broken server cannot exhaust the client's memory. The same default as the
   * server's. Node only: a browser's `WebSocket` reads a whole message before the page sees it, so there
   * the browser's own limits apply.
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
  /**
   * Offer permessage-deflate compression (Node only).
   * @default false
   */
  perMessageDeflate?: boolean;
  /**
   * Advanced: the WebSocket class to use instead of `ws` (Node) or the global `WebSocket` (browsers),
   * e.g. a WHATWG `WebSocket` in a runtime without one. A class without `ping()` is driven as a
   * browser's: no headers, no `tls`, and the corows heartbeat for `keepAlive`.
   * @default isomorphic-ws: `ws` in Node, `globalThis.WebSocket` in browsers
   */
  webSocketImpl?: WebSocketConstructor;
}

const OPTION_NAMES: ReadonlySet<string> = new Set<keyof ConnectOptions>([
  'headers',
  'protocols',
  'timeout',
  'signal',
  'maxQueue',
  'maxPayload',
  'perMessageDeflate',
  'keepAlive',
  'reconnect',
  'resume',
  'tls',
  'webSocketImpl',
]);

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
    return rejectWith(err);
  }
}

function splitOptions(arg: HeaderValues | ConnectOptions | undefined): ConnectOptions {
  if (arg === undefined || arg === null) return {};
  if (typeof arg !== 'object' || Array.isArray(arg)) throw new ArgumentProblem('optionsType', arg);
  const keys = Object.keys(arg);
  const unknown = keys.filter((key) => !OPTION_NAMES.has(key));
  if (unknown.length === keys.length) return { headers: arg as HeaderValues };
  if (unknown.length > 0) throw new ArgumentProblem('optionsUnknown', unknown);
  return arg as ConnectOptions;
}

function open(address: string, href: string, options: ConnectOptions): Promise<WebSocketConn> {
  const keepAlive = resolveKeepAlive(options.keepAlive, 'connectToWebsocket()');
  const reconnect = options.reconnect ?? (options.resume !== undefined && options.resume !== false ? true : undefined); // resume implies reconnect
  const maxQueue = checkMaxQueue(options.maxQueue);
  const timeout = options.timeout ?? DEFAULT_CONNECT_TIMEOUT;
  if (!(typeof timeout === 'number' && timeout >= 0 && timeout <= 2 ** 31 - 1)) throw new ArgumentProblem('timeout', timeout);
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (!(Number.isSafeInteger(maxPayload) && maxPayload >= 1)) throw new ArgumentProblem('maxPayload', maxPayload);
  const dial = prepareDial({ ...options, maxPayload });
  let first = href; // with `resume`, the first link's URL carries the routing id
  const openSocket = (url = first): WebSocketLike => {
    try {
      return dial.open(url);
    } catch (err) {
      throw new ConnectError(address, err instanceof Error ? err.message : String(err), { cause: err });
    }
  };
  // The keep-alive and the reconnect supervisor are modules of their own, loaded on first use: a page
  // that uses neither never loads them.
  const parts = Promise.all([
    keepAlive === undefined ? undefined : loadKeepAlive(),
    reconnect === undefined || reconnect === false ? undefined : import('./reconnector.js'),
  ]);
  return parts.then(([, reconnector]) => {
    // Checked once loaded (the checks are in that module): a bad value still fails before any network work.
    const supervision = reconnector?.supervision(reconnect, options.resume, href, { address, timeout, redial: openSocket, watch: dial.watch, waitForOpen }, describeValue);
    if (supervision?.url !== undefined) first = supervision.url;
    return connect(address, options, dial, openSocket, maxQueue, keepAlive, supervision?.supervise).then((conn) => supervision?.ready(conn) ?? conn);
  });
}

function connect(
  address: string,
  options: ConnectOptions,
  dial: Dial,
  openSocket: () => WebSocketLike,
  maxQueue: number,
  keepAlive: KeepAliveSettings | undefined,
  supervise: ConnOptions['supervise'],
): Promise<WebSocketConn> {
  const socket = openSocket();
  const conn = new WebSocketConn(socket, { url: address, headers: dial.headers, maxQueue, keepAlive, supervise });
  return waitForOpen(socket, address, { timeout: options.timeout ?? DEFAULT_CONNECT_TIMEOUT, signal: options.signal }, dial.watch).then(() => conn);
}

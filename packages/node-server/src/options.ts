import { describeValue, resolveResume } from '@corows/core/server';
import { DEFAULT_MAX_PAYLOAD, type KeepAlive, type KeepAliveSettings, type ResumeOptions, type ResumeSettings } from '@corows/core';
import type { PerMessageDeflateOptions } from './deflate-options.js';
import { serverKeepAlive } from './heartbeat.js';
import type { ServerTlsOptions } from './tls.js';
import type { ServerAdapter } from './adapter.js';
import type { RateLimit } from './rate-limit.js';
import type { UpgradeRequest } from './upgrade-request.js';

// Default ServerOptions.maxPayload: 1 MiB, the client's default too.
export { DEFAULT_MAX_PAYLOAD };

/** Default {@link ServerOptions.closeTimeout}, in milliseconds. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;

/** Default {@link ServerOptions.handshakeTimeout}, in milliseconds. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/** Default {@link ServerOptions.maxBackpressure}: 4 MiB. */
export const DEFAULT_MAX_BACKPRESSURE = 4 * 1024 * 1024;

/**
 * Refuses an upgrade request: the client gets this HTTP status instead of `101 Switching Protocols`
 * (`ConnectError.status` on a corows client) and `reason` as the response body (in the
 * `ConnectError` message).
 */
export interface Refusal {
  /** An HTTP status from 400 to 599, such as 401, 403 or 429. */
  status: number;
  /** Why, in a few words (sent as the response body). @default the status text, e.g. 'Forbidden' */
  reason?: string;
  /** Extra response headers, such as `{ 'Retry-After': '30' }` or `{ 'WWW-Authenticate': 'Bearer' }`. */
  headers?: Record<string, string>;
}

/**
 * What `verify` decides: `true` (or nothing) accepts; `{ data }` accepts and starts `conn.data` with
 * `data`; `false` refuses with 401; a {@link Refusal} refuses with its status and reason.
 */
export type VerifyResult<Data> = boolean | undefined | void | { data: Data } | Refusal;

/** The `verify` hook: sees the upgrade request before the upgrade and accepts or refuses it. */
export type VerifyHook<Data> = (request: UpgradeRequest) => VerifyResult<Data> | Promise<VerifyResult<Data>>;

/**
 * Picks the subprotocol from those the client offered (`request.protocols`): return one of them, or
 * `false` for none.
 */
export type ProtocolSelector = (offered: readonly string[], request: UpgradeRequest) => string | false | undefined;

/**
 * What to do when a client reads so slowly that more than `maxBackpressure` bytes wait to be sent to
 * it: `'close'` cuts the connection off at once (the peer is not reading, so a close frame would never
 * reach it; the server side sees close code 1006 and an `error` event with a `BackpressureError`);
 * `'drop'` keeps the connection and drops each message sent while over the limit (the send resolves a
 * `BackpressureError`; a broadcast skips that connection).
 */
export type BackpressurePolicy = 'close' | 'drop';

/**
 * Options of {@link createWebsocketServer} and {@link attachWebsocketServer}. `Data` is the type of
 * each connection's `conn.data`.
 */
export interface ServerOptions<Data = Record<string, unknown>> {
  /**
   * Largest message, in bytes, a client may send; a larger one closes its connection with 1009
   * (`CloseCode.MessageTooBig`).
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
  /**
   * Unconsumed messages each connection buffers before it stops reading from its socket (see
   * `WebSocketConn`); reading resumes when the inbox has drained to half. While paused, a connection
   * does not answer its client's pings either, so a client with a heartbeat drops it once its
   * `interval + timeout` passes: handlers should keep up with their inbox.
   * @default 1024
   */
  maxQueue?: number;
  /**
   * permessage-deflate compression: off unless asked for, since it costs memory and CPU per
   * connection. `true` uses `ws`'s defaults; an object is passed to `ws`.
   * @default false
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * The drain timeout of `close()`: milliseconds it waits for clients to finish the closing handshake
   * before dropping them.
   * @default 5000
   */
  closeTimeout?: number;
  /**
   * Dead-client detection: every `interval` ms each client is pinged (a WebSocket ping,
   * which browsers answer by themselves), and a client silent for `timeout` ms after it is dropped
   * (its connection closes with 1006 and a reason starting `heartbeat timeout`). A number is the
   * interval (and timeout); `false` turns it off. Browser clients' corows heartbeats are answered
   * either way (see `negotiateSubprotocol`). A verdict waits until the input already received has
   * been read, so a stalled event loop (a long GC pause) does not drop healthy clients; a connection
   * whose inbox is full (see `maxQueue`) is not judged while its reading is paused.
   * @default { interval: 30000, timeout: 30000 }
   */
  keepAlive?: KeepAlive;
  /**
   * Sessions that survive the network (README "Sessions"): with a client that asks for one (`resume`),
   * `whenNewConn` runs once per session and the connection lives on across the client's links.
   * `true` for the defaults, or `window` (ms a client may stay away) and the bounds of what is kept.
   * @default false
   */
  resume?: boolean | ResumeOptions;
  /**
   * Serve `wss://` (HTTPS) with this certificate and key; with `requestCert` and `ca`, require client
   * certificates (mutual TLS).
   * @default undefined (plain `ws://`)
   */
  tls?: ServerTlsOptions;
  /**
   * Serve only upgrade requests for this path (query ignored), such as `'/chat'`. Several servers can
   * share one HTTP server on different paths; a request for a path no corows server serves is refused
   * with 404 (unless another `upgrade` listener on that HTTP server may want it).
   * @default undefined (every path)
   */
  path?: string;
  /**
   * Subprotocol negotiation: the subprotocols this server speaks, in order of preference (the first one
   * the client also offered is selected), or a function that picks one. A client that offers
   * subprotocols of which none is selected is refused with 400; a client that offers none is accepted
   * with `conn.protocol === ''`. Without this option, the first subprotocol the client offers is
   * selected (as `ws` does).
   * @default undefined
   */
  protocols?: readonly string[] | ProtocolSelector;
  /**
   * Sees each upgrade request (headers, URL, query, remote address, offered subprotocols) before the
   * upgrade and accepts it, possibly with the connection's `data`, or refuses it with an HTTP status
   * and reason. May be async; it must decide within `handshakeTimeout`. A hook that throws or rejects
   * refuses with 500 and is reported through the server's `error` event.
   * @example
   * ```ts
   * verify: async ({ query }) => {
   *   const user = await users.byToken(query.get('token'));
   *   return user ? { data: { user } } : { status: 403, reason: 'unknown token' };
   * }
   * ```
   * @default undefined (accept every request)
   */
  verify?: VerifyHook<Data>;
  /**
   * Origins browsers may connect from, against cross-site WebSocket hijacking: exact origins such as
   * `'https://app.example.com'` (scheme, host and port; compared case-insensitively, default ports
   * ignored) or regular expressions tested against the `Origin` header. A request from another origin
   * is refused with 403. Requests without an `Origin` header (clients that are not browsers) are
   * allowed: authenticate those in `verify`.
   * @default undefined (any origin)
   */
  allowedOrigins?: readonly (string | RegExp)[];
  /**
   * Most connections open at once (handshakes in progress count too); past it, upgrade requests are
   * refused with 503 and a `Retry-After` header.
   * @default Infinity
   */
  maxConnections?: number;
  /**
   * Milliseconds an upgrade may take. On a server corows creates, it bounds the whole handshake from
   * the first byte (a client that connects and never completes its request is dropped with 408); on
   * an attached HTTP server, it bounds the `verify` step (set that server's `headersTimeout` for the
   * rest).
   * @default 10000
   */
  handshakeTimeout?: number;
  /**
   * Per-connection limit on messages from the client: at most `messages` per `interval` ms (a token
   * bucket: bursts up to `messages`, then that average). A client over it is closed with 1008
   * (`CloseCode.PolicyViolation`) and a reason that says so; the message that broke the limit and
   * those after it are not delivered.
   * @default undefined (no limit)
   */
  rateLimit?: RateLimit;
  /**
   * Bytes that may wait to be sent to one client before `backpressurePolicy` applies: the memory a
   * client that reads slowly can cost is bounded by this plus one message.
   * @default 4194304 (4 MiB)
   */
  maxBackpressure?: number;
  /**
   * What to do with a client past `maxBackpressure`: `'close'` cuts it off, `'drop'` drops messages.
   * @default 'close'
   */
  backpressurePolicy?: BackpressurePolicy;
  /**
   * Carries broadcasts and room membership between server nodes (see {@link ServerAdapter}). One
   * adapter instance serves one server.
   * @default a new InProcessAdapter (one node)
   */
  adapter?: ServerAdapter;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedOptions<Data> {
  maxPayload: number;
  maxQueue: number | undefined;
  perMessageDeflate: boolean | PerMessageDeflateOptions;
  closeTimeout: number;
  path: string | undefined;
  protocols: readonly string[] | ProtocolSelector | undefined;
  verify: VerifyHook<Data> | undefined;
  allowedOrigins: readonly (string | RegExp)[] | undefined;
  maxConnections: number;
  handshakeTimeout: number;
  rateLimit: RateLimit | undefined;
  maxBackpressure: number;
  backpressurePolicy: BackpressurePolicy;
  adapter: ServerAdapter | undefined;
  keepAlive: KeepAliveSettings | undefined;
  resume: ResumeSettings | undefined;
  tls: ServerTlsOptions | undefined;
}

/** Checks `options` and fills in the defaults; throws a `TypeError`/`RangeError` naming the bad option. */
export function resolveOptions<Data>(options: ServerOptions<Data> | undefined, caller: string): ResolvedOptions<Data> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${caller}: options must be an object, got ${describeValue(options)}`);
  }
  const o = options ?? {};
  const count = (name: keyof ServerOptions, value: unknown, min: number, infinite = false): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !(Number.isInteger(value) || (infinite && value === Infinity)) || value < min) {
      throw new RangeError(`${caller}: ${name} must be a whole number of at least ${min}${infinite ? ' (or Infinity)' : ''}, got ${describeValue(value)}`);
    }
  };
  if (o.tls !== undefined && caller.startsWith('attach')) {
    throw new TypeError(`${caller}: tls applies to the server corows creates; attach to an https.Server to serve wss://`);
  }
  count('maxPayload', o.maxPayload, 1);
  count('maxQueue', o.maxQueue, 1);
  count('closeTimeout', o.closeTimeout, 0);
  count('maxConnections', o.maxConnections, 1, true);
  count('handshakeTimeout', o.handshakeTimeout, 1);
  count('maxBackpressure', o.maxBackpressure, 1);
  if (o.path !== undefined && (typeof o.path !== 'string' || !o.path.startsWith('/') || o.path.includes('?'))) {
    throw new TypeError(`${caller}: path must be a string starting with "/" and without a query, such as "/chat", got ${describeValue(o.path)}`);
  }
  if (o.protocols !== undefined && typeof o.protocols !== 'function' &&
      !(Array.isArray(o.protocols) && o.protocols.every((p) => typeof p === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(p)))) {
    throw new TypeError(`${caller}: protocols must be an array of subprotocol names (HTTP tokens such as "chat.v1") or a function, got ${describeValue(o.protocols)}`);
  }
  if (o.verify !== undefined && typeof o.verify !== 'function') {
    throw new TypeError(`${caller}: verify must be a function, got ${describeValue(o.verify)}`);
  }
  if (o.allowedOrigins !== undefined) checkOrigins(o.allowedOrigins, caller);
  if (o.rateLimit !== undefined) {
    const { messages, interval } = o.rateLimit as Partial<RateLimit>;
    if (!Number.isInteger(messages) || (messages as number) < 1 || !Number.isInteger(interval) || (interval as number) < 1) {
      throw new RangeError(`${caller}: rateLimit must be { messages, interval } with whole numbers of at least 1, such as { messages: 100, interval: 1000 }, got ${describeValue(o.rateLimit)}`);
    }
  }
  if (o.backpressurePolicy !== undefined && o.backpressurePolicy !== 'close' && o.backpressurePolicy !== 'drop') {
    throw new TypeError(`${caller}: backpressurePolicy must be 'close' or 'drop', got ${describeValue(o.backpressurePolicy)}`);
  }
  if (o.adapter !== undefined && (typeof o.adapter !== 'object' || o.adapter === null || typeof o.adapter.broadcast !== 'function')) {
    throw new TypeError(`${caller}: adapter must implement ServerAdapter (start, broadcast, joined, left, disconnected, members, close), got ${describeValue(o.adapter)}`);
  }
  return {
    maxPayload: o.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    maxQueue: o.maxQueue,
    perMessageDeflate: o.perMessageDeflate ?? false,
    closeTimeout: o.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
    path: o.path,
    protocols: o.protocols,
    verify: o.verify,
    allowedOrigins: o.allowedOrigins,
    maxConnections: o.maxConnections ?? Infinity,
    handshakeTimeout: o.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
    rateLimit: o.rateLimit === undefined ? undefined : { messages: o.rateLimit.messages, interval: o.rateLimit.interval },
    maxBackpressure: o.maxBackpressure ?? DEFAULT_MAX_BACKPRESSURE,
    backpressurePolicy: o.backpressurePolicy ?? 'close',
    adapter: o.adapter,
    keepAlive: serverKeepAlive(o.keepAlive, caller),
    resume: resolveResume(o.resume, caller, describeValue),
    tls: o.tls,
  };
}

function checkOrigins(origins: unknown, caller: string): void {
  if (!Array.isArray(origins)) {
    throw new TypeError(`${caller}: allowedOrigins must be an array of origins (strings such as "https://example.com") or RegExps, got ${describeValue(origins)}`);
  }
  for (const origin of origins) {
    if (origin instanceof RegExp) continue;
    if (typeof origin !== 'string' || !/^https?:\/\/[^/]+\/?$/i.test(origin) || !URL.canParse(origin)) {
      throw new TypeError(`${caller}: allowedOrigins entry ${describeValue(origin)} is not an origin; write scheme, host and optional port, such as "https://app.example.com:8443"`);
    }
  }
}

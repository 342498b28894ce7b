/**
 * One WebSocket message: a text frame arrives as a `string`, a binary frame as a `Uint8Array`
 * (in Node, a `Buffer`, which is a `Uint8Array`).
 */
export type Message = string | Uint8Array;

/**
 * The seed's handshake header table. An array becomes several values of one header (numbers become
 * strings); a string is sent as it is.
 *
 * @example
 * ```ts
 * { header1: ['a', 2, 'c'], header3: 'header3,some values' }
 * ```
 */
export type HeaderValues = Record<string, string | number | Array<string | number>>;

/** The LuatOS `state()` of a connection. `online` is `state === 'OPEN'`. */
export type ConnState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/**
 * How a connection detects a dead peer: WebSocket pings (`'protocol'`), corows heartbeat messages
 * (`'message'`, a browser client with a corows server), or not at all (`'off'`).
 */
export type HeartbeatMode = 'protocol' | 'message' | 'off';

/** Why a reconnecting connection is about to try again: the close of the link, or the failed attempt. */
export interface ReconnectCause {
  /** The close code of the link that dropped (1006 when no close frame came, or an attempt failed). */
  code: number;
  /** Its close reason, or what made the attempt fail. */
  reason: string;
}

/**
 * The session a connection is in (`resume`, PROTOCOL.md §5): `conn.session`, `null` when it is in
 * none (no `resume`, or a peer that does not offer sessions).
 */
export interface SessionInfo {
  /** The routing id: the `corows_session` query parameter of every link, for load balancers. */
  readonly id: string;
  /** How many times a new link has continued the session. */
  readonly resumes: number;
}

/** Options of {@link WebSocketConn.receiveMessage}. */
export interface ReceiveOptions {
  /** Give up when this signal aborts: the call rejects with an {@link AbortError} and takes no message. */
  signal?: AbortSignal;
  /** Give up after this many milliseconds: the call rejects with a {@link TimeoutError} and takes no message. */
  timeout?: number;
}

/**
 * Handles each message that no `receiveMessage()` is waiting for; receives `null` exactly once,
 * when the connection has closed and every buffered message has been delivered.
 * It may return a promise; a rejection is reported like a throw.
 */
export type MessageHandler = (msg: Message | null) => unknown;

/** The events of a {@link WebSocketConn}, for `conn.on(name, listener)`. */
export interface WebSocketConnEvents {
  /** The connection is open; with `reconnect`, again each time a new link opens. */
  open: [];
  /**
   * With `reconnect`: the link dropped (or an attempt failed) and attempt number `attempt` will be made
   * in `delay` milliseconds. `state` is `'CONNECTING'` until `open`, or `close` if it gives up.
   */
  reconnecting: [attempt: number, delay: number, cause: ReconnectCause];
  /**
   * With `resume`: a new link continues the session after a drop; what either end sent meanwhile is
   * delivered, exactly once and in order. Emitted on both ends.
   */
  resumed: [];
  /**
   * Client with `resume`: the session could not be continued (the server refused it: unknown or
   * expired, another node, a bound exceeded). `reason` says why; `missing` is how many of the
   * messages this end sent in that session were never acknowledged, and so may not have arrived.
   * The connection goes on at once as a new session (a new `conn.session.id`).
   */
  reset: [reason: string, missing: number];
  /** Every arriving message, whether or not a receive or the handler consumes it (for observing). */
  message: [msg: Message];
  /**
   * The connection has closed for good, with the close frame's code and reason (1006 and `''` if none
   * came; 1006 and `heartbeat timeout: …` if the peer fell silent). With `reconnect`, only once it
   * gives up or `close()` is called: a link that drops and is replaced fires `reconnecting` instead.
   */
  close: [code: number, reason: string];
  /** A handler failed, or the socket reported a problem. */
  error: [err: Error];
  /** The peer answered a ping (in a browser, only a corows server's answer to a corows heartbeat). */
  pong: [];
}

/** What a request handler gets beside the request's value (see `WebSocketConn.whenRequest`). */
export interface RequestContext {
  /** Aborts when the requester gives up (timeout, abort) or the connection that carried the request is gone. */
  readonly signal: AbortSignal;
}

/**
 * Answers the peer's requests (see `WebSocketConn.whenRequest`): returns the reply (any value JSON can
 * encode; `undefined` is sent as `null`) or a promise of it. A throw or a rejection makes the
 * requester's promise reject with a `RemoteError` carrying the error's message and string `code`.
 */
export type RequestHandler = (value: unknown, context: RequestContext) => unknown;

/** Options of `conn.request()`. */
export interface RequestOptions {
  /**
   * Milliseconds to wait for the reply before rejecting with a `TimeoutError` (the peer's handler is
   * told: its `signal` aborts).
   * @default 30000
   */
  timeout?: number;
  /** Gives up on the request: it rejects with an `AbortError` and the peer's handler's `signal` aborts. */
  signal?: AbortSignal;
}

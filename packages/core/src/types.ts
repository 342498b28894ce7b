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
  /** The connection is open. */
  open: [];
  /** Every arriving message, whether or not a receive or the handler consumes it (for observing). */
  message: [msg: Message];
  /** The connection has closed, with the close frame's code and reason (1006 and `''` if none came). */
  close: [code: number, reason: string];
  /** A handler failed, or the socket reported a problem. */
  error: [err: Error];
  /** The peer answered a ping (Node only: browsers do not expose pongs). */
  pong: [];
}

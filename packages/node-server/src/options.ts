import type { PerMessageDeflateOptions } from 'ws';

/** Default {@link ServerOptions.maxPayload}: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Default {@link ServerOptions.closeTimeout}, in milliseconds. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;

/** Options of {@link createWebsocketServer}. */
export interface ServerOptions {
  /**
   * Largest message, in bytes, a client may send; a larger one closes its connection with 1009
   * (`CloseCode.MessageTooBig`).
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
  /**
   * Unconsumed messages each connection buffers before it stops reading from its socket (see
   * `WebSocketConn`); reading resumes when the inbox has drained to half.
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
   * Milliseconds `close()` waits for clients to finish the closing handshake before dropping them.
   * @default 5000
   */
  closeTimeout?: number;
}

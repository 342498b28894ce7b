import type { KeepAlive } from '@corows/core';
import type { PerMessageDeflateOptions } from 'ws';
import type { ServerTlsOptions } from './tls.js';

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
  /**
   * Dead-client detection (issue 4): every `interval` ms each client is pinged (a WebSocket ping,
   * which browsers answer by themselves), and a client silent for `timeout` ms after it is dropped
   * (its connection closes with 1006 and a reason starting `heartbeat timeout`). A number is the
   * interval (and timeout); `false` turns it off. Browser clients' corows heartbeats are answered
   * either way (see `negotiateSubprotocol`).
   * @default { interval: 30000, timeout: 30000 }
   */
  keepAlive?: KeepAlive;
  /**
   * Serve `wss://` (HTTPS) with this certificate and key; with `requestCert` and `ca`, require client
   * certificates (mutual TLS). (issue 4)
   * @default undefined (plain `ws://`)
   */
  tls?: ServerTlsOptions;
}

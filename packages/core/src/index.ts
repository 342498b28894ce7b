export { connectToWebsocket, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_PAYLOAD } from './connect.js';
export type { ConnectOptions } from './connect.js';
export { WebSocketConn } from './connection.js';
export { DEFAULT_MAX_QUEUE } from './conn-options.js';
export type { ConnOptions } from './conn-options.js';
export type { ConnPolicy, LinkSupervisor, LinkSwitch } from './conn-parts.js';
export type { OutgoingData } from './outbox.js';
export { CloseCode, isRetryableCloseCode } from './close-codes.js';
export type { CloseCodeValue } from './close-codes.js';
export { GuardedEmitter } from './guarded-emitter.js';
export { AbortError, ConnectError, ConnectionClosedError, CorowsError, OutboxFullError, RemoteError, TimeoutError } from './errors.js';
export { DEFAULT_KEEP_ALIVE_INTERVAL, resolveKeepAlive } from './keep-alive-options.js';
export { loadKeepAlive } from './keep-alive-loader.js';
export type { KeepAlive, KeepAliveOptions, KeepAliveSettings } from './keep-alive-options.js';
export { DEFAULT_REQUEST_TIMEOUT } from './control-loader.js';
export { DEFAULT_RECONNECT } from './reconnect-policy.js';
export type { ReconnectOptions, ReconnectPolicy } from './reconnect-policy.js';
export type { DomWebSocketLike, NodeBufferLike, NodeTransport, NodeWebSocketLike, WebSocketConstructor, WebSocketLike } from './socket.js';
export type { PemInput, TlsOptions } from './tls.js';
export type {
  ConnState,
  HeaderValues,
  HeartbeatMode,
  Message,
  MessageHandler,
  ReceiveOptions,
  ReconnectCause,
  RequestContext,
  RequestHandler,
  RequestOptions,
  SessionInfo,
  WebSocketConnEvents,
} from './types.js';
export type { ResumeOptions, ResumeSettings } from './session-options.js';
export type { ControlFrame } from './control.js';
// What servers build on (the protocol's agreement, sessions) is in `@corows/core/server`: a page never loads it.

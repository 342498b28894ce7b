export { connectToWebsocket, DEFAULT_CONNECT_TIMEOUT } from './connect.js';
export type { ConnectOptions } from './connect.js';
export { WebSocketConn, DEFAULT_MAX_QUEUE } from './connection.js';
export type { ConnOptions } from './connection.js';
export { CloseCode, isRetryableCloseCode } from './close-codes.js';
export type { CloseCodeValue } from './close-codes.js';
export { AbortError, ConnectError, ConnectionClosedError, CorowsError, OutboxFullError, TimeoutError } from './errors.js';
export { DEFAULT_KEEP_ALIVE_INTERVAL, resolveKeepAlive } from './heartbeat.js';
export type { KeepAlive, KeepAliveOptions, KeepAliveSettings } from './heartbeat.js';
export { applicationProtocols, HEARTBEAT_PROTOCOL, negotiateSubprotocol } from './heartbeat-protocol.js';
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
  WebSocketConnEvents,
} from './types.js';

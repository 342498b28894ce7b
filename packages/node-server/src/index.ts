export { createWebsocketServer, WebsocketServer } from './server.js';
export type { ServerAddress, WebsocketServerEvents } from './server.js';
export { DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_PAYLOAD } from './options.js';
export type { ServerOptions } from './options.js';
export { DEFAULT_SERVER_KEEP_ALIVE } from './heartbeat.js';
export type { ServerTlsOptions } from './tls.js';

// All of @corows/core, so that a Node user needs one import.
export {
  AbortError,
  CloseCode,
  ConnectError,
  ConnectionClosedError,
  connectToWebsocket,
  CorowsError,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_KEEP_ALIVE_INTERVAL,
  DEFAULT_MAX_QUEUE,
  DEFAULT_RECONNECT,
  HEARTBEAT_PROTOCOL,
  isRetryableCloseCode,
  negotiateSubprotocol,
  OutboxFullError,
  resolveKeepAlive,
  TimeoutError,
  WebSocketConn,
} from '@corows/core';
export type {
  CloseCodeValue,
  ConnectOptions,
  ConnOptions,
  ConnState,
  DomWebSocketLike,
  HeaderValues,
  HeartbeatMode,
  KeepAlive,
  KeepAliveOptions,
  KeepAliveSettings,
  Message,
  MessageHandler,
  NodeWebSocketLike,
  PemInput,
  ReceiveOptions,
  ReconnectCause,
  ReconnectOptions,
  TlsOptions,
  WebSocketConnEvents,
  WebSocketConstructor,
  WebSocketLike,
} from '@corows/core';

export { createWebsocketServer, WebsocketServer } from './server.js';
export type { ServerAddress, WebsocketServerEvents } from './server.js';
export { DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_PAYLOAD } from './options.js';
export type { ServerOptions } from './options.js';

// All of @corows/core, so that a Node user needs one import.
export {
  AbortError,
  CloseCode,
  ConnectError,
  ConnectionClosedError,
  connectToWebsocket,
  CorowsError,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_MAX_QUEUE,
  isRetryableCloseCode,
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
  Message,
  MessageHandler,
  NodeWebSocketLike,
  ReceiveOptions,
  WebSocketConnEvents,
  WebSocketLike,
} from '@corows/core';

export { connectToWebsocket, DEFAULT_CONNECT_TIMEOUT } from './connect.js';
export type { ConnectOptions } from './connect.js';
export { WebSocketConn, DEFAULT_MAX_QUEUE } from './connection.js';
export type { ConnOptions } from './connection.js';
export { CloseCode, isRetryableCloseCode } from './close-codes.js';
export type { CloseCodeValue } from './close-codes.js';
export { AbortError, ConnectError, ConnectionClosedError, CorowsError, TimeoutError } from './errors.js';
export type { DomWebSocketLike, NodeWebSocketLike, WebSocketLike } from './socket.js';
export type { ConnState, HeaderValues, Message, MessageHandler, ReceiveOptions, WebSocketConnEvents } from './types.js';

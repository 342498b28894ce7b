// The public types name Node's (http.Server, Buffer): load them for consumers, whose TypeScript (6+)
// no longer includes @types packages by itself. @types/node is a dependency, at the consumer's version.
/// <reference types="node" preserve="true" />
export { attachWebsocketServer, createWebsocketServer } from './create-server.js';
export { WebsocketServer } from './server.js';
export type { ConnHandler, ServerAddress } from './server.js';
export type { DeadHandler } from './death-notice.js';
export type { BroadcastOptions, WebsocketServerEvents } from './server-types.js';
export { ServerConn } from './server-conn.js';
export { BroadcastTarget } from './broadcast-target.js';
export type { Exclusion } from './broadcast-target.js';
export type { ConnFilter } from './local-delivery.js';
export {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_BACKPRESSURE,
  DEFAULT_MAX_PAYLOAD,
} from './options.js';
export type {
  BackpressurePolicy,
  ProtocolSelector,
  Refusal,
  ServerOptions,
  VerifyHook,
  VerifyResult,
} from './options.js';
export type { PerMessageDeflateOptions, ZlibDeflateSettings } from './deflate-options.js';
export type { UpgradeRequest } from './upgrade-request.js';
export type { RateLimit } from './rate-limit.js';
export type { RefusalReason, ServerMetrics } from './metrics.js';
export { BackpressureError, RateLimitError } from './errors.js';
export type { AdapterHost, BroadcastPacket, ServerAdapter } from './adapter.js';
export { InProcessAdapter, InProcessHub } from './in-process-adapter.js';
export { closeOnSignals } from './signals.js';
export type { Closable, CloseOnSignalsOptions } from './signals.js';
export { DEFAULT_SERVER_KEEP_ALIVE } from './heartbeat.js';
export type { Pem, ServerTlsOptions } from './tls.js';

// All of @corows/core, so that a Node user needs one import.
export { answerCorowsHeader, applicationProtocols, COROWS_PROTOCOL_HEADER, COROWS_SUBPROTOCOL, markCorowsAgreed, negotiateSubprotocol } from '@corows/core/server';
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
  GuardedEmitter,
  DEFAULT_REQUEST_TIMEOUT,
  isRetryableCloseCode,
  loadKeepAlive,
  OutboxFullError,
  RemoteError,
  resolveKeepAlive,
  TimeoutError,
  WebSocketConn,
} from '@corows/core';
export type {
  CloseCodeValue,
  ConnectOptions,
  ConnOptions,
  ConnPolicy,
  ConnState,
  DomWebSocketLike,
  HeaderValues,
  HeartbeatMode,
  RequestContext,
  RequestHandler,
  RequestOptions,
  KeepAlive,
  KeepAliveOptions,
  KeepAliveSettings,
  LinkSupervisor,
  LinkSwitch,
  Message,
  MessageHandler,
  NodeBufferLike,
  NodeTransport,
  NodeWebSocketLike,
  OutgoingData,
  PemInput,
  ReceiveOptions,
  ReconnectCause,
  ReconnectOptions,
  ReconnectPolicy,
  TlsOptions,
  WebSocketConnEvents,
  WebSocketConstructor,
  WebSocketLike,
} from '@corows/core';

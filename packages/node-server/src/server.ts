import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, CorowsError, WebSocketConn, type KeepAliveSettings } from '@corows/core';
import { EventEmitter } from 'eventemitter3';
import { WebSocketServer as WsServer, type WebSocket } from 'ws';
import { handleProtocols, serverKeepAlive } from './heartbeat.js';
import { DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_PAYLOAD, type ServerOptions } from './options.js';
import { createHttpOrHttpsServer } from './tls.js';

/** The bound address of a listening server. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** The events of a {@link WebsocketServer}. */
export interface WebsocketServerEvents {
  /** A `whenNewConn` or `whenDead` handler threw or rejected, or the HTTP server reported a problem. */
  error: [err: Error];
}

type ConnHandler = (conn: WebSocketConn) => unknown;
type DeadHandler = (reason: string) => unknown;

/** Close reasons travel in a control frame: at most 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/**
 * A WebSocket server on Node (seed: the listener of `create_websocket_server`). Create it with
 * {@link createWebsocketServer}; it listens at once, hands each accepted connection to `whenNewConn`,
 * and tells `whenDead` once when it stops.
 */
export class WebsocketServer extends EventEmitter<WebsocketServerEvents> {
  /**
   * Resolves with the bound address once listening (port 0 picks a free port); rejects if the server
   * dies first. An unobserved rejection is never reported as unhandled: `whenDead` hears of it too.
   */
  readonly listening: Promise<ServerAddress>;

  private readonly http: Server;
  private readonly wss: WsServer;
  private readonly live = new Set<WebSocketConn>();
  private readonly unannounced: WebSocketConn[] = [];
  private readonly maxQueue: number | undefined;
  private readonly closeTimeout: number;
  private readonly keepAlive: KeepAliveSettings | undefined; // issue 4
  private connHandler: ConnHandler | undefined;
  private deadHandler: DeadHandler | undefined;
  private deadReason: string | undefined;
  private closing: Promise<void> | undefined;

  /** Use {@link createWebsocketServer}. */
  constructor(host: string, port: number, options: ServerOptions = {}) {
    super();
    checkArguments(host, port, options);
    this.maxQueue = options.maxQueue;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.keepAlive = serverKeepAlive(options.keepAlive); // issue 4: ping clients, drop silent ones
    this.wss = new WsServer({
      handleProtocols: handleProtocols(), // issue 4: the browser heartbeat's subprotocol
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: options.perMessageDeflate ?? false,
    });
    this.http = createHttpOrHttpsServer(options.tls, (_req, res) => { // issue 4: https with options.tls
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('426 Upgrade Required: this is a WebSocket endpoint\n');
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));

    this.listening = new Promise<ServerAddress>((resolve, reject) => {
      const onListenError = (err: NodeJS.ErrnoException): void => {
        reject(new CorowsError(`the server could not listen on ${host}:${port}: ${err.message}`, { code: err.code, cause: err }));
        this.die(`listen ${err.code ?? 'failed'}: ${err.message}`);
      };
      this.http.once('error', onListenError);
      this.http.listen(port, host, () => {
        this.http.off('error', onListenError);
        this.http.on('error', (err) => this.report(err));
        const bound = this.http.address();
        resolve(typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : { host, port });
      });
    });
    this.listening.catch(() => undefined);
  }

  /** The live connections; a connection leaves the set as soon as it closes, however it closes. */
  get connections(): ReadonlySet<WebSocketConn> {
    return this.live;
  }

  /** Whether the server has stopped; `whenDead` has been (or is being) told why. */
  get dead(): boolean {
    return this.deadReason !== undefined;
  }

  /**
   * Sets the handler called with each accepted connection (seed: `when_new_conn`); chainable. A new
   * call replaces the handler; connections accepted before any handler was set are handed to the
   * first one. A handler that throws or rejects is reported through the `error` event (or
   * `console.error` when nobody listens) and the server lives on.
   */
  whenNewConn(handler: ConnHandler): this {
    if (typeof handler !== 'function') throw new TypeError(`whenNewConn() takes a function, got ${typeof handler}`);
    this.connHandler = handler;
    for (const conn of this.unannounced.splice(0)) {
      if (conn.state === 'OPEN' || conn.queuedMessages > 0) this.announce(conn);
    }
    return this;
  }

  /**
   * Sets the handler called once when the server stops (seed: `when_dead`), with the reason: a listen
   * failure (naming it, e.g. `EADDRINUSE`) or the reason given to `close()`. Set after the server
   * died, it is called at once. Chainable; a new call replaces the handler.
   */
  whenDead(handler: DeadHandler): this {
    if (typeof handler !== 'function') throw new TypeError(`whenDead() takes a function, got ${typeof handler}`);
    this.deadHandler = handler;
    if (this.deadReason !== undefined) this.callDeadHandler(this.deadReason);
    return this;
  }

  /**
   * Stops the server: stops accepting, closes every connection with 1001 (`GoingAway`) and `reason`,
   * waits up to `closeTimeout` for their closing handshakes, drops the rest, then calls `whenDead`
   * with `reason`. Idempotent: later calls wait for the same shutdown.
   * @param reason @default 'server closed'
   */
  close(reason = 'server closed'): Promise<void> {
    this.closing ??= this.shutDown(String(reason));
    return this.closing;
  }

  private async shutDown(reason: string): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
    const frameReason = truncateUtf8(reason, MAX_REASON_BYTES);
    await Promise.all([...this.live].map((conn) => this.closeOrDrop(conn, frameReason)));
    this.http.closeAllConnections();
    if (this.http.listening) await stopped;
    this.die(reason);
  }

  private async closeOrDrop(conn: WebSocketConn, reason: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        conn.terminate();
        resolve();
      }, this.closeTimeout);
    });
    await Promise.race([conn.close(CloseCode.GoingAway, reason).catch(() => conn.terminate()), late]);
    clearTimeout(timer);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing !== undefined || this.dead) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const conn = new WebSocketConn(ws, {
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
      maxQueue: this.maxQueue,
      keepAlive: this.keepAlive, // issue 4
    });
    this.live.add(conn);
    conn.once('close', () => this.live.delete(conn));
    if (this.closing !== undefined) {
      void this.closeOrDrop(conn, 'server closed');
    } else if (this.connHandler === undefined) {
      this.unannounced.push(conn);
    } else {
      this.announce(conn);
    }
  }

  private announce(conn: WebSocketConn): void {
    const handler = this.connHandler as ConnHandler;
    try {
      const result = handler(conn);
      if (isThenable(result)) result.then(undefined, (err: unknown) => this.report(err, 'whenNewConn handler failed'));
    } catch (err) {
      this.report(err, 'whenNewConn handler failed');
    }
  }

  private die(reason: string): void {
    if (this.deadReason !== undefined) return;
    this.deadReason = reason;
    if (this.deadHandler !== undefined) this.callDeadHandler(reason);
  }

  private callDeadHandler(reason: string): void {
    const handler = this.deadHandler as DeadHandler;
    try {
      const result = handler(reason);
      if (isThenable(result)) result.then(undefined, (err: unknown) => this.report(err, 'whenDead handler failed'));
    } catch (err) {
      this.report(err, 'whenDead handler failed');
    }
  }

  private report(err: unknown, context?: string): void {
    const error = context === undefined && err instanceof Error
      ? err
      : new CorowsError(`${context ?? 'server error'}: ${err instanceof Error ? err.message : String(err)}`, { code: 'ERR_HANDLER', cause: err });
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else console.error('corows:', error);
  }
}

/**
 * Creates a WebSocket server listening on `host:port` (seed: `create_websocket_server`). Synchronous,
 * like the seed: it returns at once and listens in the background; a failure to listen goes to
 * `whenDead` (and rejects `listening`). Throws a `TypeError`/`RangeError` at once only for arguments
 * that could never work.
 *
 * @example
 * ```ts
 * createWebsocketServer('127.0.0.1', 1042)
 *   .whenNewConn(async (conn) => {
 *     conn.whenNewMsg((msg) => conn.sendMessage(`server echo: ${msg}`));
 *     await conn.sendMessage('server hello');
 *     console.log('first message:', await conn.receiveMessage());
 *   })
 *   .whenDead((reason) => console.log('server dead:', reason));
 * ```
 */
export function createWebsocketServer(host: string, port: number, options?: ServerOptions): WebsocketServer {
  return new WebsocketServer(host, port, options);
}

function checkArguments(host: unknown, port: unknown, options: ServerOptions): void {
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`createWebsocketServer(): host must be a non-empty string such as "127.0.0.1" or "0.0.0.0", got ${JSON.stringify(host)}`);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`createWebsocketServer(): port must be a whole number from 0 to 65535, got ${String(port)}`);
  }
  for (const name of ['maxPayload', 'maxQueue', 'closeTimeout'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= (name === 'closeTimeout' ? 0 : 1))) {
      throw new RangeError(`createWebsocketServer(): ${name} must be a positive whole number, got ${String(value)}`);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}

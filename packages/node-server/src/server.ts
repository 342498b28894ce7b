import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { CorowsError, type Message } from '@corows/core';
import { EventEmitter } from 'eventemitter3';
import type { WebSocket } from 'ws';
import type { BroadcastPacket, ServerAdapter } from './adapter.js';
import { BroadcastTarget, toBytes, type Exclusion, type Publisher } from './broadcast-target.js';
import { UpgradeGate } from './gate.js';
import { HeaderPool } from './header-pool.js';
import { attachHttp, listenHttp, type HttpHost, type ServerAddress } from './http-host.js';
import { InProcessAdapter } from './in-process-adapter.js';
import { LocalDelivery, type ConnFilter } from './local-delivery.js';
import { MetricsRecorder, type ServerMetrics } from './metrics.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { RoomIndex } from './rooms.js';
import { routeUpgrades } from './router.js';
import { ServerConn, type ConnServer } from './server-conn.js';
import { drainConnections } from './shutdown.js';
import { TrafficGuard } from './traffic-guard.js';

export type { ServerAddress } from './http-host.js';

/** The events of a {@link WebsocketServer}. */
export interface WebsocketServerEvents {
  /** A handler or hook threw or rejected, the adapter failed, or the HTTP server reported a problem. */
  error: [err: Error];
}

/** Options of {@link WebsocketServer.broadcast}. */
export interface BroadcastOptions<Data> {
  /** Connections (or ids) that do not get the message, such as its sender. */
  except?: Exclusion;
  /**
   * Only connections for which this returns `true`. A function cannot travel to other nodes, so a
   * broadcast with a filter reaches this node's connections only.
   */
  filter?: ConnFilter<Data>;
}

/** A {@link WebsocketServer.whenNewConn} handler: called with each accepted connection; may be async. */
export type ConnHandler<Data> = (conn: ServerConn<Data>) => unknown;
/** A {@link WebsocketServer.whenDead} handler: called once with the reason the server stopped. */
export type DeadHandler = (reason: string) => unknown;

/** Where a {@link WebsocketServer} gets its HTTP server from. */
type HttpSource = { listen: { host: string; port: number } } | { attach: Server };

/**
 * A WebSocket server on Node (seed: the listener of `create_websocket_server`). Create it with
 * {@link createWebsocketServer} or {@link attachWebsocketServer}; it hands each accepted connection to
 * `whenNewConn` and tells `whenDead` once when it stops. `Data` types each connection's `conn.data`.
 */
export class WebsocketServer<Data = Record<string, unknown>> extends EventEmitter<WebsocketServerEvents> {
  /**
   * Resolves with the bound address once listening (port 0 picks a free port) and the adapter has
   * started; rejects if the server dies first. An unobserved rejection is never reported as unhandled:
   * `whenDead` hears of it too.
   */
  readonly listening: Promise<ServerAddress>;

  private readonly options: ResolvedOptions<Data>;
  private readonly host: HttpHost;
  private readonly metricsRecorder = new MetricsRecorder();
  private readonly live = new Set<ServerConn<Data>>();
  private readonly unannounced: ServerConn<Data>[] = [];
  private readonly adapter: ServerAdapter;
  private readonly rooms: RoomIndex<ServerConn<Data>>;
  private readonly local: LocalDelivery<Data>;
  private readonly gate: UpgradeGate<Data>;
  private readonly publisher: Publisher<Data> = { publish: (packet, filter) => this.publish(packet, filter) };
  private readonly connServer: ConnServer<ServerConn<Data>>;
  private readonly headerPool = new HeaderPool();
  private readonly unroute: () => void;
  private connHandler: ConnHandler<Data> | undefined;
  private deadHandler: DeadHandler | undefined;
  private deadReason: string | undefined;
  private closing: Promise<void> | undefined;
  private rejectListening: ((err: Error) => void) | undefined;
  private adapterStarted = false;
  private readonly adapterStarting: Promise<void>;

  /** @internal Use {@link createWebsocketServer} or {@link attachWebsocketServer}. */
  constructor(source: HttpSource, options?: ServerOptions<Data>) {
    super();
    const caller = 'listen' in source ? 'createWebsocketServer()' : 'attachWebsocketServer()';
    this.options = resolveOptions(options, caller);
    this.adapter = this.options.adapter ?? new InProcessAdapter();
    this.rooms = new RoomIndex(this.adapter, (err, context) => this.report(err, context));
    this.connServer = {
      guard: new TrafficGuard(this.options, this.metricsRecorder),
      joined: (conn, room) => this.rooms.joined(conn, room),
      left: (conn, room) => this.rooms.left(conn, room),
      closed: (conn, code) => this.forget(conn, code),
    };
    this.local = new LocalDelivery(randomUUID(), this.live, this.rooms, (err, context) => this.report(err, context));
    this.gate = new UpgradeGate(this.options, {
      isClosing: () => this.closing !== undefined || this.dead,
      openConnections: () => this.live.size,
      accept: (ws, req, data) => this.accept(ws, req, data),
      report: (err, context) => this.report(err, context),
    }, this.metricsRecorder);

    this.host = 'listen' in source
      ? listenHttp(source.listen.host, source.listen.port, this.options, (err) => this.report(err))
      : attachHttp(source.attach);
    this.unroute = routeUpgrades(this.host.server, this.options.path, (req, socket, head) => this.gate.handle(req, socket, head));

    this.adapterStarting = this.startAdapter();
    this.listening = new Promise<ServerAddress>((resolve, reject) => {
      this.rejectListening = reject;
      Promise.all([this.host.listening, this.adapterStarting]).then(([address]) => resolve(address), (err: Error) => {
        reject(err);
        void this.close(err.message);
      });
    });
    this.listening.catch(() => undefined);
  }

  /** The live connections; a connection leaves the set as soon as it closes, however it closes. */
  get connections(): ReadonlySet<ServerConn<Data>> {
    return this.live;
  }

  /** Whether the server has stopped; `whenDead` has been (or is being) told why. */
  get dead(): boolean {
    return this.deadReason !== undefined;
  }

  /** This server's id among the nodes of its adapter. */
  get nodeId(): string {
    return this.local.nodeId;
  }

  /** A snapshot of the server's counters (see {@link ServerMetrics}); cheap, plain data. */
  get metrics(): ServerMetrics {
    return this.metricsRecorder.snapshot();
  }

  /**
   * Sets the handler called with each accepted connection (seed: `when_new_conn`); chainable. A new
   * call replaces the handler; connections accepted before any handler was set are handed to the
   * first one. A handler that throws or rejects is reported through the `error` event (or
   * `console.error` when nobody listens) and the server lives on.
   */
  whenNewConn(handler: ConnHandler<Data>): this {
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
   * Sends `message` to every connection (on every node, through the adapter): a string as a text
   * frame, bytes as a binary frame, framed once per node. Resolves `null` once written to every local
   * connection and handed to the adapter, or an `Error` (a message that is neither, an adapter
   * failure). Never rejects. Connections over `maxBackpressure` get the backpressure policy.
   */
  broadcast(message: Message | ArrayBuffer, options: BroadcastOptions<Data> = {}): Promise<Error | null> {
    const data = typeof message === 'string' ? message : toBytes(message);
    if (data === undefined) {
      return Promise.resolve(new TypeError(`broadcast() takes a string or bytes, got ${typeof message}; use server.to(...).send(value) for JSON`));
    }
    try {
      const target = new BroadcastTarget(this.publisher, []);
      return (options.except === undefined ? target : target.except(options.except)).publish(data, options.filter);
    } catch (err) {
      return Promise.resolve(err as Error);
    }
  }

  /**
   * The connections in `room` (or in any of `rooms`), on every node: `server.to('lobby').send(obj)`.
   * Chain `.to(other)` for a union and `.except(conn)` to leave some out.
   */
  to(room: string | Iterable<string>): BroadcastTarget<Data> {
    return new BroadcastTarget(this.publisher, []).to(room);
  }

  /** The ids of the connections in `room` on every node (through the adapter). */
  roomMembers(room: string): Promise<ReadonlySet<string>> {
    return this.adapter.members(room);
  }

  /**
   * Stops the server gracefully: stops accepting (upgrades still in `verify` are refused with 503),
   * closes every connection with 1001 (`GoingAway`) and `reason`, waits up to `closeTimeout` (the
   * drain timeout) for their closing handshakes, drops the rest, closes the adapter and an HTTP server
   * corows created (an attached one keeps running), then calls `whenDead` with `reason`. Idempotent:
   * later calls wait for the same shutdown.
   * @param reason @default 'server closed'
   */
  close(reason = 'server closed'): Promise<void> {
    this.closing ??= this.shutDown(String(reason));
    return this.closing;
  }

  private async shutDown(reason: string): Promise<void> {
    this.unroute();
    this.gate.refusePending();
    const stopped = this.host.stop();
    await drainConnections(this.live, reason, this.options.closeTimeout);
    await stopped;
    await this.adapterStarting.catch(() => undefined);
    try {
      if (this.adapterStarted) await this.adapter.close();
    } catch (err) {
      this.report(err, 'adapter.close() failed');
    }
    // whenNewMsg handlers get their closing null after the current task: let them hear it before whenDead.
    await new Promise((resolve) => setImmediate(resolve));
    this.die(reason);
  }

  private startAdapter(): Promise<void> {
    return new Promise<void>((resolve) => resolve(this.adapter.start(this.local))).then(() => {
      this.adapterStarted = true;
    }, (err: unknown) => {
      throw new CorowsError(`the adapter failed to start: ${err instanceof Error ? err.message : String(err)}`, { code: 'ERR_ADAPTER', cause: err });
    });
  }

  /** The one path every accepted connection takes. */
  private accept(ws: WebSocket, req: IncomingMessage, data: Data | undefined): void {
    const conn = new ServerConn<Data>(ws, {
      url: req.url ?? '/',
      headers: this.headerPool.share(req.headers),
      remoteAddress: req.socket.remoteAddress,
      transport: req.socket,
      maxQueue: this.options.maxQueue,
      keepAlive: this.options.keepAlive,
      data,
      server: this.connServer,
    });
    this.live.add(conn);
    this.metricsRecorder.opened();
    if (this.closing !== undefined) {
      void drainConnections([conn], 'server closed', this.options.closeTimeout);
    } else if (this.connHandler === undefined) {
      this.unannounced.push(conn);
    } else {
      this.announce(conn);
    }
  }

  private forget(conn: ServerConn<Data>, code: number): void {
    this.live.delete(conn);
    this.metricsRecorder.closed(code);
    this.rooms.disconnected(conn, conn.leaveAll());
    const waiting = this.unannounced.indexOf(conn);
    if (waiting >= 0 && conn.queuedMessages === 0) this.unannounced.splice(waiting, 1);
  }

  private announce(conn: ServerConn<Data>): void {
    const handler = this.connHandler as ConnHandler<Data>;
    try {
      const result = handler(conn);
      if (isThenable(result)) result.then(undefined, (err: unknown) => this.report(err, 'whenNewConn handler failed'));
    } catch (err) {
      this.report(err, 'whenNewConn handler failed');
    }
  }

  private async publish(packet: BroadcastPacket, filter?: ConnFilter<Data>): Promise<Error | null> {
    if (this.dead) return new CorowsError('cannot broadcast: the server is closed', { code: 'ERR_CLOSED' });
    if (filter !== undefined) {
      this.local.deliver(packet, filter);
      return null;
    }
    try {
      await this.adapter.broadcast(packet);
      return null;
    } catch (err) {
      return new CorowsError(`broadcast failed in the adapter: ${err instanceof Error ? err.message : String(err)}`, { code: 'ERR_ADAPTER', cause: err });
    }
  }

  private die(reason: string): void {
    if (this.deadReason !== undefined) return;
    this.deadReason = reason;
    this.rejectListening?.(new CorowsError(`the server stopped before listening: ${reason}`, { code: 'ERR_CLOSED' }));
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
 * that could never work. `Data` is the type of each connection's `conn.data`.
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
export function createWebsocketServer<Data = Record<string, unknown>>(host: string, port: number, options?: ServerOptions<Data>): WebsocketServer<Data> {
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`createWebsocketServer(): host must be a non-empty string such as "127.0.0.1" or "0.0.0.0", got ${JSON.stringify(host)}`);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`createWebsocketServer(): port must be a whole number from 0 to 65535, got ${String(port)}`);
  }
  return new WebsocketServer<Data>({ listen: { host, port } }, options);
}

/**
 * Serves WebSocket on an HTTP or HTTPS server your application already has (Express, Fastify, Koa, a
 * plain `http.createServer`), sharing its port: plain requests stay the app's, upgrade requests for
 * `options.path` (every path if unset) become connections. Several corows servers can share one HTTP
 * server on different paths. `close()` closes the WebSocket side only. Synchronous and chainable, like
 * {@link createWebsocketServer}; `listening` resolves once the HTTP server listens.
 *
 * @example
 * ```ts
 * const app = express();
 * const http = app.listen(8080);
 * attachWebsocketServer(http, { path: '/chat' }).whenNewConn((conn) => conn.join('lobby'));
 * ```
 */
export function attachWebsocketServer<Data = Record<string, unknown>>(server: Server, options?: ServerOptions<Data>): WebsocketServer<Data> {
  if (typeof (server as Partial<Server> | null)?.on !== 'function' || typeof (server as Partial<Server>).listen !== 'function') {
    throw new TypeError('attachWebsocketServer(): the first argument must be a Node http.Server or https.Server (for Express, the value app.listen() returns)');
  }
  return new WebsocketServer<Data>({ attach: server }, options);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

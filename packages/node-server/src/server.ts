import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { CorowsError, GuardedEmitter, loadKeepAlive, type ConnOptions, type Message } from '@corows/core';
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
import { ServerConn, ServerPolicy } from './server-conn.js';
import { callHandler } from './call-handler.js';
import { DeathNotice, type DeadHandler } from './death-notice.js';
import { drainConnections } from './shutdown.js';
import { SessionDoor } from './session-door.js';
import { describeValue } from '@corows/core/server';
import { TrafficGuard } from './traffic-guard.js';
import type { BroadcastOptions, WebsocketServerEvents } from './server-types.js';

export type { ServerAddress } from './http-host.js';
export type { BroadcastOptions, WebsocketServerEvents } from './server-types.js';

/** A {@link WebsocketServer.whenNewConn} handler: called with each accepted connection; may be async. */
export type ConnHandler<Data> = (conn: ServerConn<Data>) => unknown;

/** Where a {@link WebsocketServer} gets its HTTP server from. */
export type HttpSource = { listen: { host: string; port: number } } | { attach: Server };

/**
 * A WebSocket server on Node (seed: the listener of `create_websocket_server`). Create it with
 * {@link createWebsocketServer} or {@link attachWebsocketServer}; it hands each accepted connection to
 * `whenNewConn` and tells `whenDead` once when it stops. `Data` types each connection's `conn.data`.
 */
export class WebsocketServer<Data = Record<string, unknown>> extends GuardedEmitter<WebsocketServerEvents> {
  private readonly listeningPromise: Promise<ServerAddress>;
  private listeningRead = false;
  /** Why the server could not start (listen, or start its adapter), if that is how it died. */
  private startFailure: Error | undefined;
  private readonly options: ResolvedOptions<Data>;
  private readonly host: HttpHost;
  private readonly metricsRecorder = new MetricsRecorder();
  private readonly live = new Set<ServerConn<Data>>();
  private readonly unannounced: ServerConn<Data>[] = [];
  private readonly adapter: ServerAdapter;
  private readonly rooms: RoomIndex<ServerConn<Data>>;
  private readonly local: LocalDelivery<Data>;
  private readonly gate: UpgradeGate<Data>;
  private readonly sessions: SessionDoor<Data, ServerConn<Data>> | undefined;
  private readonly publisher: Publisher<Data> = { publish: (packet, filter) => this.publish(packet, filter) };
  private readonly connServer: ServerPolicy<ServerConn<Data>>;
  private readonly headerPool = new HeaderPool();
  private readonly unroute: () => void;
  private connHandler: ConnHandler<Data> | undefined;
  private readonly death = new DeathNotice((err, context) => this.report(err, context));
  private closing: Promise<void> | undefined;
  private rejectListening: ((err: Error) => void) | undefined;
  private adapterStarted = false;
  private readonly adapterStarting: Promise<void>;

  /** @internal Use {@link createWebsocketServer} or {@link attachWebsocketServer}. */
  constructor(source: HttpSource, options?: ServerOptions<Data>) {
    super();
    const caller = 'listen' in source ? 'createWebsocketServer()' : 'attachWebsocketServer()';
    this.options = resolveOptions(options, caller);
    if (this.options.keepAlive !== undefined) void loadKeepAlive(); // before the first connection needs it
    this.adapter = this.options.adapter ?? new InProcessAdapter();
    this.rooms = new RoomIndex(this.adapter, (err, context) => this.report(err, context));
    this.connServer = new ServerPolicy<ServerConn<Data>>(new TrafficGuard(this.options, this.metricsRecorder), this.rooms, (conn, code) => this.forget(conn, code));
    this.local = new LocalDelivery(randomUUID(), this.live, this.rooms, (err, context) => this.report(err, context));
    this.sessions = this.options.resume && new SessionDoor(this.options.resume, this.options.handshakeTimeout, { create: (ws, req, data, supervise) => this.accept(ws, req, data, supervise) as ServerConn<Data> });
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
    this.listeningPromise = new Promise<ServerAddress>((resolve, reject) => {
      this.rejectListening = reject;
      Promise.all([this.host.listening, this.adapterStarting]).then(([address]) => resolve(address), (err: Error) => {
        reject(err);
        this.startFailure = err;
        void this.close(err.message);
      });
    });
    this.listeningPromise.catch(() => undefined);
  }

  /**
   * Resolves with the bound address once listening (port 0 picks a free port) and the adapter has
   * started; rejects if the server dies first. An unobserved rejection is never reported as unhandled:
   * `whenDead` hears of it too. A server that cannot start while nobody listens (no `whenDead`
   * handler, and `listening` never read) reports why through the `error` event, or `console.error`
   * when nobody listens to that either, rather than fail silently.
   */
  get listening(): Promise<ServerAddress> {
    this.listeningRead = true;
    return this.listeningPromise;
  }

  /** The live connections; a connection leaves the set as soon as it closes, however it closes. */
  get connections(): ReadonlySet<ServerConn<Data>> {
    return this.live;
  }

  /** Whether the server has stopped; `whenDead` has been (or is being) told why. */
  get dead(): boolean {
    return this.death.reason !== undefined;
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
    if (typeof handler !== 'function') throw new TypeError(`whenNewConn() takes a function, got ${describeValue(handler)}`);
    this.connHandler = handler;
    for (const conn of this.unannounced.splice(0)) {
      if (conn.state === 'OPEN' || conn.queuedMessages > 0) this.announce(conn);
    }
    return this;
  }

  /**
   * Sets the handler called once when the server stops (seed: `when_dead`), with the reason: a listen
   * failure (naming host, port and cause, e.g. `EADDRINUSE`) or the reason given to `close()`. Set
   * after the server died, it is called at once. Chainable; a new call replaces the handler. Without
   * it, and without anyone reading `listening`, a failure to start is reported (see `listening`).
   */
  whenDead(handler: DeadHandler): this {
    if (typeof handler !== 'function') throw new TypeError(`whenDead() takes a function, got ${describeValue(handler)}`);
    this.death.listen(handler);
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

  /** The one path every accepted connection takes (a session's link reads its hello first: see `SessionDoor`). */
  private accept(ws: WebSocket, req: IncomingMessage, data: Data | undefined, supervise?: ConnOptions['supervise']): ServerConn<Data> | undefined {
    if (supervise === undefined && this.sessions?.admit(ws, req, data) === true) return undefined;
    const conn = new ServerConn<Data>(ws, {
      supervise,
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
    return conn;
  }

  private forget(conn: ServerConn<Data>, code: number): void {
    this.live.delete(conn);
    this.metricsRecorder.closed(code);
    this.rooms.disconnected(conn, conn.leaveAll());
    const waiting = this.unannounced.indexOf(conn);
    if (waiting >= 0 && conn.queuedMessages === 0) this.unannounced.splice(waiting, 1);
  }

  private announce(conn: ServerConn<Data>): void {
    callHandler(this.connHandler as ConnHandler<Data>, conn, (err) => this.report(err, 'whenNewConn handler failed'));
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
    if (this.death.reason !== undefined) return;
    this.rejectListening?.(new CorowsError(`the server stopped before listening: ${reason}`, { code: 'ERR_CLOSED' }));
    this.death.die(reason);
    if (!this.death.heard && this.startFailure !== undefined && !this.listeningRead) this.reportUnheard(this.startFailure);
  }

  private reportUnheard(failure: Error): void {
    const code = failure instanceof CorowsError ? failure.code : undefined;
    this.report(new CorowsError(`${failure.message} (nothing handled this: set whenDead() or await server.listening)`, { code, cause: failure }));
  }

  private report(err: unknown, context?: string): void {
    const error = context === undefined && err instanceof Error
      ? err
      : new CorowsError(`${context ?? 'server error'}: ${err instanceof Error ? err.message : String(err)}`, { code: 'ERR_HANDLER', cause: err });
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else console.error('corows:', error);
  }
}

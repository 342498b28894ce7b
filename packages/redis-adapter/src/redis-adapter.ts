import { CorowsError } from '@corows/core';
import type { AdapterHost, BroadcastPacket, ServerAdapter } from '@corows/node-server';
import { decodeWireMessage, encodeHello, encodePacket } from './codec.js';
import { adapterError, RedisUnavailableError, withTimeout } from './errors.js';
import { RedisKeys } from './keys.js';
import { createBus, type PacketBus } from './bus.js';
import { RedisMembership } from './membership.js';
import { resolveRedisAdapterOptions, type RedisAdapterOptions, type ResolvedRedisAdapterOptions } from './options.js';
import { connectClients } from './redis-links.js';
import { Solitude } from './solitude.js';

/**
 * Where a {@link RedisAdapter} stands: `'idle'` (not started), `'connecting'` (the server is starting),
 * `'ready'` (subscribed, membership published), `'reconnecting'` (a connection to Redis dropped; it
 * retries), `'closed'`.
 */
export type RedisAdapterStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** Everything the adapter holds once started. */
interface Started {
  readonly host: AdapterHost;
  readonly bus: PacketBus;
  readonly membership: RedisMembership;
}

/**
 * Scales corows out on Redis: servers (processes, machines) that each have a `RedisAdapter` on the same
 * Redis and prefix act as one application. `server.broadcast(...)` and `server.to(room).send*(...)`
 * reach the matching connections of every node, each node framing the message once; `roomMembers(room)`
 * lists the connections of every node. One adapter serves one server.
 *
 * How: each broadcast is published once on the channel `<prefix>:packets` as a compact MessagePack
 * message (bytes stay bytes), then delivered to this node's connections; every other node, subscribed
 * to it, delivers it to its own. A node alone on the channel skips Redis (the
 * local fast path). Room membership lives in per-node Redis sets that expire `nodeTimeout` ms after the
 * node's last heartbeat (see `keys.ts`).
 *
 * On a **Redis Cluster** (`redis: { cluster: [...] }`, Redis ≥ 7) it uses sharded pub/sub
 * (`SPUBLISH`/`SSUBSCRIBE`), so that each message travels through one shard instead of every shard
 * carrying every message: a message to one room goes on that room's channel, in the room's slot (every
 * name of a room carries the room as its hash tag, so its sets and channel live on one shard), and only
 * the nodes with members in the room subscribe to it; anything else (to all, to several rooms) goes on
 * the sending node's lane, one of 16 channels spread evenly over the slots, to which every node
 * subscribes. A node's messages to one room keep their order, and so do its other broadcasts; between
 * the two there is no order.
 *
 * Failure behaviour:
 * - **Redis unreachable at start**: the server dies after `connectTimeout` with a
 *   {@link RedisUnavailableError} naming the address.
 * - **Redis restarts or the link drops**: nothing crashes; the `error` event reports it once; ioredis
 *   reconnects with backoff, then the adapter subscribes again, rewrites this node's membership (Redis may
 *   have lost it) and says hello; `status` is `'ready'` again. Meanwhile broadcasts reach this node's
 *   connections only and resolve a {@link RedisUnavailableError} saying so, `roomMembers()` rejects
 *   with one, and joins and leaves are kept locally and published on reconnect. Lost for good: what
 *   other nodes broadcast while this node was not subscribed (pub/sub keeps nothing), and packets in
 *   flight when the link dropped. A Redis that stays up keeps no queue for a slow subscriber either:
 *   past its `client-output-buffer-limit pubsub` it drops that subscriber, which then reconnects.
 * - **A cluster shard restarts or fails over**: the `error` event reports it once; meanwhile what goes
 *   through its slots fails as above (broadcasts on its lanes, messages to and members of its rooms)
 *   while the other shards work on; then ioredis subscribes again and the next heartbeat rewrites the
 *   membership the shard lost.
 * - **A node dies** (crash, SIGKILL, lost machine): its connections go with it; the other nodes keep
 *   working. Its members stay in `roomMembers()` until `nodeTimeout` after its last heartbeat, then
 *   expire. A node that closes (`server.close()`) removes its members at once.
 *
 * @example
 * ```ts
 * import { createWebsocketServer } from '@corows/node-server';
 * import { RedisAdapter } from '@corows/redis-adapter';
 *
 * const server = createWebsocketServer('0.0.0.0', 8080, {
 *   adapter: new RedisAdapter({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: 'chat' }),
 * });
 * server.whenNewConn((conn) => {
 *   conn.join('lobby');
 *   conn.whenNewMsg((msg) => msg !== null && server.to('lobby').except(conn).sendMessage(String(msg)));
 * });
 * ```
 */
export class RedisAdapter implements ServerAdapter {
  private readonly options: ResolvedRedisAdapterOptions;
  private readonly keys: RedisKeys;
  private readonly solitude = new Solitude();
  private started: Started | undefined;
  private state: RedisAdapterStatus = 'idle';
  private heartbeat: NodeJS.Timeout | undefined;
  private syncing = false;
  private syncAgain = false;
  private beating = false;
  private lastError: Error | undefined;
  private badMessageReported = false;
  private heartbeatFailing = false;

  /** Checks the options at once (a `TypeError`/`RangeError` names a bad one); connects in `start`. */
  constructor(options?: RedisAdapterOptions) {
    this.options = resolveRedisAdapterOptions(options);
    this.keys = new RedisKeys(this.options.prefix, this.options.clustered);
  }

  /** Where the adapter stands (see {@link RedisAdapterStatus}). */
  get status(): RedisAdapterStatus {
    return this.state;
  }

  /** Whether this node knows it is the only one (broadcasts then skip Redis). */
  get alone(): boolean {
    return this.state === 'ready' && this.solitude.alone;
  }

  async start(host: AdapterHost): Promise<void> {
    if (this.state !== 'idle') {
      throw new CorowsError('this RedisAdapter already serves a server; give each server its own adapter (on the same Redis and prefix)', { code: 'ERR_ADAPTER_IN_USE' });
    }
    this.state = 'connecting';
    const bus = createBus(this.options, this.keys, host.nodeId, (err) => {
      if (this.state === 'ready') host.reportError(err);
    });
    const membership = new RedisMembership(bus.commands, this.keys, host.nodeId, this.options.nodeTimeout, bus.roomChannels);
    const started: Started = { host, bus, membership };
    this.started = started;
    for (const client of bus.clients) {
      client.on('error', (err: Error) => {
        this.lastError = err;
      });
    }
    bus.onMessage((channel, message) => this.receive(started, channel, message));
    try {
      await connectClients(bus.clients, bus.address, this.options.connectTimeout);
      await this.sync(started);
    } catch (err) {
      this.state = 'closed';
      bus.disconnect();
      throw err;
    }
    this.state = 'ready';
    for (const client of bus.clients) {
      client.on('close', () => this.lost(started)).on('ready', () => void this.reconnected(started));
    }
    this.heartbeat = setInterval(() => void this.beat(started), this.options.heartbeatInterval);
    this.heartbeat.unref();
  }

  broadcast(packet: BroadcastPacket): void | Promise<void> {
    const { host, bus } = this.require('broadcast');
    if (this.alone) return void host.deliver(packet);
    // Published first: the other nodes start on it while this one writes to its own connections.
    const published = bus.commands.status === 'ready' ? bus.publish(host.nodeId, packet, encodePacket(host.nodeId, packet)) : undefined;
    const reachedOnly = `the broadcast reached this node's connections only (${host.deliver(packet)})`;
    if (published === undefined) {
      return Promise.reject(this.unavailable(bus, `${reachedOnly}: Redis at ${bus.address} is unreachable; reconnecting`));
    }
    return published.then(() => undefined, (err: Error) => {
      throw this.unavailable(bus, `${reachedOnly}: publishing to Redis at ${bus.address} failed: ${err.message}`, err);
    });
  }

  joined(connId: string, room: string): void | Promise<void> {
    if (this.state === 'closed') return undefined;
    return this.require('joined').membership.joined(connId, room);
  }

  left(connId: string, room: string): void | Promise<void> {
    if (this.state === 'closed') return undefined;
    return this.require('left').membership.left(connId, room);
  }

  disconnected(connId: string, rooms: readonly string[]): void | Promise<void> {
    if (this.state === 'closed') return undefined;
    const { membership } = this.require('disconnected');
    const writes = rooms.map((room) => membership.left(connId, room)).filter((write) => write !== undefined);
    return writes.length === 0 ? undefined : Promise.all(writes).then(() => undefined);
  }

  async members(room: string): Promise<ReadonlySet<string>> {
    const { host, bus, membership } = this.require('members');
    const local = host.localMembers(room);
    if (this.alone) return new Set(local);
    const cannot = `cannot list the members of room ${JSON.stringify(room)} on every node`;
    if (bus.commands.status !== 'ready') throw this.unavailable(bus, `${cannot}: Redis at ${bus.address} is unreachable; reconnecting`);
    return membership.members(room, local).catch((err: Error) => {
      throw this.unavailable(bus, `${cannot}: ${err.message}`, err);
    });
  }

  /**
   * Removes this node's members from Redis (bounded by `connectTimeout`) and closes its connections.
   * If Redis cannot be reached, the members expire on their own within `nodeTimeout`.
   */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.started === undefined) return;
    this.state = 'closed';
    clearInterval(this.heartbeat);
    const { bus, membership } = this.started;
    try {
      if (bus.commands.status === 'ready') await withTimeout(membership.removeAll(), this.options.connectTimeout, 'removing the members');
    } catch (err) {
      throw this.unavailable(bus, `could not remove this node's room members from Redis at ${bus.address} (they expire within nodeTimeout): ${(err as Error).message}`, err);
    } finally {
      bus.disconnect();
    }
  }

  /** After each (re)connection: subscribe, publish all membership, say hello, check solitude. */
  private async sync({ host, bus, membership }: Started): Promise<void> {
    await bus.listen();
    await membership.publishAll();
    await bus.announce(host.nodeId, encodeHello(host.nodeId));
    await this.solitude.check(() => bus.countListeners());
    this.lastError = undefined;
  }

  /** Read through a getter so that TypeScript does not keep a narrowing across awaits. */
  private get closed(): boolean {
    return this.state === 'closed';
  }

  private linksReady({ bus }: Started): boolean {
    return bus.clients.every((client) => client.status === 'ready');
  }

  private lost(started: Started): void {
    if (this.state === 'closed') return;
    this.solitude.unknown();
    if (this.state !== 'ready') return;
    this.state = 'reconnecting';
    const { bus, host } = started;
    const cause = this.lastError === undefined ? '' : ` (${this.lastError.message})`;
    host.reportError(this.unavailable(bus, `lost the connection to Redis at ${bus.address}${cause}; reconnecting. Until then broadcasts reach this node's connections only and roomMembers() fails`, this.lastError));
  }

  /** A connection is ready again: once both are, sync (again, if it changed meanwhile). */
  private async reconnected(started: Started): Promise<void> {
    if (this.state !== 'reconnecting' || !this.linksReady(started)) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.syncAgain = false;
        try {
          await this.sync(started);
          if (this.state === 'reconnecting' && this.linksReady(started)) this.state = 'ready';
        } catch (err) {
          if (this.linksReady(started) && !this.closed) started.host.reportError(adapterError(err, 're-syncing with Redis failed'));
        }
      } while (this.syncAgain && this.state === 'reconnecting');
    } finally {
      this.syncing = false;
    }
  }

  private async beat(started: Started): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      if (this.state === 'reconnecting') await this.reconnected(started);
      if (this.state !== 'ready') return;
      await started.membership.refresh();
      await this.solitude.check(() => started.bus.countListeners());
      this.heartbeatFailing = false;
    } catch (err) {
      // Reported once until a heartbeat succeeds; not at all while the bus has reported a shard down.
      if (this.state === 'ready' && this.linksReady(started) && started.bus.whole && !this.heartbeatFailing) {
        started.host.reportError(adapterError(err, 'the Redis heartbeat failed'));
      }
      this.heartbeatFailing = true;
    } finally {
      this.beating = false;
    }
  }

  private receive({ host }: Started, channel: string, message: Buffer): void {
    let decoded;
    try {
      decoded = decodeWireMessage(message);
    } catch (err) {
      if (!this.badMessageReported) {
        this.badMessageReported = true;
        host.reportError(new CorowsError(`ignored a message on the Redis channel ${channel} that corows cannot read (${(err as Error).message}); if another program publishes there, give this application its own prefix (reported once)`, { code: 'ERR_BAD_PACKET', cause: err }));
      }
      return;
    }
    if (decoded.nodeId === host.nodeId) return;
    this.solitude.heard();
    if (decoded.kind === 'packet') host.deliver(decoded.packet);
  }

  private require(method: string): Started {
    if (this.started === undefined) {
      throw new CorowsError(`RedisAdapter.${method}() before start(): pass the adapter to createWebsocketServer(host, port, { adapter })`, { code: 'ERR_NOT_STARTED' });
    }
    return this.started;
  }

  private unavailable(bus: PacketBus, message: string, cause?: unknown): RedisUnavailableError {
    return new RedisUnavailableError(bus.address, message, cause);
  }
}

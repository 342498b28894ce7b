import type { ChainableCommander } from 'ioredis';
import type { RedisKeys } from './keys.js';
import type { RedisCommands, RoomChannels } from './bus.js';

/** Removes `nodeId` from a room's node set if its member set is gone (expired), atomically. */
const FORGET_NODE_IF_GONE = "if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('SREM', KEYS[1], ARGV[1]) end return 0";

/** The replies of one batch of commands, as ioredis gives them: `[error, result]` per command. */
type Replies = Array<[Error | null, unknown]>;

/**
 * This node's room membership, kept here (the truth, for re-publishing) and mirrored in Redis, where
 * every node can read it. Each of this node's sets in Redis expires `ttl` ms after its last refresh,
 * so the members of a node that died without closing disappear on their own.
 *
 * Writes go out on the command connection in call order. While Redis is unreachable they are skipped
 * (the local state still changes); {@link RedisMembership.publishAll} rewrites everything on reconnect.
 *
 * On a Redis Cluster (`roomChannels` given) a room's sets live in its slot, so batches that span rooms
 * are sent room by room; and the node subscribes to a room's channel when the room gets its first
 * local member. The room's writes wait for that subscription, so a member that other nodes see in
 * `roomMembers()` already receives the room's messages. Rooms left empty are unsubscribed at the next
 * {@link RedisMembership.refresh}; subscriptions that failed (a shard down) are tried again there.
 */
export class RedisMembership {
  private readonly rooms = new Map<string, Set<string>>();
  /** Rooms this node left entirely while Redis was unreachable: their sets must go on reconnect. */
  private readonly leftWhileDown = new Set<string>();
  /** On a cluster: per subscribed room, the subscription every write of the room waits for. */
  private readonly subscriptions = new Map<string, { ready: Promise<void>; failed: boolean }>();
  /** On a cluster: rooms whose last write failed (their shard was down): rewritten at the next refresh. */
  private readonly stale = new Set<string>();

  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly ttl: number,
    private readonly roomChannels?: RoomChannels,
  ) {}

  joined(connId: string, room: string): Promise<void> | undefined {
    let members = this.rooms.get(room);
    if (members === undefined) this.rooms.set(room, (members = new Set()));
    members.add(connId);
    this.leftWhileDown.delete(room);
    this.subscribe(room);
    if (!this.online) return undefined;
    const key = this.keys.nodeMembers(this.nodeId, room);
    return this.settle(room, this.afterSubscribing(room, () => this.withRoomIndex(this.redis.multi().sadd(key, connId).pexpire(key, this.ttl), room).exec()));
  }

  left(connId: string, room: string): Promise<void> | undefined {
    const members = this.rooms.get(room);
    if (members === undefined || !members.delete(connId)) return undefined;
    const emptied = members.size === 0;
    const forgetLater = (): void => {
      if (emptied && !this.rooms.has(room)) this.leftWhileDown.add(room);
    };
    if (emptied) this.rooms.delete(room);
    if (!this.online) {
      forgetLater();
      return undefined;
    }
    return this.settle(room, this.afterSubscribing(room, () => this.redis.srem(this.keys.nodeMembers(this.nodeId, room), connId)), forgetLater);
  }

  /**
   * Rewrites all of this node's membership (after a (re)connection: Redis may have lost or kept stale
   * sets); on a cluster, first subscribes again where subscribing failed meanwhile.
   */
  async publishAll(): Promise<void> {
    const writes: Array<Promise<unknown>> = [this.tidySubscriptions()];
    for (const room of this.leftWhileDown) writes.push(this.redis.del(this.keys.nodeMembers(this.nodeId, room)));
    this.leftWhileDown.clear();
    for (const room of this.rooms.keys()) writes.push(this.afterSubscribing(room, () => this.writeRoom(room)));
    await Promise.all(writes);
  }

  /**
   * The heartbeat: pushes back the expiry of this node's sets; a set that expired meanwhile (this
   * process was stalled longer than `ttl`, or the shard that held it restarted empty) or whose last
   * write failed is written again. On a cluster it also drops the subscriptions of rooms left empty and
   * retries failed ones. Rejects with the first failure once every room has been tried.
   */
  async refresh(): Promise<void> {
    const unsubscribing = this.tidySubscriptions();
    for (const room of this.stale) if (!this.rooms.has(room)) this.stale.delete(room);
    const rooms = [...this.rooms.keys()];
    const replies = await this.perRoom(rooms, (batch, room) => this.withRoomIndex(batch.pexpire(this.keys.nodeMembers(this.nodeId, room), this.ttl), room));
    const failures = replies.flat().map(([err]) => err).filter((err) => err !== null);
    const lost = rooms.filter((room, i) => (replies[i]?.[0]?.[1] === 0 || this.stale.has(room)) && this.rooms.has(room));
    const gone = [...this.leftWhileDown].filter((room) => !this.rooms.has(room));
    const repairs = await Promise.allSettled([
      ...lost.map((room) => this.afterSubscribing(room, () => this.writeRoom(room)).then(() => this.stale.delete(room))),
      ...gone.map((room) => this.redis.del(this.keys.nodeMembers(this.nodeId, room)).then(() => this.leftWhileDown.delete(room))),
      unsubscribing,
    ]);
    for (const repair of repairs) if (repair.status === 'rejected') failures.push(repair.reason as Error);
    if (failures.length > 0) throw failures[0] as Error;
  }

  /** Removes all of this node's sets (on close). */
  async removeAll(): Promise<void> {
    const rooms = [...this.rooms.keys(), ...this.leftWhileDown];
    this.rooms.clear();
    this.leftWhileDown.clear();
    this.subscriptions.clear();
    this.stale.clear();
    await this.perRoom(rooms, (batch, room) => batch.del(this.keys.nodeMembers(this.nodeId, room)).srem(this.keys.roomNodes(room), this.nodeId));
  }

  /**
   * The connection ids in `room` on every node: `local` (this node's, from the server) and the sets of
   * the other nodes listed in Redis. Nodes whose set has expired are dropped from the room's node set.
   */
  async members(room: string, local: ReadonlySet<string>): Promise<ReadonlySet<string>> {
    const ids = new Set(local);
    const roomNodes = this.keys.roomNodes(room);
    const others = (await this.redis.smembers(roomNodes)).filter((node) => node !== this.nodeId);
    if (others.length === 0) return ids;
    const pipeline = this.redis.pipeline();
    for (const node of others) pipeline.smembers(this.keys.nodeMembers(node, room));
    const results = (await pipeline.exec()) ?? [];
    for (const [i, [err, members]] of results.entries()) {
      if (err !== null) throw err;
      const list = members as string[];
      for (const id of list) ids.add(id);
      if (list.length === 0) {
        const gone = this.keys.nodeMembers(others[i] as string, room);
        this.redis.eval(FORGET_NODE_IF_GONE, 2, roomNodes, gone, others[i] as string).catch(() => undefined);
      }
    }
    return ids;
  }

  private get online(): boolean {
    return this.redis.status === 'ready';
  }

  private writeRoom(room: string): Promise<unknown> {
    const key = this.keys.nodeMembers(this.nodeId, room);
    const members = [...(this.rooms.get(room) ?? [])];
    const transaction = this.redis.multi().del(key);
    if (members.length > 0) transaction.sadd(key, ...members).pexpire(key, this.ttl);
    return this.withRoomIndex(transaction, room).exec();
  }

  /** Adds this node to `room`'s node set and pushes back that set's expiry (two commands). */
  private withRoomIndex(batch: ChainableCommander, room: string): ChainableCommander {
    const key = this.keys.roomNodes(room);
    return batch.sadd(key, this.nodeId).pexpire(key, this.ttl);
  }

  /**
   * Sends the commands `add` puts in a batch for each room and returns each room's replies: one
   * pipeline for all on a single Redis, one per room on a cluster (a pipeline must stay in one slot).
   */
  private async perRoom(rooms: readonly string[], add: (batch: ChainableCommander, room: string) => ChainableCommander): Promise<Replies[]> {
    if (rooms.length === 0) return [];
    if (this.roomChannels !== undefined) {
      return Promise.all(rooms.map((room) => add(this.redis.pipeline(), room).exec().then(
        (replies) => (replies ?? []) as Replies,
        (err: Error): Replies => [[err, null]],
      )));
    }
    const pipeline = this.redis.pipeline();
    const sizes = rooms.map((room) => {
      const before = pipeline.length;
      add(pipeline, room);
      return pipeline.length - before;
    });
    const replies = ((await pipeline.exec()) ?? []) as Replies;
    let at = 0;
    return sizes.map((size) => replies.slice(at, (at += size)));
  }

  /** On a cluster: subscribes to `room`'s channel unless this node already did (or is doing it). */
  private subscribe(room: string): void {
    if (this.roomChannels === undefined || this.subscriptions.has(room)) return;
    const subscription = { ready: Promise.resolve(), failed: false };
    subscription.ready = this.roomChannels.subscribe(room).catch(() => {
      subscription.failed = true;
    });
    this.subscriptions.set(room, subscription);
  }

  /** Runs `write` once `room`'s subscription is in place (or has failed), after the room's earlier writes. */
  private afterSubscribing<T>(room: string, write: () => Promise<T>): Promise<T> {
    const subscription = this.subscriptions.get(room);
    return subscription === undefined ? write() : subscription.ready.then(write);
  }

  /** Unsubscribes from rooms left empty; subscribes again where subscribing failed. */
  private tidySubscriptions(): Promise<unknown> {
    if (this.roomChannels === undefined) return Promise.resolve();
    const leaving: Array<Promise<void>> = [];
    for (const [room, subscription] of this.subscriptions) {
      if (!this.rooms.has(room)) {
        this.subscriptions.delete(room);
        leaving.push(this.roomChannels.unsubscribe(room));
      } else if (subscription.failed) {
        this.subscriptions.delete(room);
        this.subscribe(room);
      }
    }
    return Promise.all(leaving);
  }

  /**
   * A write that fails because the connection dropped is not an error: the reconnection rewrites all
   * (and removes, through `lost`, what this write was to remove). On a cluster, where one shard can be
   * down while the others work, the next refresh rewrites the room instead (its shard's loss is
   * reported once, by the bus).
   */
  private settle(room: string, write: Promise<unknown>, lost?: () => void): Promise<void> {
    return write.then(() => undefined, (err: unknown) => {
      if (this.roomChannels !== undefined) this.stale.add(room);
      else if (this.online) throw err;
      lost?.();
    });
  }
}

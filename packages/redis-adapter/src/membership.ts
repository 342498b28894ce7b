import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';

/** Removes `nodeId` from a room's node set if its member set is gone (expired), atomically. */
const FORGET_NODE_IF_GONE = "if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('SREM', KEYS[1], ARGV[1]) end return 0";

/**
 * This node's room membership, kept here (the truth, for re-publishing) and mirrored in Redis, where
 * every node can read it. Each of this node's sets in Redis expires `ttl` ms after its last refresh,
 * so the members of a node that died without closing disappear on their own.
 *
 * Writes go out on the command connection in call order. While Redis is unreachable they are skipped
 * (the local state still changes); {@link RedisMembership.publishAll} rewrites everything on reconnect.
 */
export class RedisMembership {
  private readonly rooms = new Map<string, Set<string>>();
  /** Rooms this node left entirely while Redis was unreachable: their sets must go on reconnect. */
  private readonly leftWhileDown = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly ttl: number,
  ) {}

  joined(connId: string, room: string): Promise<void> | undefined {
    let members = this.rooms.get(room);
    if (members === undefined) this.rooms.set(room, (members = new Set()));
    members.add(connId);
    this.leftWhileDown.delete(room);
    if (!this.online) return undefined;
    const key = this.keys.nodeMembers(this.nodeId, room);
    return this.settle(this.withRoomIndex(this.redis.multi().sadd(key, connId).pexpire(key, this.ttl), room).exec());
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
    return this.settle(this.redis.srem(this.keys.nodeMembers(this.nodeId, room), connId), forgetLater);
  }

  /** Rewrites all of this node's membership (after a (re)connection: Redis may have lost or kept stale sets). */
  async publishAll(): Promise<void> {
    const writes: Array<Promise<unknown>> = [];
    for (const room of this.leftWhileDown) writes.push(this.redis.del(this.keys.nodeMembers(this.nodeId, room)));
    this.leftWhileDown.clear();
    for (const room of this.rooms.keys()) writes.push(this.writeRoom(room));
    await Promise.all(writes);
  }

  /**
   * The heartbeat: pushes back the expiry of this node's sets; a set that expired meanwhile (this
   * process was stalled longer than `ttl`) is written again.
   */
  async refresh(): Promise<void> {
    if (this.rooms.size === 0) return;
    const rooms = [...this.rooms.keys()];
    const pipeline = this.redis.pipeline();
    for (const room of rooms) this.withRoomIndex(pipeline.pexpire(this.keys.nodeMembers(this.nodeId, room), this.ttl), room);
    const results = (await pipeline.exec()) ?? [];
    const lost = rooms.filter((_, i) => results[i * 3]?.[1] === 0);
    await Promise.all(lost.filter((room) => this.rooms.has(room)).map((room) => this.writeRoom(room)));
  }

  /** Removes all of this node's sets (on close). */
  async removeAll(): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const room of [...this.rooms.keys(), ...this.leftWhileDown]) {
      pipeline.del(this.keys.nodeMembers(this.nodeId, room)).srem(this.keys.roomNodes(room), this.nodeId);
    }
    this.rooms.clear();
    this.leftWhileDown.clear();
    await pipeline.exec();
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

  /** Adds this node to `room`'s node set and pushes back that set's expiry (three commands). */
  private withRoomIndex<T extends ReturnType<Redis['pipeline']>>(batch: T, room: string): T {
    const key = this.keys.roomNodes(room);
    batch.sadd(key, this.nodeId).pexpire(key, this.ttl);
    return batch;
  }

  /**
   * A write that fails because the connection dropped is not an error: the reconnection rewrites all
   * (and removes, through `lost`, what this write was to remove).
   */
  private settle(write: Promise<unknown>, lost?: () => void): Promise<void> {
    return write.then(() => undefined, (err: unknown) => {
      if (this.online) throw err;
      lost?.();
    });
  }
}

import { Cluster, type ClusterNode, type ClusterOptions, type Redis } from 'ioredis';
import type { BroadcastPacket } from '@corows/node-server';
import type { PacketBus, RoomChannels } from './bus.js';
import { RedisUnavailableError } from './errors.js';
import type { RedisKeys } from './keys.js';
import type { RedisClusterConfig } from './options.js';
import { isClusterClient, LINK_OPTIONS } from './redis-links.js';

/**
 * What the adapter needs of a cluster client, on top of the users' options: sharded subscribers (one
 * subscriber connection per master, re-created and re-subscribed by ioredis when a shard restarts or
 * the slots move), no offline queue, and on each node connection the same no-retry rules as on a
 * single Redis (see `LINK_OPTIONS`).
 */
const CLUSTER_OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false,
  shardedSubscribers: true,
} satisfies ClusterOptions;

/**
 * The bus on a Redis Cluster (Redis ≥ 7), on sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`), so that each
 * message travels through one shard instead of every shard carrying every message as classic pub/sub
 * does on a cluster:
 * - a message to one room goes to that room's channel, in the room's slot (with its sets), and only
 *   the nodes with members in the room subscribe to it;
 * - anything else (to all, to several rooms, hellos) goes to the sending node's lane, one of
 *   {@link RedisKeys.lanes} spread over the slots; every node subscribes to every lane. One node's
 *   broadcasts share a lane, so they keep their order; the lanes of many nodes spread over the shards.
 *
 * One ioredis `Cluster` client serves commands and subscriptions. A shard that goes down is reported
 * once (`report`); what goes through its slots fails meanwhile, the other shards keep working; when it
 * is back, ioredis subscribes again and the membership heartbeat rewrites what it lost.
 */
export class ClusterBus implements PacketBus {
  readonly address: string;
  readonly commands: Cluster;
  readonly clients: readonly Cluster[];
  readonly roomChannels: RoomChannels;
  /** Shards (`host:port` of their master) reported down and not heard from since. */
  private readonly down = new Set<string>();
  private lanesSubscribed = false;

  constructor(config: RedisClusterConfig | Cluster, private readonly keys: RedisKeys, nodeId: string, commandTimeout: number, report: (err: Error) => void) {
    const given: ClusterOptions = config.options ?? {};
    const options: ClusterOptions = {
      ...given,
      ...CLUSTER_OPTIONS,
      redisOptions: {
        ...given.redisOptions,
        disconnectTimeout: LINK_OPTIONS.disconnectTimeout,
        maxRetriesPerRequest: LINK_OPTIONS.maxRetriesPerRequest,
        autoResendUnfulfilledCommands: LINK_OPTIONS.autoResendUnfulfilledCommands,
        commandTimeout: given.redisOptions?.commandTimeout ?? commandTimeout,
        connectionName: `corows:${nodeId}`,
      },
    };
    const cluster = isClusterClient(config) ? config.duplicate([], options) : new Cluster(config.cluster as ClusterNode[], options);
    this.commands = cluster;
    this.clients = [cluster];
    this.address = isClusterClient(config) ? 'a Redis Cluster (the ioredis client passed in)' : `${describeNodes(config.cluster)} (cluster)`;
    this.roomChannels = {
      subscribe: async (room) => {
        await cluster.ssubscribe(keys.roomChannel(room));
      },
      unsubscribe: async (room) => {
        await cluster.sunsubscribe(keys.roomChannel(room));
      },
    };
    const lost = (err: Error, node: string): void => {
      if (cluster.status !== 'ready' || this.down.has(node)) return;
      this.down.add(node);
      report(new RedisUnavailableError(node, `lost the connection to the Redis Cluster node at ${node} (${err.message}); until it is back, what goes through its slots fails (broadcasts on its lanes, messages to and roomMembers() of its rooms); the other shards work on`, err));
    };
    cluster.on('node error', lost).on('nodeError', lost);
  }

  get whole(): boolean {
    return this.down.size === 0;
  }

  onMessage(listener: (channel: string, message: Buffer) => void): void {
    this.commands.on('smessageBuffer', (channel: Buffer, message: Buffer) => listener(channel.toString(), message));
  }

  /** Subscribes to every lane once: after a reconnection ioredis subscribes again to the channels it knew. */
  async listen(): Promise<void> {
    if (this.lanesSubscribed) return;
    await Promise.all(this.keys.lanes.map((lane) => this.commands.ssubscribe(lane)));
    this.lanesSubscribed = true;
  }

  publish(nodeId: string, packet: BroadcastPacket, message: Buffer): Promise<unknown> {
    const [room] = packet.rooms;
    const channel = packet.rooms.length === 1 && room !== undefined ? this.keys.roomChannel(room) : this.keys.laneOf(nodeId);
    return this.commands.spublish(channel, message);
  }

  announce(nodeId: string, message: Buffer): Promise<unknown> {
    return this.commands.spublish(this.keys.laneOf(nodeId), message);
  }

  /**
   * Counts the subscribers of the first lane (every node subscribes to every lane). Only the shard that
   * serves a channel counts its subscribers, so this asks every master; a master that answers is no
   * longer down. Rejects if one could not answer: the count would be too low to trust.
   */
  async countListeners(): Promise<number> {
    const lane = this.keys.lanes[0] as string;
    const owners = new Set(this.commands.slots.map((nodes) => nodes?.[0]).filter((node) => node !== undefined));
    const connections = new Map(this.commands.nodes('master').map((node) => [nodeKey(node), node]));
    for (const node of this.down) if (!owners.has(node)) this.down.delete(node);
    let count = 0;
    let failure: unknown;
    await Promise.all([...owners].map(async (owner) => {
      try {
        const connection = connections.get(owner);
        if (connection === undefined) throw new Error(`no connection to the Redis Cluster node at ${owner}`);
        const reply = (await connection.pubsub('SHARDNUMSUB', lane)) as unknown[];
        count += Number(reply[1]);
        this.down.delete(owner);
      } catch (err) {
        failure ??= err;
      }
    }));
    if (failure !== undefined) throw failure;
    return count;
  }

  disconnect(): void {
    this.commands.disconnect();
  }
}

function nodeKey(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}

/** The startup nodes as `host:port,…`, for messages; never a password. */
function describeNodes(nodes: RedisClusterConfig['cluster']): string {
  return nodes.map((node) => {
    if (typeof node === 'number') return `127.0.0.1:${node}`;
    if (typeof node === 'string') {
      try {
        const url = new URL(node.includes('://') ? node : `redis://${node}`);
        return `${url.hostname}:${url.port || 6379}`;
      } catch {
        return '(a node address that is not a URL)';
      }
    }
    return `${node.host ?? '127.0.0.1'}:${node.port ?? 6379}`;
  }).join(',');
}

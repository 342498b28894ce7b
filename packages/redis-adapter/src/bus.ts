import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { BroadcastPacket } from '@corows/node-server';
import { ClusterBus } from './cluster-bus.js';
import type { RedisKeys } from './keys.js';
import type { RedisClusterConfig, ResolvedRedisAdapterOptions } from './options.js';
import { createStandaloneBus } from './standalone-bus.js';

/** A client the adapter sends commands on: a single Redis (or Sentinel) or a Redis Cluster. */
export type RedisCommands = Redis | Cluster;

/** On a Redis Cluster: subscribing to the channel of one room (see `RedisKeys.roomChannel`). */
export interface RoomChannels {
  /** Resolves once this node receives the room's messages. */
  subscribe(room: string): Promise<void>;
  unsubscribe(room: string): Promise<void>;
}

/**
 * How packets travel between the nodes: a single Redis's pub/sub channel (`standalone-bus.ts`) or a
 * Redis Cluster's sharded channels (`cluster-bus.ts`). The adapter decides what to send; the bus
 * decides where it goes.
 */
export interface PacketBus {
  /** Where Redis is, for messages: `host:port`, a socket path, a sentinel group or cluster nodes; never a password. */
  readonly address: string;
  /** The client for commands (membership). Commands fail at once while it is down (no offline queue). */
  readonly commands: RedisCommands;
  /** Every distinct client: the adapter watches their `close` and `ready` to know it lost or regained Redis. */
  readonly clients: readonly RedisCommands[];
  /** On a cluster, the per-room channels; on a single Redis every node hears every room on one channel. */
  readonly roomChannels: RoomChannels | undefined;
  /** False while the bus knows a part of Redis (a cluster shard) is down; it has reported that already. */
  readonly whole: boolean;
  /** Calls `listener` with each message another node (or this one) published, and its channel. */
  onMessage(listener: (channel: string, message: Buffer) => void): void;
  /** Subscribes to the channels every node listens to; called after each (re)connection. */
  listen(): Promise<void>;
  /** Publishes `message`, the encoding of `packet` from `nodeId`, where the nodes that need it listen. */
  publish(nodeId: string, packet: BroadcastPacket, message: Buffer): Promise<unknown>;
  /** Publishes `message` (a hello from `nodeId`) where every node listens. */
  announce(nodeId: string, message: Buffer): Promise<unknown>;
  /** How many nodes listen (this one included): the local fast path needs it to be 1. */
  countListeners(): Promise<number>;
  /** Closes every connection at once (pending commands fail); safe to call in any state. */
  disconnect(): void;
}

/**
 * The bus for `options.redis` (not connected yet: see `connectClients`). `report` gets the problems
 * the adapter cannot see itself: a cluster shard that went down while the others work.
 */
export function createBus(options: ResolvedRedisAdapterOptions, keys: RedisKeys, nodeId: string, report: (err: Error) => void): PacketBus {
  const { redis, connectTimeout } = options;
  if (options.clustered) return new ClusterBus(redis as Cluster | RedisClusterConfig, keys, nodeId, connectTimeout, report);
  return createStandaloneBus(redis as string | RedisOptions | Redis, keys, nodeId, connectTimeout);
}

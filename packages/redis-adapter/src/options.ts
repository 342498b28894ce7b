import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { isClusterClient, isRedisClient } from './redis-links.js';

/** Default {@link RedisAdapterOptions.redis}: a Redis on this machine, on its default port. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Default {@link RedisAdapterOptions.prefix} of every key and channel the adapter uses. */
export const DEFAULT_PREFIX = 'corows';

/** Default {@link RedisAdapterOptions.heartbeatInterval}, in milliseconds. */
export const DEFAULT_HEARTBEAT_INTERVAL = 5_000;

/** Default {@link RedisAdapterOptions.nodeTimeout}, in milliseconds. */
export const DEFAULT_NODE_TIMEOUT = 15_000;

/** Default {@link RedisAdapterOptions.connectTimeout}, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/**
 * Where a Redis Cluster is (Redis ≥ 7: the adapter uses sharded pub/sub), for
 * {@link RedisAdapterOptions.redis}: `{ cluster: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'] }`.
 */
export interface RedisClusterConfig {
  /**
   * Some of its nodes (`redis://host:port` URLs, `{ host, port }` or ports on 127.0.0.1); ioredis
   * discovers the others.
   */
  cluster: readonly ClusterNode[];
  /**
   * ioredis `Cluster` options: `redisOptions` (password, tls…) for every node, `natMap`, `scaleReads`…
   * The adapter sets `shardedSubscribers`, `enableOfflineQueue` and `lazyConnect` itself.
   */
  options?: ClusterOptions;
}

/** Options of a {@link RedisAdapter}. */
export interface RedisAdapterOptions {
  /**
   * Where Redis is: a `redis://` or `rediss://` URL, ioredis options (host, port, password, tls,
   * sentinels…), or an ioredis client, which is copied with `duplicate()` and left alone. The adapter
   * opens two connections: one for commands and publishing, one subscribed to the packet channel.
   *
   * A Redis Cluster: `{ cluster: [...some nodes], options?: ClusterOptions }` or an ioredis `Cluster`
   * client (copied with `duplicate()`). The adapter then uses sharded pub/sub (Redis ≥ 7) and
   * room-tagged keys: see the package's README, "Redis Cluster".
   * @default 'redis://127.0.0.1:6379'
   */
  redis?: string | RedisOptions | Redis | Cluster | RedisClusterConfig;
  /**
   * Namespace of every key and of the channel: servers with the same prefix on the same Redis are one
   * application. Give each application (or environment) sharing a Redis its own.
   * @default 'corows'
   */
  prefix?: string;
  /**
   * How often, in milliseconds, this node refreshes the expiry of its room members in Redis and
   * checks whether it is alone (the local fast path).
   * @default 5000
   */
  heartbeatInterval?: number;
  /**
   * How long, in milliseconds, the room members of a node that stopped without closing (a crash, a
   * SIGKILL, a lost machine) stay in `roomMembers()`: they expire this long after its last heartbeat.
   * Must be more than `heartbeatInterval` (three times it is a good choice).
   * @default 15000
   */
  nodeTimeout?: number;
  /**
   * How long, in milliseconds, the server's start waits for Redis (retrying meanwhile) before it gives
   * up and the server dies with a `RedisUnavailableError`. Also bounds `close()`'s clean-up in Redis and,
   * unless the ioredis options set `commandTimeout`, how long any command (a `PUBLISH`) waits for a
   * Redis that stopped answering.
   * @default 10000
   */
  connectTimeout?: number;
}

/** {@link RedisAdapterOptions} with the defaults filled in. */
export interface ResolvedRedisAdapterOptions {
  redis: string | RedisOptions | Redis | Cluster | RedisClusterConfig;
  /** Whether `redis` is a cluster. */
  clustered: boolean;
  prefix: string;
  heartbeatInterval: number;
  nodeTimeout: number;
  connectTimeout: number;
}

/** Checks `options` and fills in the defaults; throws a `TypeError`/`RangeError` naming the bad option. */
export function resolveRedisAdapterOptions(options: RedisAdapterOptions = {}): ResolvedRedisAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`new RedisAdapter(options): options must be an object such as { redis: 'redis://127.0.0.1:6379' }, got ${String(options)}`);
  }
  const redis = options.redis ?? DEFAULT_REDIS_URL;
  if (typeof redis !== 'string' && (typeof redis !== 'object' || redis === null)) {
    throw new TypeError(`new RedisAdapter(): redis must be a redis:// URL, ioredis options or an ioredis client, got ${String(redis)}`);
  }
  const clustered = typeof redis === 'object' && (isClusterClient(redis) || (!isRedisClient(redis) && 'cluster' in redis));
  if (clustered && !isClusterClient(redis) && (!Array.isArray(redis.cluster) || redis.cluster.length === 0)) {
    throw new TypeError(`new RedisAdapter(): redis.cluster must list at least one node of the cluster, such as ['redis://127.0.0.1:7000'], got ${JSON.stringify(redis.cluster)}`);
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || prefix === '') {
    throw new TypeError(`new RedisAdapter(): prefix must be a non-empty string such as 'myapp', got ${JSON.stringify(prefix)}`);
  }
  if (clustered && /[{}]/.test(prefix)) {
    throw new TypeError(`new RedisAdapter(): on a Redis Cluster the prefix must not contain { or } (the adapter puts each room in its own hash tag; a tag in the prefix would put everything on one shard), got ${JSON.stringify(prefix)}`);
  }
  const heartbeatInterval = wholeNumber(options.heartbeatInterval, DEFAULT_HEARTBEAT_INTERVAL, 'heartbeatInterval');
  const nodeTimeout = wholeNumber(options.nodeTimeout, Math.max(DEFAULT_NODE_TIMEOUT, heartbeatInterval * 3), 'nodeTimeout');
  if (nodeTimeout <= heartbeatInterval) {
    throw new RangeError(`new RedisAdapter(): nodeTimeout (${nodeTimeout} ms) must be more than heartbeatInterval (${heartbeatInterval} ms), or live nodes would expire between heartbeats; three times it is a good choice`);
  }
  const connectTimeout = wholeNumber(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 'connectTimeout');
  return { redis, clustered, prefix, heartbeatInterval, nodeTimeout, connectTimeout };
}

function wholeNumber(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`new RedisAdapter(): ${name} must be a whole number of milliseconds of at least 1, got ${String(value)}`);
  }
  return value;
}

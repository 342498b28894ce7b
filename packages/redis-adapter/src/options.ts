import type { Redis, RedisOptions } from 'ioredis';

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

/** Options of a {@link RedisAdapter}. */
export interface RedisAdapterOptions {
  /**
   * Where Redis is: a `redis://` or `rediss://` URL, ioredis options (host, port, password, tls,
   * sentinels…), or an ioredis client, which is copied with `duplicate()` and left alone. The adapter
   * opens two connections: one for commands and publishing, one subscribed to the packet channel.
   * @default 'redis://127.0.0.1:6379'
   */
  redis?: string | RedisOptions | Redis;
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
  redis: string | RedisOptions | Redis;
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
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || prefix === '') {
    throw new TypeError(`new RedisAdapter(): prefix must be a non-empty string such as 'myapp', got ${JSON.stringify(prefix)}`);
  }
  const heartbeatInterval = wholeNumber(options.heartbeatInterval, DEFAULT_HEARTBEAT_INTERVAL, 'heartbeatInterval');
  const nodeTimeout = wholeNumber(options.nodeTimeout, Math.max(DEFAULT_NODE_TIMEOUT, heartbeatInterval * 3), 'nodeTimeout');
  if (nodeTimeout <= heartbeatInterval) {
    throw new RangeError(`new RedisAdapter(): nodeTimeout (${nodeTimeout} ms) must be more than heartbeatInterval (${heartbeatInterval} ms), or live nodes would expire between heartbeats; three times it is a good choice`);
  }
  const connectTimeout = wholeNumber(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 'connectTimeout');
  return { redis, prefix, heartbeatInterval, nodeTimeout, connectTimeout };
}

function wholeNumber(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`new RedisAdapter(): ${name} must be a whole number of milliseconds of at least 1, got ${String(value)}`);
  }
  return value;
}

import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisCommands } from './bus.js';
import { RedisUnavailableError } from './errors.js';

/**
 * What the adapter needs of each connection, whatever the user passed: commands fail at once while
 * Redis is unreachable, and commands in flight when a connection drops fail at once too (no offline
 * queue, no retries, no resending: a broadcast must say it did not get through, not arrive minutes
 * later); the adapter subscribes again itself after a reconnection. It disconnects only once its last
 * command has been answered, so it does not need ioredis's 2 s grace before a socket is destroyed (which
 * would keep a process that closed its server alive for 2 s).
 */
export const LINK_OPTIONS = {
  disconnectTimeout: 100,
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
} satisfies RedisOptions;

/**
 * Connects `clients` and resolves once all are ready. ioredis retries meanwhile; after `timeout` ms
 * (or when its retry strategy gives up) this rejects with a {@link RedisUnavailableError} naming
 * `address` and the last connection error. On failure the caller must disconnect them.
 */
export function connectClients(clients: readonly RedisCommands[], address: string, timeout: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const cleanUps: Array<() => void> = [];
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      for (const cleanUp of cleanUps) cleanUp();
      if (err === undefined) resolve();
      else reject(err);
    };
    const fail = (why: string): void => {
      const cause = lastError === undefined ? '' : `: ${lastError.message}`;
      finish(new RedisUnavailableError(address, `cannot reach Redis at ${address} ${why}${cause}; start redis-server there or fix the adapter's redis option`, lastError));
    };
    const timer = setTimeout(() => fail(`within ${timeout} ms`), timeout);
    const check = (): void => {
      if (clients.every((client) => client.status === 'ready')) finish();
    };
    for (const client of clients) {
      const onError = (err: Error): void => {
        lastError = err;
      };
      const onEnd = (): void => fail('(the connection was given up)');
      client.on('error', onError).on('ready', check).on('end', onEnd);
      cleanUps.push(() => client.off('error', onError).off('ready', check).off('end', onEnd));
      if (client.status === 'wait') client.connect().catch(() => undefined);
    }
    check();
  });
}

/** Whether `redis` is an ioredis client (a `Redis`, or anything with `duplicate()`) rather than options. */
export function isRedisClient(redis: object): redis is Redis {
  return redis instanceof Redis || (!isClusterClient(redis) && typeof (redis as Partial<Redis>).duplicate === 'function');
}

/** Whether `redis` is an ioredis `Cluster` client. */
export function isClusterClient(redis: object): redis is Cluster {
  return redis instanceof Cluster || (redis as { isCluster?: unknown }).isCluster === true;
}

/** `host:port`, a socket path or a sentinel group, for messages; never a password. */
export function describeAddress(options: RedisOptions): string {
  if (options.sentinels !== undefined && options.sentinels !== null && options.sentinels.length > 0) {
    return `sentinel group ${options.name ?? 'mymaster'}`;
  }
  if (typeof options.path === 'string' && options.path !== '') return options.path;
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

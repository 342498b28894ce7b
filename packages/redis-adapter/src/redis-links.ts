import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from './errors.js';

/** The adapter's two connections to Redis: pub/sub needs a connection of its own. */
export interface RedisLinks {
  /** Commands and `PUBLISH`. Commands fail at once while it is down (no offline queue). */
  readonly command: Redis;
  /** Subscribed to the packet channel. */
  readonly subscriber: Redis;
  /** Where Redis is, for messages: `host:port`, a socket path or a sentinel group; never a password. */
  readonly address: string;
}

/**
 * What the adapter needs of each connection, whatever the user passed: commands fail at once while
 * Redis is unreachable, and commands in flight when a connection drops fail at once too (no offline
 * queue, no retries, no resending: a broadcast must say it did not get through, not arrive minutes
 * later); the adapter subscribes again itself after a reconnection. It disconnects only once its last
 * command has been answered, so it does not need ioredis's 2 s grace before a socket is destroyed (which
 * would keep a process that closed its server alive for 2 s).
 */
const LINK_OPTIONS = {
  disconnectTimeout: 100,
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
} satisfies RedisOptions;

/**
 * Creates both connections (not connected yet: see {@link connectLinks}). A command without a reply
 * after `commandTimeout` ms (a Redis that hangs) fails, unless the user's options set their own.
 */
export function createLinks(redis: string | RedisOptions | Redis, nodeId: string, commandTimeout: number): RedisLinks {
  const client = typeof redis !== 'string' && isClient(redis) ? redis : undefined;
  const given: RedisOptions | undefined = typeof redis === 'string' ? undefined : client?.options ?? (redis as RedisOptions);
  const open = (role: string): Redis => {
    const options: RedisOptions = {
      ...LINK_OPTIONS,
      commandTimeout: given?.commandTimeout ?? commandTimeout,
      connectionName: `corows:${nodeId}:${role}`,
    };
    if (client !== undefined) return client.duplicate(options);
    return typeof redis === 'string' ? new Redis(redis, options) : new Redis({ ...given, ...options });
  };
  const command = open('command');
  const subscriber = open('subscriber');
  return { command, subscriber, address: describeAddress(command.options) };
}

/**
 * Connects both links and resolves once both are ready. ioredis retries meanwhile; after `timeout` ms
 * (or when its retry strategy gives up) this rejects with a {@link RedisUnavailableError} naming the
 * address and the last connection error. On failure the caller must `disconnectLinks()`.
 */
export function connectLinks(links: RedisLinks, timeout: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const clients = [links.command, links.subscriber];
    const cleanUps: Array<() => void> = [];
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      for (const cleanUp of cleanUps) cleanUp();
      if (err === undefined) resolve();
      else reject(err);
    };
    const fail = (why: string): void => {
      const cause = lastError === undefined ? '' : `: ${lastError.message}`;
      finish(new RedisUnavailableError(links.address, `cannot reach Redis at ${links.address} ${why}${cause}; start redis-server there or fix the adapter's redis option`, lastError));
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

/** Closes both links at once (pending commands fail); safe to call in any state. */
export function disconnectLinks(links: RedisLinks): void {
  links.command.disconnect();
  links.subscriber.disconnect();
}

function isClient(redis: RedisOptions | Redis): redis is Redis {
  return redis instanceof Redis || typeof (redis as Partial<Redis>).duplicate === 'function';
}

function describeAddress(options: RedisOptions): string {
  if (options.sentinels !== undefined && options.sentinels !== null && options.sentinels.length > 0) {
    return `sentinel group ${options.name ?? 'mymaster'}`;
  }
  if (typeof options.path === 'string' && options.path !== '') return options.path;
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

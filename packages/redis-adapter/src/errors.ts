import { CorowsError } from '@corows/core';

/**
 * Redis cannot be reached (or stopped answering): the server could not start, or a broadcast reached
 * this node's connections only, or `roomMembers()` could not ask the other nodes. The adapter keeps
 * reconnecting; fix: check that Redis runs at {@link RedisUnavailableError.address} and that this
 * machine can reach it.
 */
export class RedisUnavailableError extends CorowsError {
  /**
   * The Redis the adapter uses, as `host:port` (or the socket path, the sentinel group, or the cluster's
   * nodes followed by `(cluster)`; for a cluster shard that went down, its master's `host:port`); no password.
   */
  readonly address: string;

  constructor(address: string, message: string, cause?: unknown) {
    super(message, { code: 'ERR_REDIS_UNAVAILABLE', cause });
    this.address = address;
  }
}

/** `err` as a `CorowsError` whose message says what the adapter was doing (`context`). */
export function adapterError(err: unknown, context: string): Error {
  return new CorowsError(`${context}: ${err instanceof Error ? err.message : String(err)}`, { code: 'ERR_REDIS', cause: err });
}

/** `work`, or a rejection saying that `what` took more than `ms` milliseconds. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

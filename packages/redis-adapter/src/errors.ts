import { CorowsError } from '@corows/core';

/**
 * Redis cannot be reached (or stopped answering): the server could not start, or a broadcast reached
 * this node's connections only, or `roomMembers()` could not ask the other nodes. The adapter keeps
 * reconnecting; fix: check that Redis runs at {@link RedisUnavailableError.address} and that this
 * machine can reach it.
 */
export class RedisUnavailableError extends CorowsError {
  /** The Redis the adapter uses, as `host:port` (or the socket path, or the sentinel group); no password. */
  readonly address: string;

  constructor(address: string, message: string, cause?: unknown) {
    super(message, { code: 'ERR_REDIS_UNAVAILABLE', cause });
    this.address = address;
  }
}

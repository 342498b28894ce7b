export { RedisAdapter } from './redis-adapter.js';
export type { RedisAdapterStatus } from './redis-adapter.js';
export { RedisUnavailableError } from './errors.js';
export {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_NODE_TIMEOUT,
  DEFAULT_PREFIX,
  DEFAULT_REDIS_URL,
} from './options.js';
export type { RedisAdapterOptions, RedisClusterConfig } from './options.js';

import { Redis, type RedisOptions } from 'ioredis';
import type { PacketBus } from './bus.js';
import type { RedisKeys } from './keys.js';
import { describeAddress, isRedisClient, LINK_OPTIONS } from './redis-links.js';

/**
 * The bus on a single Redis (or Sentinel): two connections (pub/sub needs its own), one channel that
 * every node publishes on and subscribes to (`PUBLISH`/`SUBSCRIBE`); each node reads every packet and
 * delivers it to its matching connections. A command without a reply after `commandTimeout` ms (a
 * Redis that hangs) fails, unless the user's options set their own.
 */
export function createStandaloneBus(redis: string | RedisOptions | Redis, keys: RedisKeys, nodeId: string, commandTimeout: number): PacketBus {
  const client = typeof redis !== 'string' && isRedisClient(redis) ? redis : undefined;
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
  return {
    address: describeAddress(command.options),
    commands: command,
    clients: [command, subscriber],
    roomChannels: undefined,
    whole: true,
    onMessage(listener) {
      subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => listener(channel.toString(), message));
    },
    async listen() {
      await subscriber.subscribe(keys.channel);
    },
    publish(_nodeId, _packet, message) {
      return command.publish(keys.channel, message);
    },
    announce(_nodeId, message) {
      return command.publish(keys.channel, message);
    },
    async countListeners() {
      // Redis drops a subscriber as soon as its connection closes, so a crashed node stops counting at once.
      const reply = (await command.pubsub('NUMSUB', keys.channel)) as unknown[];
      return Number(reply[1]);
    },
    disconnect() {
      command.disconnect();
      subscriber.disconnect();
    },
  };
}

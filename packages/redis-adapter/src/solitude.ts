import type { Redis } from 'ioredis';

/**
 * Knows when this node is the only one on its channel, so that a broadcast can skip Redis (the local
 * fast path). It asks Redis how many connections subscribe to the channel (`PUBSUB NUMSUB`: Redis drops
 * a subscriber as soon as its connection closes, so a crashed node stops counting at once) at each
 * (re)connection and heartbeat; and any message from another node — a starting node says hello —
 * marks it not alone at once. While Redis is unreachable it is never alone: it cannot know.
 */
export class Solitude {
  private isAlone = false;
  /** Counts messages from other nodes, so that a count asked for before one arrived is not trusted. */
  private heardFromOthers = 0;

  /** True only when the last check found no other node and none spoke since. */
  get alone(): boolean {
    return this.isAlone;
  }

  /** Another node spoke on the channel. */
  heard(): void {
    this.heardFromOthers++;
    this.isAlone = false;
  }

  /** The connection to Redis dropped: from now on, assume others may be there. */
  unknown(): void {
    this.isAlone = false;
  }

  /** Asks Redis how many nodes listen on `channel` (this one included, so it must be subscribed). */
  async check(redis: Redis, channel: string): Promise<void> {
    const before = this.heardFromOthers;
    const reply = (await redis.pubsub('NUMSUB', channel)) as unknown[];
    if (this.heardFromOthers === before) this.isAlone = Number(reply[1]) <= 1;
  }
}

/**
 * Knows when this node is the only one on its channel, so that a broadcast can skip Redis (the local
 * fast path). It asks Redis how many nodes subscribe (`PUBSUB NUMSUB`, or `PUBSUB SHARDNUMSUB` on a
 * cluster: Redis drops a subscriber as soon as its connection closes, so a crashed node stops counting
 * at once) at each (re)connection and heartbeat; and any message from another node — a starting node
 * says hello — marks it not alone at once. While Redis is unreachable, or a count fails, it is never
 * alone: it cannot know.
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

  /** Counts the nodes with `countListeners` (this one included, so it must be subscribed). */
  async check(countListeners: () => Promise<number>): Promise<void> {
    const before = this.heardFromOthers;
    let count: number;
    try {
      count = await countListeners();
    } catch (err) {
      this.isAlone = false;
      throw err;
    }
    if (this.heardFromOthers === before) this.isAlone = count <= 1;
  }
}

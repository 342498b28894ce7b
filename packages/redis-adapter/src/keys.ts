import calculateSlot from 'cluster-key-slot';

/** How many channels carry broadcasts to every node on a Redis Cluster (see {@link RedisKeys.lanes}). */
export const CLUSTER_LANES = 16;

const SLOTS = 16_384;

/**
 * The names of everything the adapter keeps in Redis, under one prefix.
 *
 * On a single Redis (and Sentinel):
 * - `<prefix>:packets`: the pub/sub channel every node publishes its broadcasts on and listens to;
 * - `<prefix>:room:<room>`: a set of the ids of the nodes that have members in `<room>`;
 * - `<prefix>:members:<nodeId>:<room>`: a set of the ids of that node's connections in `<room>`.
 *
 * On a Redis Cluster every name of a room carries the room as its hash tag, so that a room lives on
 * one shard (keys touched together in one transaction must share a slot) and its messages travel
 * through that shard only:
 * - `<prefix>:room:{<room>}` and `<prefix>:members:<nodeId>:{<room>}`: the same two sets;
 * - `<prefix>:packets:{<room>}`: the sharded channel of messages to that one room, which only the
 *   nodes with members in it subscribe to;
 * - `<prefix>:lane:{<n>}`: {@link CLUSTER_LANES} sharded channels for everything else (broadcasts to
 *   all, to several rooms, hellos), each node publishing on one of them and subscribed to all.
 *
 * Both sets expire unless a live node refreshes them (see `nodeTimeout`).
 */
export class RedisKeys {
  /** The pub/sub channel of packets and hellos on a single Redis. */
  readonly channel: string;
  /**
   * On a cluster, the lane channels. Their hash tags are picked so that their slots spread evenly
   * over the 16,384 (lane `i` in the `i`-th sixteenth), and so over the shards; every node computes
   * the same ones.
   */
  readonly lanes: readonly string[];

  constructor(
    private readonly prefix: string,
    /** Names for a Redis Cluster (hash tags) instead of a single Redis. */
    readonly clustered = false,
  ) {
    this.channel = `${prefix}:packets`;
    this.lanes = clustered ? laneTags(CLUSTER_LANES).map((tag) => `${prefix}:lane:{${tag}}`) : [];
  }

  /** The set of node ids with members in `room`. */
  roomNodes(room: string): string {
    return this.clustered ? `${this.prefix}:room:{${room}}` : `${this.prefix}:room:${room}`;
  }

  /** The set of `nodeId`'s connection ids in `room`. */
  nodeMembers(nodeId: string, room: string): string {
    return this.clustered ? `${this.prefix}:members:${nodeId}:{${room}}` : `${this.prefix}:members:${nodeId}:${room}`;
  }

  /** On a cluster: the channel of messages to `room` alone, in the slot of the room's sets. */
  roomChannel(room: string): string {
    return `${this.prefix}:packets:{${room}}`;
  }

  /** On a cluster: the lane a node publishes on, the same for all its messages (so they keep their order). */
  laneOf(nodeId: string): string {
    return this.lanes[calculateSlot(nodeId) % this.lanes.length] as string;
  }
}

/** For each of `count` lanes, the smallest number whose slot lies in that lane's share of the slots. */
function laneTags(count: number): string[] {
  const tags: string[] = [];
  for (let lane = 0, n = 0; lane < count; n++) {
    if (Math.floor((calculateSlot(String(n)) * count) / SLOTS) === lane) {
      tags.push(String(n));
      lane++;
      n = -1;
    }
  }
  return tags;
}

/**
 * The names of everything the adapter keeps in Redis, under one prefix:
 * - `<prefix>:packets`: the pub/sub channel every node publishes its broadcasts on and listens to;
 * - `<prefix>:room:<room>`: a set of the ids of the nodes that have members in `<room>`;
 * - `<prefix>:members:<nodeId>:<room>`: a set of the ids of that node's connections in `<room>`.
 * Both sets expire unless a live node refreshes them (see `nodeTimeout`).
 */
export class RedisKeys {
  /** The pub/sub channel of packets and hellos. */
  readonly channel: string;

  constructor(private readonly prefix: string) {
    this.channel = `${prefix}:packets`;
  }

  /** The set of node ids with members in `room`. */
  roomNodes(room: string): string {
    return `${this.prefix}:room:${room}`;
  }

  /** The set of `nodeId`'s connection ids in `room`. */
  nodeMembers(nodeId: string, room: string): string {
    return `${this.prefix}:members:${nodeId}:${room}`;
  }
}

import type { AdapterHost, BroadcastPacket } from './adapter.js';
import { PreparedMessage } from './prepared-message.js';
import type { RoomIndex } from './rooms.js';
import type { ServerConn } from './server-conn.js';

/** Picks connections for a broadcast that runs on this node only (`broadcast(msg, { filter })`). */
export type ConnFilter<Data> = (conn: ServerConn<Data>) => boolean;

/**
 * The local side of a server for its adapter: delivers packets to this node's connections, framing
 * each message once, and answers which local connections are in a room.
 */
export class LocalDelivery<Data> implements AdapterHost {
  constructor(
    readonly nodeId: string,
    private readonly connections: ReadonlySet<ServerConn<Data>>,
    private readonly rooms: RoomIndex<ServerConn<Data>>,
    private readonly report: (err: unknown, context: string) => void,
  ) {}

  deliver(packet: BroadcastPacket, filter?: ConnFilter<Data>): number {
    const message = new PreparedMessage(packet.data);
    const except = packet.except.length === 0 ? undefined : new Set(packet.except);
    let written = 0;
    let filterFailed = false;
    const visit = (conn: ServerConn<Data>): void => {
      if (except?.has(conn.id) === true) return;
      if (filter !== undefined) {
        try {
          if (!filter(conn)) return;
        } catch (err) {
          if (!filterFailed) this.report(err, 'broadcast filter failed (the connections it threw for were skipped)');
          filterFailed = true;
          return;
        }
      }
      if (conn.sendPrepared(message)) written++;
    };
    for (const conn of this.targets(packet.rooms)) visit(conn);
    return written;
  }

  localMembers(room: string): ReadonlySet<string> {
    return new Set([...this.rooms.members(room)].map((conn) => conn.id));
  }

  reportError(err: Error): void {
    this.report(err, 'adapter error');
  }

  private targets(rooms: readonly string[]): Iterable<ServerConn<Data>> {
    if (rooms.length === 0) return this.connections;
    if (rooms.length === 1) return this.rooms.members(rooms[0] as string);
    const union = new Set<ServerConn<Data>>();
    for (const room of rooms) for (const conn of this.rooms.members(room)) union.add(conn);
    return union;
  }
}

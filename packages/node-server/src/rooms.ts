import type { ServerAdapter } from './adapter.js';

/** A connection as the room index knows it. */
export interface RoomMember {
  readonly id: string;
}

/** Told when a connection's rooms change (the server's room index). */
export interface Membership<C extends RoomMember> {
  joined(conn: C, room: string): void;
  left(conn: C, room: string): void;
}

const NO_MEMBERS: ReadonlySet<never> = new Set();

/**
 * The server's room index: which of its connections are in which room. A room exists while it has
 * members; a connection that closes leaves all its rooms. Each change is passed on to the adapter.
 */
export class RoomIndex<C extends RoomMember> implements Membership<C> {
  private readonly rooms = new Map<string, Set<C>>();

  constructor(
    private readonly adapter: ServerAdapter,
    private readonly report: (err: unknown, context: string) => void,
  ) {}

  /** How many rooms have members on this node. */
  get size(): number {
    return this.rooms.size;
  }

  joined(conn: C, room: string): void {
    let members = this.rooms.get(room);
    if (members === undefined) this.rooms.set(room, (members = new Set()));
    members.add(conn);
    this.tell(() => this.adapter.joined(conn.id, room), 'adapter.joined()');
  }

  left(conn: C, room: string): void {
    this.remove(conn, room);
    this.tell(() => this.adapter.left(conn.id, room), 'adapter.left()');
  }

  /** A connection closed: it leaves `rooms` (its rooms) at once. */
  disconnected(conn: C, rooms: readonly string[]): void {
    for (const room of rooms) this.remove(conn, room);
    this.tell(() => this.adapter.disconnected(conn.id, rooms), 'adapter.disconnected()');
  }

  /** This node's connections in `room`. */
  members(room: string): ReadonlySet<C> {
    return this.rooms.get(room) ?? NO_MEMBERS;
  }

  private remove(conn: C, room: string): void {
    const members = this.rooms.get(room);
    if (members === undefined) return;
    members.delete(conn);
    if (members.size === 0) this.rooms.delete(room);
  }

  private tell(call: () => void | Promise<void>, context: string): void {
    try {
      const result = call();
      if (result instanceof Promise) result.catch((err: unknown) => this.report(err, `${context} failed`));
    } catch (err) {
      this.report(err, `${context} failed`);
    }
  }
}

import { WebSocketConn, type ConnOptions } from '@corows/core';
import type { GuardedSocket } from './guarded-socket.js';
import type { PreparedMessage } from './prepared-message.js';
import type { Membership, RoomMember } from './rooms.js';

/** What a {@link ServerConn} tells its server: its room changes, and its close. */
export interface ConnRegistry<C extends RoomMember> extends Membership<C> {
  /** The connection closed, just before its `close` event: the server forgets it. */
  closed(conn: C, code: number): void;
}

/** How the server sets up a {@link ServerConn}. */
export interface ServerConnOptions<Data> extends ConnOptions {
  id: string;
  data: Data;
  registry: ConnRegistry<ServerConn<Data>>;
}

/**
 * A connection accepted by a corows server: a `WebSocketConn` (so everything of the client side
 * works the same) plus what a gateway needs: an `id`, per-connection `data` typed by the server's
 * `Data`, and rooms.
 *
 * `closeCode` on the server side: when the server closed the connection (its `close()`, a protocol
 * error answered with 1002/1007/1009, a rate limit with 1008, shutdown with 1001) and the client did
 * not answer with a close frame of its own, it is the code the server sent rather than 1006. A client
 * cut off for backpressure closes with 1006 (nothing can reach a client that does not read).
 */
export class ServerConn<Data = Record<string, unknown>> extends WebSocketConn {
  /** A random id, unique across nodes; broadcasts use it for `except`, adapters for membership. */
  readonly id: string;
  /**
   * Your data for this connection (user, session, …): what `verify` returned as `{ data }`, else an
   * empty object. Typed by the server's `Data` (`createWebsocketServer<Data>(...)`).
   */
  data: Data;
  private readonly guarded: GuardedSocket;
  private readonly registry: ConnRegistry<ServerConn<Data>>;
  /** Made on first use: many connections never join a room (an empty set costs 150 B). */
  private joinedRooms: Set<string> | undefined;

  /** Created by the server; see `whenNewConn`. */
  constructor(socket: GuardedSocket, options: ServerConnOptions<Data>) {
    super(socket, options);
    this.id = options.id;
    this.data = options.data;
    this.guarded = socket;
    this.registry = options.registry;
    socket.onViolation = (err) => this.reportError(err, false);
  }

  /** The rooms this connection is in. */
  get rooms(): ReadonlySet<string> {
    return (this.joinedRooms ??= new Set());
  }

  /**
   * Joins `room`: `server.to(room)` reaches this connection (on every node, through the adapter) until
   * it leaves or closes. Joining twice is the same as once; a closed connection joins nothing.
   */
  join(room: string): void {
    checkRoom(room, 'join');
    if (this.state === 'CLOSED' || this.joinedRooms?.has(room) === true) return;
    (this.joinedRooms ??= new Set()).add(room);
    this.registry.joined(this, room);
  }

  /** Leaves `room`; leaving a room it is not in does nothing. Closing leaves every room. */
  leave(room: string): void {
    checkRoom(room, 'leave');
    if (this.joinedRooms?.delete(room) !== true) return;
    this.registry.left(this, room);
  }

  // A direct call rather than a `close` listener, which would cost a closure and an eventemitter3
  // entry (150 B) per connection. It runs before the `close` listeners: by then the connection has
  // left `server.connections` and its rooms.
  protected override finish(code: number, reason: string): void {
    if (this.isFinished) return;
    this.registry.closed(this, code);
    super.finish(code, reason);
  }

  /** @internal Writes a broadcast; `false` if not written (closed, or refused by backpressure). */
  sendPrepared(message: PreparedMessage): boolean {
    return this.guarded.sendPrepared(message);
  }

  /** @internal The connection closed: forgets its rooms and returns them. */
  leaveAll(): string[] {
    if (this.joinedRooms === undefined) return [];
    const rooms = [...this.joinedRooms];
    this.joinedRooms.clear();
    return rooms;
  }
}

function checkRoom(room: unknown, action: string): void {
  if (typeof room !== 'string' || room === '') {
    throw new TypeError(`conn.${action}() takes a room name, a non-empty string, got ${room === '' ? 'an empty string' : typeof room}`);
  }
}

import { WebSocketConn, type ConnOptions, type ConnPolicy, type NodeWebSocketLike } from '@corows/core';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { newConnId } from './conn-id.js';
import type { PreparedMessage } from './prepared-message.js';
import { writePrepared } from './prepared-write.js';
import type { Membership, RoomMember } from './rooms.js';
import type { GuardedConn, TrafficGuard } from './traffic-guard.js';

/**
 * What a server plugs into each of its connections: its limits and counters on every message in and
 * out (its traffic guard), its room index, and being told of each close. One object per server,
 * shared by all its connections.
 */
export class ServerPolicy<C extends GuardedConn & RoomMember> implements ConnPolicy<C>, Membership<C> {
  /** A client cut off (1008, 1009, shutdown) without answering the close is reported with what was sent. */
  readonly reportSentCode = true;

  constructor(
    /** The server's limits on traffic, and its counters. */
    readonly guard: TrafficGuard,
    private readonly membership: Membership<C>,
    /** The connection closed, before its `close` listeners run: the server forgets it. */
    private readonly forget: (conn: C, code: number) => void,
  ) {}

  admitIncoming(conn: C, bytes: number | undefined): boolean {
    return this.guard.inbound(conn, bytes ?? 0);
  }

  admitOutgoing(conn: C, data: string | ArrayBuffer | ArrayBufferView): Error | undefined {
    return this.guard.outbound(conn, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
  }

  closed(conn: C, code: number): void {
    this.forget(conn, code);
  }

  joined(conn: C, room: string): void {
    this.membership.joined(conn, room);
  }

  left(conn: C, room: string): void {
    this.membership.left(conn, room);
  }
}

/** How the server sets up a {@link ServerConn}. */
export interface ServerConnOptions<Data> extends ConnOptions {
  /** What `verify` returned as `{ data }`, if anything. */
  data: Data | undefined;
  /** The server's policy for its connections. */
  server: ServerPolicy<ServerConn<Data>>;
}

const OPEN = 1;

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
export class ServerConn<Data = Record<string, unknown>> extends WebSocketConn implements GuardedConn {
  // The id and the empty data object are made when first read: an idle connection that nobody looks
  // at costs less, which counts on a server holding 10,000s of connections.
  private connId: string | undefined;
  private connData: Data | undefined;
  private readonly server: ServerPolicy<ServerConn<Data>>;
  /** Made on first use: many connections never join a room. */
  private joinedRooms: Set<string> | undefined;

  /** @internal Created by the server; see `whenNewConn`. */
  constructor(socket: NodeWebSocketLike, options: ServerConnOptions<Data>) {
    super(socket, { ...options, policy: options.server as unknown as ConnPolicy<WebSocketConn> });
    this.connData = options.data;
    this.server = options.server;
  }

  /** A random id (a UUID), unique across nodes; broadcasts use it for `except`, adapters for membership. */
  get id(): string {
    return (this.connId ??= newConnId());
  }

  /**
   * Your data for this connection (user, session, …): what `verify` returned as `{ data }`, else an
   * empty object. Typed by the server's `Data` (`createWebsocketServer<Data>(...)`).
   */
  get data(): Data {
    return (this.connData ??= {} as Data);
  }

  set data(value: Data) {
    this.connData = value;
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
    this.server.joined(this, room);
  }

  /** Leaves `room`; leaving a room it is not in does nothing. Closing leaves every room. */
  leave(room: string): void {
    checkRoom(room, 'leave');
    if (this.joinedRooms?.delete(room) !== true) return;
    this.server.left(this, room);
  }

  /**
   * @internal Writes a broadcast, batched and ordered with this tick's sends; `false` if not written
   * (closed, or refused by backpressure).
   */
  sendPrepared(message: PreparedMessage): boolean {
    if (this.session !== null) return this.sendInSession(message);
    if (this.link.readyState !== OPEN || this.server.guard.outbound(this, message.payload.length) !== undefined) return false;
    this.link.sendWith(writePrepared, message);
    return true;
  }

  /** A broadcast to a connection in a session is one of its units, numbered and kept like a send. */
  private sendInSession(message: PreparedMessage): boolean {
    void (message.binary ? this.sendBinary(message.payload) : this.sendMessage(message.payload.toString()));
    return true;
  }

  /** @internal The connection closed: forgets its rooms and returns them. */
  leaveAll(): string[] {
    if (this.joinedRooms === undefined) return [];
    const rooms = [...this.joinedRooms];
    this.joinedRooms.clear();
    return rooms;
  }

  /** @internal A limit was broken: reported through the `error` event. */
  reportViolation(err: Error): void {
    this.reportError(err, false);
  }

  /** @internal Writes now what this tick's sends hold back (for the backpressure check). */
  flushWrites(): void {
    this.link.flush?.();
  }
}

function checkRoom(room: unknown, action: string): void {
  if (typeof room !== 'string' || room === '') {
    throw new TypeError(`conn.${action}() takes a room name, a non-empty string, got ${room === '' ? 'an empty string' : typeof room}`);
  }
}

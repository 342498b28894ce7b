/**
 * The adapter contract: how broadcasts and room membership reach every node when several corows
 * servers (processes, machines) serve one application. A server talks to its adapter through
 * {@link ServerAdapter}; the adapter talks back through {@link AdapterHost}.
 *
 * Who does what:
 * - The **server** keeps its own connections and their rooms (so local delivery never waits on the
 *   network), frames each message once per node, enforces backpressure, and tells the adapter about
 *   room changes of its connections.
 * - The **adapter** carries each {@link BroadcastPacket} to every node (this one included, exactly
 *   once each) and answers membership questions across nodes.
 *
 * A Redis adapter, for example: `start` subscribes to a channel; `broadcast` delivers locally with
 * `host.deliver(packet)`, then publishes `{ nodeId, packet }` (skipping the publish when it knows it is
 * alone: the local fast path); on a message from another node it calls `host.deliver(packet)`;
 * `joined`/`left`/`disconnected` keep a set per room; `members` reads it; `close` unsubscribes and
 * removes this node's members.
 * @module
 */

/** A message for many connections, as it travels between nodes. Plain data: encode it as you like. */
export interface BroadcastPacket {
  /** The message: a string goes out as a text frame, bytes as a binary frame. */
  readonly data: string | Uint8Array;
  /** Only connections in at least one of these rooms; empty: every connection. */
  readonly rooms: readonly string[];
  /** Never to the connections with these ids (`conn.id`). */
  readonly except: readonly string[];
}

/** The local side of one server, as its adapter sees it. */
export interface AdapterHost {
  /** This server's id: random and unique per server instance. Tag what you publish with it. */
  readonly nodeId: string;
  /**
   * Writes `packet` to every matching connection of this node, framed once; returns how many
   * connections it was written to. Synchronous; never throws. Call it exactly once per packet per node.
   */
  deliver(packet: BroadcastPacket): number;
  /** The ids of this node's connections in `room` (empty if none). */
  localMembers(room: string): ReadonlySet<string>;
  /** Reports a problem through the server's `error` event; the server lives on. */
  reportError(err: Error): void;
}

/**
 * Carries broadcasts and room membership between the nodes of one application. Pass one to
 * `createWebsocketServer(host, port, { adapter })`; the default is an {@link InProcessAdapter} (one
 * node). One adapter instance serves one server.
 *
 * Methods that return a promise may do network work; the server never waits on `joined`, `left` or
 * `disconnected` (it reports their rejections through its `error` event), so they must keep their own
 * order per connection if that matters to them.
 */
export interface ServerAdapter {
  /**
   * Called once, when the server is created and before any other method. The server's `listening`
   * waits for it; a rejection kills the server (`whenDead` gets the reason).
   */
  start(host: AdapterHost): void | Promise<void>;
  /**
   * Delivers `packet` on every node, this one included (here with `host.deliver(packet)`, once).
   * Resolve when it is delivered locally and handed to the transport; a rejection is what the
   * sender's `broadcast(...)`/`to(room).send*(...)` resolves (as an `Error`). It should not wait for
   * remote nodes to write it.
   */
  broadcast(packet: BroadcastPacket): void | Promise<void>;
  /** A connection of this node joined `room` (already in `host.localMembers(room)`). */
  joined(connId: string, room: string): void | Promise<void>;
  /** A connection of this node left `room` (already gone from `host.localMembers(room)`). */
  left(connId: string, room: string): void | Promise<void>;
  /** A connection of this node closed; it was in `rooms`, which it has already left locally. */
  disconnected(connId: string, rooms: readonly string[]): void | Promise<void>;
  /** The ids of the connections in `room` on every node. */
  members(room: string): Promise<ReadonlySet<string>>;
  /**
   * The server has closed all its connections: unsubscribe, forget this node's members, free
   * resources. Called once, only if `start` succeeded (a failing `start` cleans up after itself).
   */
  close(): void | Promise<void>;
}

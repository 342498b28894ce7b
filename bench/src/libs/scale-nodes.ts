/** The stacks `pnpm bench:scale` compares: each with its own Redis adapter, as its users would deploy it. */
export type Stack = 'corows' | 'socket.io';

/** Each stack's default heartbeat interval (corows' `keepAlive`, Socket.IO's `pingInterval`), in ms. */
export const HEARTBEAT_MS: Record<Stack, number> = { corows: 30_000, 'socket.io': 25_000 };

/** The room that 1% of the connections join, by asking for it in their URL (`?room=hot`). */
export const ROOM = 'hot';
/** The query a connection of the room opens with. */
export const ROOM_QUERY = `room=${ROOM}`;

/** The first character of each kind of message the orchestrator sends; clients count them apart. */
export const TAGS = { broadcast: 'b', room: 'r' } as const;
/** A kind of fan-out: to every connection, or to the room. */
export type Kind = keyof typeof TAGS;

/** One server process of a scaled-out application. */
export interface ScaleNode {
  readonly port: number;
  /** Connections this process holds now. */
  connectionCount(): number;
  /** Sends `text` to every connection of every node; resolves once it has left this process. */
  broadcast(text: string): Promise<void>;
  /** Sends `text` to the members of {@link ROOM} on every node. */
  toRoom(text: string): Promise<void>;
}

/**
 * Starts one node of `stack` on 127.0.0.1, port 0, with the stack's Redis adapter on `redisUrl`. Every
 * connection echoes what it gets back to its sender (the active client's ping-pong) and joins
 * {@link ROOM} if its URL asks for it. The servers' defaults are kept, heartbeats included. Each
 * stack's code is loaded only by the processes that run it.
 */
export async function startScaleNode(stack: Stack, redisUrl: string): Promise<ScaleNode> {
  if (stack === 'corows') return (await import('./scale-corows.js')).startCorowsNode(redisUrl);
  return (await import('./scale-socketio.js')).startSocketIoNode(redisUrl);
}

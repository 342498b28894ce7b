import { createWebsocketServer } from '@corows/node-server';
import { RedisAdapter } from '@corows/redis-adapter';
import { ROOM, ROOM_QUERY, type ScaleNode } from './scale-nodes.js';

/** A corows node of `pnpm bench:scale`: `createWebsocketServer` with a `RedisAdapter`, as the README shows. */
export async function startCorowsNode(redisUrl: string): Promise<ScaleNode> {
  // A minute for any Redis command (the default is 10 s): on the bench's shared 2-core machine a process
  // holding 16,000 connections may get so little CPU that it reads PUBLISH's reply after 10 s, and the
  // broadcast would fail although Redis answered. Socket.IO's adapter has no command timeout at all.
  const adapter = new RedisAdapter({ redis: redisUrl, prefix: 'scale', connectTimeout: 60_000 });
  const server = createWebsocketServer('127.0.0.1', 0, { adapter });
  server.whenNewConn((conn) => {
    if (conn.url.endsWith(ROOM_QUERY)) conn.join(ROOM);
    conn.whenNewMsg((msg) => (typeof msg === 'string' ? conn.sendMessage(msg) : undefined));
  });
  const { port } = await server.listening;
  const settled = async (result: Promise<Error | null>): Promise<void> => {
    const err = await result;
    if (err !== null) throw err;
  };
  return {
    port,
    connectionCount: () => server.connections.size,
    broadcast: (text) => settled(server.broadcast(text)),
    toRoom: (text) => settled(server.to(ROOM).sendMessage(text)),
  };
}

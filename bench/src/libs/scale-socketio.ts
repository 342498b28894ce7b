import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { SOCKET_IO_EVENT } from './lean-client.js';
import { ROOM, type ScaleNode } from './scale-nodes.js';

/**
 * A Socket.IO node of `pnpm bench:scale`: a `Server` with the WebSocket transport only and
 * `@socket.io/redis-adapter` on two ioredis connections, as their docs show.
 */
export async function startSocketIoNode(redisUrl: string): Promise<ScaleNode> {
  const publisher = new Redis(redisUrl);
  const subscriber = publisher.duplicate();
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, adapter: createAdapter(publisher, subscriber) });
  io.on('connection', (socket) => {
    if (socket.handshake.query.room === ROOM) void socket.join(ROOM);
    socket.on(SOCKET_IO_EVENT, (data: unknown) => socket.emit(SOCKET_IO_EVENT, data));
  });
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as { port: number }).port,
    connectionCount: () => io.of('/').sockets.size,
    broadcast: async (text) => {
      io.emit(SOCKET_IO_EVENT, text);
    },
    toRoom: async (text) => {
      io.to(ROOM).emit(SOCKET_IO_EVENT, text);
    },
  };
}

// The Redis adapter in a server's options, as its README shows it (typechecked; it needs a Redis to run).
import { closeOnSignals, createWebsocketServer, type ServerConn } from '@corows/node-server';
import { RedisAdapter, type RedisAdapterStatus } from '@corows/redis-adapter';

export function startNode(redisUrl: string): () => RedisAdapterStatus {
  const adapter = new RedisAdapter({ redis: redisUrl, prefix: 'chat' });
  const server = createWebsocketServer('0.0.0.0', 8080, { adapter });
  server.whenNewConn((conn: ServerConn) => {
    conn.join('lobby');
    conn.whenNewMsg((msg) => msg !== null && server.to('lobby').except(conn).sendMessage(String(msg)));
  });
  closeOnSignals(server);
  return () => adapter.status;
}

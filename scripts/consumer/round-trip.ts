// A stranger's program against the installed tarballs: a server and a client, one message each way.
// Only core and node-server: their types must bring what they need (Node's) by themselves.
import { CorowsError as CoreError, WebSocketConn } from '@corows/core';
import {
  connectToWebsocket,
  CorowsError,
  createWebsocketServer,
  type Message,
  type PerMessageDeflateOptions,
  type ServerConn,
} from '@corows/node-server';

interface User {
  name: string;
}

const deflate: PerMessageDeflateOptions = { threshold: 1024 };
const server = createWebsocketServer<User>('127.0.0.1', 0, { perMessageDeflate: deflate });
server.whenNewConn(async (conn: ServerConn<User>) => {
  conn.data = { name: 'stranger' };
  const question: Message | null = await conn.receiveMessage({ timeout: 5000 });
  await conn.sendMessage(`${conn.data.name} said ${String(question)}`);
});
const { port } = await server.listening;

const client = await connectToWebsocket(`ws://127.0.0.1:${port}`);
const sent = await client.sendMessage('hello');
if (sent !== null) throw sent;
const answer = await client.receiveMessage({ timeout: 5000 });
await client.close();
await server.close();
if (answer !== 'stranger said hello') throw new Error(`expected "stranger said hello", got ${JSON.stringify(answer)}`);

// One copy of core: the server's re-exports are core's own classes, so `instanceof` holds across packages.
if (CorowsError !== CoreError || !(client instanceof WebSocketConn)) {
  throw new Error('@corows/node-server and @corows/core resolved to two copies of core');
}

console.log(`round trip through the installed packages: sent "hello", got ${JSON.stringify(answer)}`);

/**
 * The seed's full example (综合使用), line for line in TypeScript: a server that greets each client and
 * echoes what its handler is given, and a client that talks to it with the seed's one-second sleeps.
 * Unlike the seed, it ends: the client closes (its handler then gets `null`) and the server is closed
 * (`whenDead` then fires), so the process exits.
 *
 * Run: `pnpm example` (or `PORT=1042 pnpm example` for the seed's port; the default picks a free one).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connectToWebsocket, createWebsocketServer } from '@corows/node-server';

const server = createWebsocketServer('127.0.0.1', Number(process.env.PORT ?? 0))
  .whenNewConn(async (conn) => {
    conn.whenNewMsg((msg) => {
      if (msg === null) {
        console.log('websocket connection closed!');
        return;
      }
      console.log('websocket server received (not intercepted): ', msg);
      void conn.sendMessage(`server echo: ${String(msg)}`);
    });

    void conn.sendMessage('server hello');
    const received = await conn.receiveMessage();
    console.log('websocket server received (first message): ', received);
  })
  .whenDead((deadReason) => {
    console.log('websocket server dead, reason: ', deadReason);
  });

const { port } = await server.listening;
await sleep(1000);
const conn = await connectToWebsocket(`ws://127.0.0.1:${port}`).catch((err: Error) => {
  console.log('connect fail', err.message);
  return undefined;
});
if (conn === undefined) process.exit(1);

conn.whenNewMsg((msg) => {
  console.log('websocket client received (not intercepted): ', msg);
});
void conn.sendMessage('client hello');
let received = await conn.receiveMessage();
console.log('websocket client received (first message): ', received);
void conn.sendMessage('client hello 1');
await sleep(1000);
void conn.sendMessage('client hello 2');
await sleep(1000);
void conn.sendMessage('client hello 3');
received = await conn.receiveMessage();
console.log('websocket client received: ', received);
await sleep(1000);
void conn.sendMessage('client hello 4');
received = await conn.receiveMessage();
console.log('websocket client received: ', received);

await conn.close();
await server.close('example finished');

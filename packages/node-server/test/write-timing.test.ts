import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { attachWebsocketServer, connectToWebsocket, type ServerConn, type WebsocketServer } from '../src/index.js';
import { WriteCounter } from './support/write-counter.js';

/** A corows server on an HTTP server whose TCP sockets' writes are counted; resolves its first connection. */
async function watchedServer(t: TestContext, onConn: (conn: ServerConn) => void): Promise<{ url: string; writes: WriteCounter; server: WebsocketServer }> {
  const writes = new WriteCounter();
  const http: Server = createServer();
  http.on('connection', (socket: Socket) => writes.watch(socket));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const server = attachWebsocketServer(http).whenNewConn(onConn);
  t.after(async () => {
    await server.close('test over');
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return { url: `ws://127.0.0.1:${(http.address() as { port: number }).port}`, writes, server };
}

test('a send alone in its tick is written at once; the sends after it wait for the tick to end', async (t) => {
  let opened: (conn: ServerConn) => void = () => undefined;
  const served = new Promise<ServerConn>((resolve) => (opened = resolve));
  const { url, writes } = await watchedServer(t, (c) => opened(c));
  const client = await connectToWebsocket(url);
  t.after(() => client.close());
  const conn = await served;

  const before = writes.snapshot()[0] as number;
  void conn.sendMessage('alone');
  assert.equal((writes.snapshot()[0] as number) - before, 1, 'written before this code gave the event loop back');
  void conn.sendMessage('second');
  void conn.sendMessage('third');
  assert.equal((writes.snapshot()[0] as number) - before, 1, 'the next sends of the tick are held');
  assert.deepEqual([await client.receiveMessage(), await client.receiveMessage(), await client.receiveMessage()], ['alone', 'second', 'third']);
  assert.equal((writes.snapshot()[0] as number) - before, 2, 'held sends go out together at the end of the tick');
});

for (const style of ['whenNewMsg', 'receiveMessage'] as const) {
  test(`the answers to the frames of one read go out in one write (${style})`, async (t) => {
    const { url, writes } = await watchedServer(t, (conn) => {
      if (style === 'whenNewMsg') conn.whenNewMsg((msg) => (msg === null ? undefined : conn.sendMessage(`re ${String(msg)}`)));
      else void (async () => {
        for (let msg = await conn.receiveMessage(); msg !== null; msg = await conn.receiveMessage()) void conn.sendMessage(`re ${String(msg)}`);
      })();
    });
    const client = new WebSocket(url);
    t.after(() => client.close());
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const got: string[] = [];
    const all = new Promise<void>((resolve) => client.on('message', (data) => got.push(String(data)) === 5 && resolve()));

    const before = writes.snapshot()[0] as number;
    // Five frames in one TCP write (`ws` has no public cork), so that the server reads them together.
    const tcp = (client as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (let i = 0; i < 5; i++) client.send(`m${i}`);
    tcp.uncork();
    await all;
    assert.deepEqual(got, ['re m0', 're m1', 're m2', 're m3', 're m4']);
    assert.equal((writes.snapshot()[0] as number) - before, 1, 'the first answer waited for the others');
  });
}

test('after the first send of a tick, a send to another connection is held too (a loop over connections: one write each)', async (t) => {
  const served: ServerConn[] = [];
  const { url, writes } = await watchedServer(t, (c) => served.push(c));
  const clients = [await connectToWebsocket(url), await connectToWebsocket(url)];
  t.after(() => Promise.all(clients.map((client) => client.close())));
  while (served.length < 2) await new Promise((resolve) => setImmediate(resolve));
  const [first, second] = served as [ServerConn, ServerConn];

  const before = writes.snapshot();
  for (const round of [1, 2]) for (const conn of [first, second]) void conn.sendMessage(`round ${round}`);
  const during = writes.snapshot().map((n, i) => n - (before[i] as number));
  assert.deepEqual(during, [1, 0], 'only the first send of the tick went at once');
  for (const client of clients) assert.deepEqual([await client.receiveMessage(), await client.receiveMessage()], ['round 1', 'round 2']);
  assert.deepEqual(writes.snapshot().map((n, i) => n - (before[i] as number)), [2, 1]);
});

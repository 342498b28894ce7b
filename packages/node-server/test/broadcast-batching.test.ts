import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test, type TestContext } from 'node:test';
import { attachWebsocketServer, connectToWebsocket, type Message, type ServerConn, type WebSocketConn, type WebsocketServer } from '../src/index.js';
import { waitFor } from './helpers.js';
import { WriteCounter } from './support/write-counter.js';

interface Crowd {
  server: WebsocketServer;
  /** The clients, in the order they connected (so `clients[i]` is served by `conns[i]`). */
  clients: WebSocketConn[];
  conns: ServerConn[];
  writes: WriteCounter;
}

/**
 * A corows server attached to an HTTP server whose TCP sockets are watched, and `size` clients, one
 * after the other, each in room "all".
 */
async function watchedCrowd(t: TestContext, size: number): Promise<Crowd> {
  const writes = new WriteCounter();
  const http: Server = createServer();
  http.on('connection', (socket) => writes.watch(socket));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const server = attachWebsocketServer(http).whenNewConn((conn) => conn.join('all'));
  t.after(async () => {
    await server.close('test over');
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  const { port } = http.address() as { port: number };
  const clients: WebSocketConn[] = [];
  t.after(() => Promise.all(clients.map((client) => client.close())));
  for (let i = 0; i < size; i++) {
    clients.push(await connectToWebsocket(`ws://127.0.0.1:${port}`));
    await waitFor(() => server.connections.size === i + 1, `connection ${i + 1}`);
  }
  return { server, clients, conns: [...server.connections], writes };
}

async function receive(client: WebSocketConn, count: number): Promise<Message[]> {
  const got: Message[] = [];
  while (got.length < count) got.push((await client.receiveMessage({ timeout: 5_000 })) as Message);
  return got;
}

/** What each socket wrote during `burst`, once every client has its `messages` messages. */
async function writesDuring(crowd: Crowd, messages: number, burst: () => void): Promise<{ writes: number[]; received: Message[][] }> {
  const before = crowd.writes.snapshot();
  burst();
  const received = await Promise.all(crowd.clients.map((client) => receive(client, messages)));
  const after = crowd.writes.snapshot();
  return { writes: after.map((n, i) => n - (before[i] as number)), received };
}

const BURST = 20;

test('a burst of broadcasts in one tick goes out as one write per socket, and so do the same sends per connection but for the first', async (t) => {
  const crowd = await watchedCrowd(t, 4);
  const expected = Array.from({ length: BURST }, (_, i) => `m${i}`);

  const sends = await writesDuring(crowd, BURST, () => {
    for (const conn of crowd.conns) for (const text of expected) void conn.sendMessage(text);
  });
  const broadcasts = await writesDuring(crowd, BURST, () => {
    for (const text of expected) void crowd.server.broadcast(text);
  });
  const rooms = await writesDuring(crowd, BURST, () => {
    for (const text of expected) void crowd.server.to('all').sendMessage(text);
  });

  for (const { received } of [sends, broadcasts, rooms]) for (const log of received) assert.deepEqual(log, expected);
  // The tick's first send goes at once (it may be alone: a ping-pong), the rest at the tick's end.
  assert.deepEqual(sends.writes, [2, 1, 1, 1], 'sends of one tick: the first at once, then the others together');
  assert.deepEqual(broadcasts.writes, [1, 1, 1, 1], 'server.broadcast() burst: one write per socket');
  assert.deepEqual(rooms.writes, [1, 1, 1, 1], 'server.to(room) burst: one write per socket');
});

test('broadcasts, room messages and sends of one tick arrive in call order, in one write per socket', async (t) => {
  const crowd = await watchedCrowd(t, 3);
  const [first] = crowd.conns;
  const { writes, received } = await writesDuring(crowd, 8, () => {
    void crowd.server.broadcast('broadcast 1');
    for (const conn of crowd.conns) void conn.sendMessage(`direct 1 ${conn === first}`);
    void crowd.server.to('all').send({ room: 1 });
    for (const conn of crowd.conns) void conn.send({ direct: 2 });
    void crowd.server.broadcast(new Uint8Array([1, 2, 3]));
    void crowd.server.to('all').except(first as ServerConn).sendMessage('room 2');
    for (const conn of crowd.conns) void conn.sendMessage('direct 3');
    void first?.sendMessage('room 2 skipped me');
    void crowd.server.broadcast('broadcast 3');
  });
  assert.deepEqual(writes, [1, 1, 1]);
  for (const [i, log] of received.entries()) {
    const isFirst = crowd.conns[i] === first;
    assert.deepEqual(log, [
      'broadcast 1',
      `direct 1 ${isFirst}`,
      '{"room":1}',
      '{"direct":2}',
      Buffer.from([1, 2, 3]),
      isFirst ? 'direct 3' : 'room 2',
      isFirst ? 'room 2 skipped me' : 'direct 3',
      'broadcast 3',
    ]);
  }
});

test('a broadcast past what one tick holds back is written at once, still in order', async (t) => {
  const crowd = await watchedCrowd(t, 2);
  const big = 'x'.repeat(100 * 1024);
  const { writes, received } = await writesDuring(crowd, 4, () => {
    for (const conn of crowd.conns) void conn.sendMessage('before');
    void crowd.server.broadcast(big);
    void crowd.server.broadcast('after');
    for (const conn of crowd.conns) void conn.sendMessage('last');
  });
  for (const log of received) assert.deepEqual(log, ['before', big, 'after', 'last']);
  // The tick's first send goes at once; the big frame takes each corked socket past the bound, so it
  // goes at once too (with what the socket held before it); what follows waits for the tick's end.
  assert.deepEqual(writes, [3, 2]);
});

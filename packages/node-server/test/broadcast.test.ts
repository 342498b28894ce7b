import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as wsModule from 'ws';
import { WebSocket } from 'ws';
import { connectToWebsocket, type Message, type WebSocketConn } from '../src/index.js';
import { deferred, nextConn, startServer, waitFor } from './helpers.js';

/** Counts `ws`'s `Sender.frame` calls while `body` runs. */
async function countFraming<T>(body: () => Promise<T>): Promise<{ result: T; frames: number }> {
  const sender = (wsModule as unknown as { Sender: { frame: (...args: unknown[]) => unknown } }).Sender;
  const original = sender.frame;
  let frames = 0;
  sender.frame = function (this: unknown, ...args: unknown[]) {
    frames++;
    return original.apply(this, args);
  };
  try {
    return { result: await body(), frames };
  } finally {
    sender.frame = original;
  }
}

test('broadcast to 1,000 connections delivers every message exactly once, in order, framed once', async (t) => {
  const count = 1000;
  const messages = ['one', 'two', new Uint8Array([3, 3, 3]), 'four'];
  const { server, url } = await startServer(t);
  const received: Message[][] = [];
  const clients: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(Array.from({ length: 100 }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      const log: Message[] = [];
      received.push(log);
      ws.on('message', (data: Buffer, isBinary) => log.push(isBinary ? new Uint8Array(data) : data.toString()));
      ws.once('open', () => resolve(ws)).once('error', reject);
    })));
    clients.push(...batch);
  }
  t.after(() => clients.forEach((ws) => ws.terminate()));
  await waitFor(() => server.connections.size === count, 'every connection');

  const { frames } = await countFraming(async () => {
    for (const message of messages) assert.equal(await server.broadcast(message), null);
  });
  assert.equal(frames, messages.length, 'each message framed once, not once per connection');

  await waitFor(() => received.every((log) => log.length >= messages.length), 'every client to get every message', 20_000);
  await new Promise((resolve) => setTimeout(resolve, 50)); // room for a duplicate to show up
  for (const log of received) assert.deepEqual(log, messages);
  assert.equal(server.metrics.messagesOut, count * messages.length);
});

test('broadcast options: except leaves out the sender, filter picks connections on this node', async (t) => {
  const { server, url } = await startServer<{ vip: boolean }>(t, (conn) => {
    conn.data.vip = conn.url.includes('vip');
  });
  const a = await connectToWebsocket(`${url}/vip`);
  const b = await connectToWebsocket(url);
  const c = await connectToWebsocket(`${url}/vip`);
  t.after(() => Promise.all([a, b, c].map((conn) => conn.close())));
  await waitFor(() => server.connections.size === 3, 'three connections');
  const [first] = server.connections;

  await server.broadcast('not the first', { except: first });
  await server.broadcast('vips only', { filter: (conn) => conn.data.vip });
  await server.broadcast('everyone');
  const logs = await Promise.all([a, b, c].map(async (conn) => {
    const got: unknown[] = [];
    for (;;) {
      const msg = await conn.receiveMessage();
      got.push(msg);
      if (msg === 'everyone') return got;
    }
  }));
  assert.deepEqual(logs[0], ['vips only', 'everyone']); // a was accepted first
  assert.deepEqual(logs[1], ['not the first', 'everyone']);
  assert.deepEqual(logs[2], ['not the first', 'vips only', 'everyone']);

  assert.match(String(await server.broadcast({ not: 'bytes' } as unknown as string)), /broadcast\(\) takes a string or bytes/);
  assert.match(String(await server.to('x').send(10n)), /cannot encode/);
});

test('rooms deliver only to members, union without duplicates, and are cleaned up when connections close', async (t) => {
  const { server, url } = await startServer(t, (conn) => {
    for (const room of new URL(conn.url, 'http://x').searchParams.getAll('room')) conn.join(room);
    void conn.sendMessage('joined');
  });
  const names = ['red', 'blue', 'both', 'none'] as const;
  const rooms: Record<(typeof names)[number], string[]> = { red: ['red'], blue: ['blue'], both: ['red', 'blue'], none: [] };
  const conns = new Map<string, WebSocketConn>();
  for (const name of names) {
    const conn = await connectToWebsocket(`${url}/?${rooms[name].map((r) => `room=${r}`).join('&')}`);
    assert.equal(await conn.receiveMessage(), 'joined');
    conns.set(name, conn);
  }
  t.after(() => Promise.all([...conns.values()].map((conn) => conn.close())));

  await server.to('red').sendMessage('to red');
  await server.to('blue').send({ to: 'blue' });
  await server.to('red').to('blue').sendBinary(new Uint8Array([1, 2]));
  await server.to(['red', 'blue']).except([...server.connections][2] as { id: string }).sendMessage('red or blue, not both');
  await server.broadcast('end');

  const seen = new Map<string, unknown[]>();
  for (const [name, conn] of conns) {
    const got: unknown[] = [];
    for (let msg = await conn.receiveMessage(); msg !== 'end'; msg = await conn.receiveMessage()) got.push(msg instanceof Uint8Array ? [...msg] : msg);
    seen.set(name, got);
  }
  assert.deepEqual(seen.get('red'), ['to red', [1, 2], 'red or blue, not both']);
  assert.deepEqual(seen.get('blue'), ['{"to":"blue"}', [1, 2], 'red or blue, not both']);
  assert.deepEqual(seen.get('both'), ['to red', '{"to":"blue"}', [1, 2]]);
  assert.deepEqual(seen.get('none'), []);

  assert.deepEqual([...await server.roomMembers('red')].length, 2);
  await conns.get('both')?.close();
  await conns.get('red')?.close();
  await waitFor(() => server.connections.size === 2, 'the closes');
  assert.equal((await server.roomMembers('red')).size, 0);
  assert.equal((await server.roomMembers('blue')).size, 1);
});

test('join and leave: idempotent, checked, and a closed connection joins nothing', async (t) => {
  const { server, url } = await startServer(t);
  const accepted = nextConn(server);
  const client = await connectToWebsocket(url);
  const conn = await accepted;
  conn.join('a');
  conn.join('a');
  conn.join('b');
  assert.deepEqual([...conn.rooms], ['a', 'b']);
  conn.leave('a');
  conn.leave('zzz');
  assert.deepEqual([...conn.rooms], ['b']);
  assert.throws(() => conn.join(''), /room name/);
  assert.throws(() => conn.join(42 as unknown as string), TypeError);
  await client.close();
  await waitFor(() => conn.state === 'CLOSED', 'the close');
  conn.join('late');
  assert.deepEqual([...conn.rooms], []);
  assert.equal((await server.roomMembers('late')).size, 0);
});

test('with permessage-deflate negotiated, broadcast falls back to per-connection sends and stays in order', async (t) => {
  const { server, url } = await startServer(t, undefined, { perMessageDeflate: { threshold: 0 } });
  const deflated = await connectToWebsocket(url, { perMessageDeflate: true });
  const plain = await connectToWebsocket(url);
  t.after(() => Promise.all([deflated.close(), plain.close()]));
  await waitFor(() => server.connections.size === 2, 'two connections');
  const conns = [...server.connections];
  const text = 'x'.repeat(10_000);
  for (const conn of conns) void conn.sendMessage('direct first');
  await server.broadcast(text);
  for (const conn of conns) void conn.sendMessage('direct last');
  for (const client of [deflated, plain]) {
    assert.equal(await client.receiveMessage(), 'direct first');
    assert.equal(await client.receiveMessage(), text);
    assert.equal(await client.receiveMessage(), 'direct last');
  }
});

test('a broadcast right after a send on a busy connection keeps the order', async (t) => {
  const { server, url } = await startServer(t);
  const client = await connectToWebsocket(url, { maxPayload: 4 * 1024 * 1024 });
  t.after(() => client.close());
  await waitFor(() => server.connections.size === 1, 'the connection');
  const [conn] = server.connections;
  const done = deferred<void>();
  const big = new Uint8Array(2 * 1024 * 1024);
  void conn?.sendBinary(big).then(() => done.resolve());
  for (let i = 0; i < 5; i++) void server.broadcast(`b${i}`);
  assert.equal(((await client.receiveMessage()) as Uint8Array).length, big.length);
  for (let i = 0; i < 5; i++) assert.equal(await client.receiveMessage(), `b${i}`);
  await done.promise;
});

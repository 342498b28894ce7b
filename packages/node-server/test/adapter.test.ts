import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  connectToWebsocket,
  createWebsocketServer,
  InProcessAdapter,
  InProcessHub,
  type AdapterHost,
  type BroadcastPacket,
  type ServerAdapter,
  type WebSocketConn,
} from '../src/index.js';
import { startServer, waitFor } from './helpers.js';

/** Reads messages until `last`, which it leaves out. */
async function readUntil(conn: WebSocketConn, last: string): Promise<unknown[]> {
  const got: unknown[] = [];
  for (let msg = await conn.receiveMessage(); msg !== last; msg = await conn.receiveMessage()) got.push(msg);
  return got;
}

test('servers on one InProcessHub act as one: broadcasts and rooms reach every node exactly once', async (t) => {
  const hub = new InProcessHub();
  const nodes = await Promise.all([0, 1, 2].map(() =>
    startServer(t, (conn) => {
      const room = new URL(conn.url, 'http://x').searchParams.get('room');
      if (room !== null) conn.join(room);
      void conn.sendMessage('ready');
    }, { adapter: new InProcessAdapter(hub) })));
  assert.equal(new Set(nodes.map(({ server }) => server.nodeId)).size, 3);

  const clients: { node: number; room: string; conn: WebSocketConn }[] = [];
  for (const [node, { url }] of nodes.entries()) {
    for (const room of ['a', 'b']) {
      const conn = await connectToWebsocket(`${url}/?room=${room}`);
      assert.equal(await conn.receiveMessage(), 'ready');
      clients.push({ node, room, conn });
    }
  }
  t.after(() => Promise.all(clients.map(({ conn }) => conn.close())));
  const [first, second] = nodes.map(({ server }) => server);

  await first?.broadcast('to all');
  await second?.to('a').sendMessage('to room a');
  const excluded = [...(first?.connections ?? [])].find((conn) => conn.rooms.has('b'));
  await second?.to('b').except(excluded as { id: string }).send({ room: 'b' });
  await first?.broadcast('local only', { filter: () => true });
  await first?.broadcast('end');

  for (const { node, room, conn } of clients) {
    const expected: unknown[] = ['to all'];
    if (room === 'a') expected.push('to room a');
    if (room === 'b' && !(node === 0)) expected.push('{"room":"b"}');
    if (node === 0) expected.push('local only');
    assert.deepEqual(await readUntil(conn, 'end'), expected, `node ${node}, room ${room}`);
  }
  assert.equal((await second?.roomMembers('a'))?.size, 3);

  await nodes[2]?.server.close();
  assert.equal((await first?.roomMembers('a'))?.size, 2, 'a closed node leaves the hub');
});

test('an adapter that fails to start kills the server with a reason that says so', async () => {
  const failing: ServerAdapter = {
    start: () => Promise.reject(new Error('redis unreachable')),
    broadcast: () => undefined,
    joined: () => undefined,
    left: () => undefined,
    disconnected: () => undefined,
    members: () => Promise.resolve(new Set()),
    close: () => undefined,
  };
  const server = createWebsocketServer('127.0.0.1', 0, { adapter: failing });
  const reason = await new Promise<string>((resolve) => server.whenDead(resolve));
  assert.match(reason, /the adapter failed to start: redis unreachable/);
  await assert.rejects(server.listening, /adapter failed to start/);
});

test('a custom adapter sees membership changes and packets; its failures reach the caller, not the process', async (t) => {
  const events: string[] = [];
  let host: AdapterHost | undefined;
  const adapter: ServerAdapter = {
    start: (h) => {
      host = h;
    },
    broadcast: (packet: BroadcastPacket) => {
      events.push(`broadcast ${String(packet.data)} rooms=${packet.rooms.join(',')} except=${packet.except.length}`);
      if (packet.data === 'fail') return Promise.reject(new Error('publish failed'));
      host?.deliver(packet);
      return undefined;
    },
    joined: (id, room) => {
      events.push(`joined ${room}`);
      return room === 'bad' ? Promise.reject(new Error('sadd failed')) : undefined;
    },
    left: (id, room) => void events.push(`left ${room}`),
    disconnected: (id, rooms) => void events.push(`disconnected ${rooms.join(',')}`),
    members: (room) => Promise.resolve(host?.localMembers(room) ?? new Set()),
    close: () => void events.push('close'),
  };
  const errors: Error[] = [];
  const { server, url } = await startServer(t, (conn) => {
    conn.join('x');
    conn.join('bad');
    conn.leave('x');
    conn.join('y');
    void conn.sendMessage('ready');
  }, { adapter });
  server.on('error', (err) => errors.push(err));
  const client = await connectToWebsocket(url);
  assert.equal(await client.receiveMessage(), 'ready');

  assert.equal(await server.to('y').sendMessage('hi y'), null);
  assert.equal(await client.receiveMessage(), 'hi y');
  const failed = await server.broadcast('fail');
  assert.match(String(failed), /broadcast failed in the adapter: publish failed/);
  await waitFor(() => errors.length === 1, 'the joined() failure to be reported');
  assert.match(errors[0]?.message ?? '', /adapter\.joined\(\) failed: sadd failed/);

  await client.close();
  await waitFor(() => events.includes('disconnected bad,y'), 'the disconnect');
  await server.close();
  assert.deepEqual(events, [
    'joined x', 'joined bad', 'left x', 'joined y',
    'broadcast hi y rooms=y except=0', 'broadcast fail rooms= except=0',
    'disconnected bad,y', 'close',
  ]);
});

test('one InProcessAdapter serves one server', async (t) => {
  const adapter = new InProcessAdapter();
  const { server, url } = await startServer(t, undefined, { adapter });
  const second = createWebsocketServer('127.0.0.1', 0, { adapter });
  second.on('error', () => undefined);
  assert.match(await new Promise<string>((resolve) => second.whenDead(resolve)), /already serves a server/);
  assert.equal(server.dead, false);
  const client = await connectToWebsocket(url);
  t.after(() => client.close());
  await waitFor(() => server.connections.size === 1, 'the connection');
  await server.broadcast('still mine');
  assert.equal(await client.receiveMessage(), 'still mine');
});

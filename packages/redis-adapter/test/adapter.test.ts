import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { connectToWebsocket, createWebsocketServer, CorowsError } from '@corows/node-server';
import { RedisAdapter, RedisUnavailableError } from '../src/index.js';
import { encodeHello } from '../src/codec.js';
import { defer, startRedis, startServer, waitFor } from './helpers.js';
import { freePort, SKIP_WITHOUT_REDIS } from './redis-server.js';
import { TcpProxy } from './tcp-proxy.js';

const skip = SKIP_WITHOUT_REDIS;

/** How many PUBLISH commands Redis has run (INFO commandstats). */
async function publishCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/cmdstat_publish:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

test('a node alone skips Redis; a second node ends the fast path; alone again once it leaves', { skip }, async (t) => {
  const redis = await startRedis(t);
  const probe = new Redis(redis.url);
  defer(t, () => probe.disconnect());
  const first = new RedisAdapter({ redis: redis.url, heartbeatInterval: 50, nodeTimeout: 500 });
  const a = await startServer(t, { adapter: first });
  const onA = await connectToWebsocket(a.url);
  defer(t, () => onA.close());
  assert.equal(first.status, 'ready');
  assert.equal(first.alone, true);

  const before = await publishCalls(probe);
  for (const text of ['one', 'two', 'three']) assert.equal(await a.server.broadcast(text), null);
  assert.deepEqual([await onA.receiveMessage(), await onA.receiveMessage(), await onA.receiveMessage()], ['one', 'two', 'three']);
  assert.equal(await publishCalls(probe), before, 'a lone node publishes nothing');
  assert.deepEqual([...await a.server.roomMembers('none')], []);

  const second = new RedisAdapter({ redis: redis.url, heartbeatInterval: 50, nodeTimeout: 500 });
  const b = await startServer(t, { adapter: second });
  const onB = await connectToWebsocket(b.url);
  defer(t, () => onB.close());
  assert.equal(second.alone, false, 'the newcomer counts the subscribers');
  await waitFor(() => !first.alone, 'the first node to hear the hello');
  assert.equal(await a.server.broadcast(new Uint8Array([1, 2, 3])), null);
  assert.deepEqual(new Uint8Array(await onB.receiveMessage() as Uint8Array), new Uint8Array([1, 2, 3]));
  assert.deepEqual(new Uint8Array(await onA.receiveMessage() as Uint8Array), new Uint8Array([1, 2, 3]));
  assert.ok(await publishCalls(probe) > before);

  await b.server.close();
  assert.equal(second.status, 'closed');
  await waitFor(() => first.alone, 'the first node to find itself alone again (heartbeat)');
});

test('Redis unreachable at start: the server dies with a reason naming the address and the cause', { skip }, async () => {
  const port = await freePort();
  const adapter = new RedisAdapter({ redis: `redis://127.0.0.1:${port}`, connectTimeout: 300 });
  const server = createWebsocketServer('127.0.0.1', 0, { adapter });
  server.on('error', () => undefined);
  const reason = await new Promise<string>((resolve) => server.whenDead(resolve));
  assert.match(reason, new RegExp(`the adapter failed to start: cannot reach Redis at 127\\.0\\.0\\.1:${port} within 300 ms: connect ECONNREFUSED`));
  await assert.rejects(server.listening, /cannot reach Redis/);
  assert.equal(adapter.status, 'closed');
});

test('a Redis Cluster unreachable at start: the server dies with a reason naming its nodes', { skip }, async () => {
  const port = await freePort();
  const adapter = new RedisAdapter({ redis: { cluster: [`redis://127.0.0.1:${port}`] }, connectTimeout: 300 });
  const server = createWebsocketServer('127.0.0.1', 0, { adapter });
  server.on('error', () => undefined);
  const reason = await new Promise<string>((resolve) => server.whenDead(resolve));
  assert.match(reason, new RegExp(`the adapter failed to start: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(cluster\\) within 300 ms`));
  assert.equal(adapter.status, 'closed');
});

test('a node that closes removes its members from Redis at once', { skip }, async (t) => {
  const redis = await startRedis(t);
  const probe = new Redis(redis.url);
  defer(t, () => probe.disconnect());
  const options = { redis: redis.url, prefix: 'close-test' };
  const a = await startServer(t, { adapter: new RedisAdapter(options) }, (conn) => conn.join('x'));
  const b = await startServer(t, { adapter: new RedisAdapter(options) });
  const client = await connectToWebsocket(a.url);
  await waitFor(async () => (await b.server.roomMembers('x')).size === 1, 'node b to see the member of node a');
  assert.ok((await probe.keys(`close-test:members:${a.server.nodeId}:*`)).length > 0);

  await a.server.close();
  assert.equal(client.state, 'CLOSED');
  assert.deepEqual([...await b.server.roomMembers('x')], [], 'gone without waiting for nodeTimeout');
  assert.deepEqual(await probe.keys(`close-test:members:${a.server.nodeId}:*`), []);
});

test('a message on the channel that corows cannot read is reported once and ignored', { skip }, async (t) => {
  const redis = await startRedis(t);
  const probe = new Redis(redis.url);
  defer(t, () => probe.disconnect());
  const adapter = new RedisAdapter({ redis: redis.url, prefix: 'noise' });
  const { server, url } = await startServer(t, { adapter });
  const errors: Error[] = [];
  server.on('error', (err) => errors.push(err));
  const client = await connectToWebsocket(url);
  defer(t, () => client.close());

  await probe.publish('noise:packets', 'not msgpack at all \xff');
  await probe.publish('noise:packets', Buffer.from([0x93, 0x02, 0x01, 0xa1, 0x78])); // [2, 1, 'x']: a future format
  await probe.publish('noise:packets', encodeHello('someone-else'));
  await waitFor(() => !adapter.alone, 'the hello published after the noise');
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof CorowsError);
  assert.match(errors[0].message, /ignored a message on the Redis channel noise:packets that corows cannot read .*give this application its own prefix/);
  assert.equal(await server.broadcast('still fine'), null);
  assert.equal(await client.receiveMessage(), 'still fine');
});

test('an ioredis client passed in is duplicated and left open', { skip }, async (t) => {
  const redis = await startRedis(t);
  const mine = new Redis(redis.url);
  defer(t, () => mine.disconnect());
  const adapter = new RedisAdapter({ redis: mine, prefix: 'dup' });
  const { server } = await startServer(t, { adapter });
  assert.equal(adapter.status, 'ready');
  const names = await mine.client('LIST');
  assert.match(String(names), new RegExp(`name=corows:${server.nodeId}:subscriber`));
  await server.close();
  assert.equal(await mine.ping(), 'PONG');
});

test('roomMembers() and broadcasts fail clearly, and the server lives on, while Redis is down', { skip }, async (t) => {
  const redis = await startRedis(t);
  const options = { redis: redis.url, heartbeatInterval: 50, nodeTimeout: 500 };
  const adapter = new RedisAdapter(options);
  const a = await startServer(t, { adapter }, (conn) => conn.join('r'));
  await startServer(t, { adapter: new RedisAdapter(options) });
  const errors: Error[] = [];
  a.server.on('error', (err) => errors.push(err));
  const client = await connectToWebsocket(a.url);
  defer(t, () => client.close());
  await waitFor(() => !adapter.alone, 'two nodes');

  await redis.kill();
  await waitFor(() => adapter.status === 'reconnecting', 'the adapter to notice');
  assert.equal(errors.length, 1, 'the outage is reported once');
  assert.ok(errors[0]?.cause instanceof RedisUnavailableError);
  assert.match(errors[0].message, /lost the connection to Redis at 127\.0\.0\.1:\d+( \((read ECONNRESET|write EPIPE)\))?; reconnecting/);
  const failed = await a.server.to('r').sendMessage('local only');
  assert.ok(failed instanceof CorowsError);
  assert.ok(failed.cause instanceof RedisUnavailableError);
  assert.match(failed.message, /reached this node's connections only \(1\)/);
  assert.equal(await client.receiveMessage(), 'local only');
  await assert.rejects(a.server.roomMembers('r'), (err: unknown) => err instanceof RedisUnavailableError && /unreachable/.test(err.message));

  await redis.start();
  await waitFor(() => adapter.status === 'ready', 'the adapter to reconnect', 10_000);
  assert.deepEqual([...await a.server.roomMembers('r')].length, 1);
  assert.equal(errors.length, 1, 'reconnecting reports nothing more');
});

test('a network cut while Redis keeps its data: on reconnect a node rewrites its membership', { skip }, async (t) => {
  const redis = await startRedis(t);
  const proxy = await TcpProxy.open(redis.port);
  defer(t, () => proxy.cut());
  const options = { heartbeatInterval: 50, nodeTimeout: 5_000 };
  const adapter = new RedisAdapter({ ...options, redis: `redis://127.0.0.1:${proxy.port}` });
  const a = await startServer(t, { adapter }, (conn) => {
    for (const room of new URL(conn.url, 'http://x').searchParams.getAll('room')) conn.join(room);
  });
  const b = await startServer(t, { adapter: new RedisAdapter({ ...options, redis: redis.url }) });
  a.server.on('error', () => undefined);
  const leaving = await connectToWebsocket(`${a.url}/?room=x&room=y`);
  const staying = await connectToWebsocket(`${a.url}/?room=x`);
  defer(t, () => staying.close());
  const members = async (room: string): Promise<number> => (await b.server.roomMembers(room)).size;
  await waitFor(async () => (await members('x')) === 2 && (await members('y')) === 1, 'node b to see the members of node a');

  await proxy.cut();
  await waitFor(() => adapter.status === 'reconnecting', 'node a to notice the cut');
  await leaving.close();
  await waitFor(() => a.server.connections.size === 1, 'node a to forget the leaving client');
  const joining = await connectToWebsocket(`${a.url}/?room=z`);
  defer(t, () => joining.close());
  await waitFor(() => a.server.connections.size === 2, 'the new client');
  // Asked of Redis itself: node b, alone on the channel meanwhile, answers from its own connections.
  const probe = new Redis(redis.url);
  defer(t, () => probe.disconnect());
  assert.equal(await probe.scard(`corows:members:${a.server.nodeId}:y`), 1, 'while cut off, node a cannot tell Redis (it keeps the old state)');

  await proxy.heal();
  await waitFor(() => adapter.status === 'ready', 'node a to reconnect', 10_000);
  await waitFor(async () => JSON.stringify([await members('x'), await members('y'), await members('z')]) === '[1,0,1]', 'node b to see the rewritten membership');
});

test('options are checked at once; one adapter serves one server', async (t) => {
  assert.throws(() => new RedisAdapter({ prefix: '' }), /prefix must be a non-empty string/);
  assert.throws(() => new RedisAdapter({ heartbeatInterval: 0 }), RangeError);
  assert.throws(() => new RedisAdapter({ heartbeatInterval: 1000, nodeTimeout: 1000 }), /nodeTimeout \(1000 ms\) must be more than heartbeatInterval \(1000 ms\)/);
  assert.throws(() => new RedisAdapter({ redis: 42 as never }), TypeError);
  assert.throws(() => new RedisAdapter({ redis: { cluster: [] } }), /redis\.cluster must list at least one node of the cluster/);
  assert.throws(() => new RedisAdapter({ redis: { cluster: ['redis://127.0.0.1:7000'] }, prefix: 'app{1}' }), /on a Redis Cluster the prefix must not contain \{ or \}/);
  assert.doesNotThrow(() => new RedisAdapter({ redis: 'redis://127.0.0.1:6379', prefix: 'app{1}' }), 'braces are fine on a single Redis');
  const adapter = new RedisAdapter({ heartbeatInterval: 10_000 });
  assert.equal(adapter.status, 'idle');

  if (skip !== false) return;
  const redis = await startRedis(t);
  const shared = new RedisAdapter({ redis: redis.url });
  await startServer(t, { adapter: shared });
  const second = createWebsocketServer('127.0.0.1', 0, { adapter: shared });
  second.on('error', () => undefined);
  assert.match(await new Promise<string>((resolve) => second.whenDead(resolve)), /already serves a server/);
  assert.equal(shared.status, 'ready');
});

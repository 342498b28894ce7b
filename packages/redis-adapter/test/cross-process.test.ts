import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { defer } from './helpers.js';
import { NodeClient, startNode, type NodeProcess } from './nodes.js';
import { RedisProcess, SKIP_WITHOUT_REDIS } from './redis-server.js';

const HEARTBEAT_INTERVAL = 250;
const NODE_TIMEOUT = 2_000;

/** Every client's broadcasts must be exactly `expected(client)` (in any order: nodes run in parallel). */
type Expectation = (client: NodeClient) => string[];

/** One command a client sends to its node. */
interface Send {
  from: NodeClient;
  fields: Record<string, unknown>;
  /** The error the broadcast must resolve, if it must fail. */
  error?: RegExp;
}

const hex = (bytes: Buffer): string => `bin:${bytes.toString('hex')}`;

/**
 * Runs `sends` one after another (each resolved before the next), then has every live node broadcast
 * an end marker. Redis keeps each publisher's order, so once a client has all markers it has everything
 * sent before them: what it got must then be exactly what `expected` says, each message once.
 */
async function round(name: string, clients: NodeClient[], nodes: NodeProcess[], sends: Send[], expected: Expectation): Promise<void> {
  for (const { from, fields, error } of sends) {
    const reply = await from.command('broadcast', fields);
    if (error === undefined) assert.equal(reply.error, null, `${name}: the broadcast from node ${from.node} failed`);
    else assert.match(String(reply.error), error, `${name}: the broadcast from node ${from.node} should fail`);
  }
  const markers = nodes.map((node) => `end:${name}:${node.index}`);
  for (const [i, node] of nodes.entries()) {
    const sender = clients.find((client) => client.node === node.index) as NodeClient;
    assert.equal((await sender.command('broadcast', { text: markers[i] })).error, null);
  }
  for (const client of clients) {
    for (const marker of markers) await client.waitFor((msg) => msg === marker, `${name}: ${marker}`);
    const got = client.received.splice(0).filter((msg) => !msg.startsWith('end:'));
    assert.deepEqual(got.sort(), expected(client).sort(), `${name}: client of node ${client.node} in rooms [${client.rooms.join(',')}]`);
  }
}

async function until(what: string, check: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function members(client: NodeClient, room: string): Promise<string[]> {
  const reply = await client.command('members', { room });
  if (typeof reply.error === 'string') throw new Error(reply.error);
  return (reply.members as string[]).sort();
}

const ids = (clients: NodeClient[]): string[] => clients.map((client) => client.id).sort();

test('three corows processes on one Redis act as one server', { skip: SKIP_WITHOUT_REDIS }, async (t: TestContext) => {
  const redis = await RedisProcess.launch();
  defer(t, () => redis.kill());
  const nodes = await Promise.all([0, 1, 2].map((index) =>
    startNode(t, index, { redisUrl: redis.url, heartbeatInterval: HEARTBEAT_INTERVAL, nodeTimeout: NODE_TIMEOUT })));
  const clients: NodeClient[] = [];
  for (const node of nodes) {
    for (const rooms of [[], ['a'], ['b'], ['a', 'b']]) clients.push(await NodeClient.connect(node, rooms));
  }
  defer(t, () => Promise.all(clients.map((client) => client.conn.close())));
  const inRoom = (room: string): NodeClient[] => clients.filter((client) => client.rooms.includes(room));
  const client = (node: number, rooms: string): NodeClient =>
    clients.find((c) => c.node === node && c.rooms.join(',') === rooms) as NodeClient;

  await t.test('broadcasts and room messages reach every intended client once, text and binary, with except', async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(64 * 1024)]);
    const small = Buffer.from([0, 0xff, 0x80, 0x0a, 0x0d]);
    const exceptIds = [client(1, 'a').id, client(2, '').id];
    await round('first', clients, nodes, [
      { from: client(0, 'a'), fields: { text: 'to all' } },
      { from: client(1, ''), fields: { base64: bytes.toString('base64') } },
      { from: client(2, 'b'), fields: { text: 'to a: héllo ✓ 🚀', to: ['a'] } },
      { from: client(0, ''), fields: { base64: small.toString('base64'), to: ['b'], except: [client(1, 'b').id], exceptSelf: true } },
      { from: client(1, 'a,b'), fields: { text: 'to a or b', to: ['a', 'b'], exceptSelf: true } },
      { from: client(2, 'a'), fields: { text: 'all but two', except: exceptIds } },
      { from: client(0, 'a'), fields: { text: 'to nobody', to: ['empty-room'] } },
    ], (c) => [
      'to all',
      hex(bytes),
      ...(c.rooms.includes('a') ? ['to a: héllo ✓ 🚀'] : []),
      ...(c.rooms.includes('b') && c.id !== client(1, 'b').id ? [hex(small)] : []),
      ...((c.rooms.includes('a') || c.rooms.includes('b')) && c.id !== client(1, 'a,b').id ? ['to a or b'] : []),
      ...(exceptIds.includes(c.id) ? [] : ['all but two']),
    ]);
  });

  await t.test('roomMembers() lists the members of every node', async () => {
    assert.deepEqual(await members(client(0, ''), 'a'), ids(inRoom('a')));
    assert.deepEqual(await members(client(2, 'b'), 'b'), ids(inRoom('b')));
    assert.deepEqual(await members(client(1, ''), 'nobody-here'), []);
    await client(1, 'a').command('leave', { room: 'a' });
    const stillInA = ids(inRoom('a').filter((c) => c !== client(1, 'a')));
    await until('node 0 to see the leave of node 1', async () => JSON.stringify(await members(client(0, ''), 'a')) === JSON.stringify(stillInA));
    await client(1, 'a').command('join', { room: 'a' });
    await until('node 2 to see the join again', async () => JSON.stringify(await members(client(2, ''), 'a')) === JSON.stringify(ids(inRoom('a'))));
  });

  await t.test('Redis restarts: the nodes report it, keep serving locally, reconnect, republish membership', async () => {
    await redis.kill();
    for (const node of nodes) {
      await until(`node ${node.index} to report the lost connection`, async () => node.errors.some((e) => /lost the connection to Redis at 127\.0\.0\.1:\d+/.test(e)));
    }
    for (const c of [client(0, ''), client(1, ''), client(2, '')]) assert.equal((await c.command('status')).status, 'reconnecting');
    const during = await client(0, 'a').command('broadcast', { text: 'during the outage' });
    assert.match(String(during.error), /the broadcast reached this node's connections only \(4\): Redis at 127\.0\.0\.1:\d+ is unreachable/);
    assert.match(String((await client(1, '').command('members', { room: 'a' })).error), /cannot list the members of room "a" on every node: Redis at .* is unreachable/);
    await client(2, 'b').command('join', { room: 'c' }); // kept locally, published on reconnect

    await redis.start();
    for (const c of [client(0, ''), client(1, ''), client(2, '')]) {
      await until(`node ${c.node} to be ready again`, async () => (await c.command('status')).status === 'ready');
    }
    assert.deepEqual(await members(client(0, ''), 'a'), ids(inRoom('a')), 'membership was published again into the empty Redis');
    assert.deepEqual(await members(client(1, ''), 'c'), [client(2, 'b').id]);
    await round('after restart', clients, nodes, [
      { from: client(1, 'b'), fields: { text: 'back to all' } },
      { from: client(2, ''), fields: { base64: Buffer.from('bytes again').toString('base64'), to: ['b'] } },
    ], (c) => [
      ...(c.node === 0 ? ['during the outage'] : []),
      'back to all',
      ...(c.rooms.includes('b') ? [hex(Buffer.from('bytes again'))] : []),
    ]);
  });

  await t.test('a node killed with SIGKILL: its clients drop, the others keep working, its members expire', async () => {
    const dead = nodes[2] as NodeProcess;
    const deadClients = clients.filter((c) => c.node === 2);
    const closed = deadClients.map((c) => new Promise<number>((resolve) => c.conn.once('close', (code) => resolve(code))));
    await dead.kill();
    assert.deepEqual(await Promise.all(closed), deadClients.map(() => 1006));
    const live = clients.filter((c) => c.node !== 2);
    const liveNodes = nodes.filter((node) => node !== dead);
    assert.deepEqual(await members(client(0, ''), 'a'), ids(inRoom('a')), 'until nodeTimeout, the dead node\'s members are still listed');
    await round('after the kill', live, liveNodes, [
      { from: client(0, 'b'), fields: { text: 'still here' } },
      { from: client(1, ''), fields: { text: 'room a still works', to: ['a'] } },
    ], (c) => ['still here', ...(c.rooms.includes('a') ? ['room a still works'] : [])]);
    const liveA = ids(inRoom('a').filter((c) => c.node !== 2));
    await until('the dead node\'s members to expire', async () => JSON.stringify(await members(client(1, ''), 'a')) === JSON.stringify(liveA), NODE_TIMEOUT + 5_000);
  });

  await t.test('a node started in its place joins the others', async () => {
    const replacement = await startNode(t, 3, { redisUrl: redis.url, heartbeatInterval: HEARTBEAT_INTERVAL, nodeTimeout: NODE_TIMEOUT });
    const newcomers = [await NodeClient.connect(replacement, ['a']), await NodeClient.connect(replacement, [])];
    defer(t, () => Promise.all(newcomers.map((c) => c.conn.close())));
    const live = [...clients.filter((c) => c.node !== 2), ...newcomers];
    const liveNodes = [nodes[0], nodes[1], replacement] as NodeProcess[];
    await round('after the replacement', live, liveNodes, [
      { from: newcomers[1] as NodeClient, fields: { text: 'from the newcomer', to: ['a'] } },
      { from: client(1, 'b'), fields: { text: 'to the newcomer too' } },
    ], (c) => [...(c.rooms.includes('a') ? ['from the newcomer'] : []), 'to the newcomer too']);
    assert.deepEqual(await members(client(0, ''), 'a'), ids(live.filter((c) => c.rooms.includes('a'))));
  });
});

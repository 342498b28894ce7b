import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import { connectToWebsocket } from '@corows/node-server';
import { RedisAdapter } from '../src/index.js';
import { RedisKeys } from '../src/keys.js';
import { defer, startServer, waitFor } from './helpers.js';
import { NodeClient, startNode, type NodeProcess } from './nodes.js';
import { RedisCluster, SKIP_WITHOUT_CLUSTER, type ClusterMember } from './redis-cluster.js';

const HEARTBEAT_INTERVAL = 250;
const NODE_TIMEOUT = 2_000;
const PREFIX = 'corows-test';
const keys = new RedisKeys(PREFIX, true);
const hex = (bytes: Buffer): string => `bin:${bytes.toString('hex')}`;
const ids = (clients: NodeClient[]): string[] => clients.map((client) => client.id).sort();

/**
 * Has each client send its fields as a broadcast (each resolved before the next), then every node a
 * marker. A client's messages arrive in its node's order on each channel, and each node's markers and
 * broadcasts to all share that node's lane; room messages travel on their own channel, so a client
 * waits for its markers, then for the room messages it expects.
 */
async function round(name: string, clients: NodeClient[], sends: Array<{ from: NodeClient; fields: Record<string, unknown> }>, expected: (client: NodeClient) => string[]): Promise<void> {
  for (const { from, fields } of sends) assert.equal((await from.command('broadcast', fields)).error, null, `${name}: a broadcast from node ${from.node} failed`);
  const senders = [...new Map(clients.map((client) => [client.node, client])).values()];
  for (const sender of senders) assert.equal((await sender.command('broadcast', { text: `end:${name}:${sender.node}` })).error, null);
  for (const client of clients) {
    const want = expected(client);
    for (const sender of senders) await client.waitFor((msg) => msg === `end:${name}:${sender.node}`, `${name}: the marker of node ${sender.node}`);
    for (const msg of want) await client.waitFor((got) => got === msg, `${name}: ${msg.slice(0, 40)}`);
    const got = client.received.splice(0).filter((msg) => !msg.startsWith('end:'));
    assert.deepEqual(got.sort(), want.sort(), `${name}: client of node ${client.node} in rooms [${client.rooms.join(',')}]`);
  }
}

async function members(client: NodeClient, room: string): Promise<string[]> {
  const reply = await client.command('members', { room });
  if (typeof reply.error === 'string') throw new Error(reply.error);
  return (reply.members as string[]).sort();
}

/** Subscribers of a sharded channel, counted by the master that serves it. */
async function shardSubscribers(cluster: RedisCluster, channel: string): Promise<number> {
  const member = await cluster.memberOf(calculateSlot(channel));
  const probe = new Redis(member.port, '127.0.0.1', { lazyConnect: true });
  try {
    return Number(((await probe.call('PUBSUB', 'SHARDNUMSUB', channel)) as unknown[])[1]);
  } finally {
    probe.disconnect();
  }
}

/** The first of `<stem>-0`, `<stem>-1`, … whose slot `member` serves (or, with `not`, does not). */
async function roomServedBy(cluster: RedisCluster, stem: string, member: ClusterMember, not = false): Promise<string> {
  for (let n = 0; ; n++) {
    const room = `${stem}-${n}`;
    if (((await cluster.memberOf(calculateSlot(room))) === member) !== not) return room;
  }
}

test('corows on a Redis Cluster of three masters: sharded pub/sub, rooms on their shards, a master restart', { skip: SKIP_WITHOUT_CLUSTER }, async (t: TestContext) => {
  const cluster = await RedisCluster.launch(3);
  defer(t, () => cluster.kill());

  await t.test('a node alone publishes nothing; a second node ends the fast path', async (st) => {
    const options = { redis: { cluster: cluster.urls }, prefix: 'alone-test', heartbeatInterval: 50, nodeTimeout: 500 };
    const first = new RedisAdapter(options);
    const a = await startServer(st, { adapter: first });
    const onA = await connectToWebsocket(a.url);
    defer(st, () => onA.close());
    assert.equal(first.alone, true);
    const before = await cluster.calls('spublish');
    assert.equal(await a.server.broadcast('one'), null);
    assert.equal(await onA.receiveMessage(), 'one');
    assert.deepEqual(await cluster.calls('spublish'), before, 'a lone node publishes nothing');

    const second = new RedisAdapter(options);
    const b = await startServer(st, { adapter: second });
    const onB = await connectToWebsocket(b.url);
    defer(st, () => onB.close());
    assert.equal(second.alone, false, 'the newcomer counts the subscribers on every master');
    await waitFor(() => !first.alone, 'the first node to hear the hello');
    assert.equal(await a.server.broadcast('two'), null);
    assert.equal(await onB.receiveMessage(), 'two');
    assert.deepEqual(await cluster.calls('publish'), [0, 0, 0], 'no classic PUBLISH: it would reach every shard');
  });

  await t.test('an ioredis Cluster client passed in is copied (with sharded subscribers) and left open', async (st) => {
    const mine = new Cluster(cluster.urls);
    defer(st, () => mine.disconnect());
    const adapters = [new RedisAdapter({ redis: mine, prefix: 'copy-test' }), new RedisAdapter({ redis: mine, prefix: 'copy-test' })];
    const [a, b] = [await startServer(st, { adapter: adapters[0] }), await startServer(st, { adapter: adapters[1] })];
    const onB = await connectToWebsocket(b.url);
    defer(st, () => onB.close());
    assert.equal(await a.server.broadcast('through the copies'), null);
    assert.equal(await onB.receiveMessage(), 'through the copies');
    await Promise.all([a.server.close(), b.server.close()]);
    assert.equal(await mine.set('copy-test:still-open', '1'), 'OK');
  });

  const nodes: NodeProcess[] = await Promise.all([0, 1, 2].map((index) =>
    startNode(t, index, { cluster: cluster.urls, prefix: PREFIX, heartbeatInterval: HEARTBEAT_INTERVAL, nodeTimeout: NODE_TIMEOUT })));
  const clients: NodeClient[] = [];
  defer(t, () => Promise.all(clients.map((client) => client.conn.close())));
  for (const node of nodes) clients.push(await NodeClient.connect(node));
  // The master to restart serves node 0's lane and room A; room B lives on another shard.
  const restarted = await cluster.memberOf(calculateSlot(keys.laneOf(clients[0]?.nodeId as string)));
  const roomA = await roomServedBy(cluster, 'a', restarted);
  const roomB = await roomServedBy(cluster, 'b', restarted, true);
  for (const node of nodes) {
    for (const rooms of [[roomA], [roomB], [roomA, roomB]]) clients.push(await NodeClient.connect(node, rooms));
  }
  const inRoom = (room: string): NodeClient[] => clients.filter((client) => client.rooms.includes(room));
  const client = (node: number, rooms: string[]): NodeClient =>
    clients.find((c) => c.node === node && c.rooms.join(',') === rooms.join(',')) as NodeClient;
  const waitForMembers = async (room: string, what: string): Promise<void> => {
    for (const c of [client(0, []), client(1, []), client(2, [])]) {
      await waitFor(async () => JSON.stringify(await members(c, room)) === JSON.stringify(ids(inRoom(room))), `${what}: node ${c.node} to list the members of ${room}`, 10_000);
    }
  };
  // A member listed on another node is subscribed already: its node writes it only then.
  await waitForMembers(roomA, 'start');
  await waitForMembers(roomB, 'start');

  await t.test('broadcasts and room messages reach every intended client once, text and binary, with except', async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(64 * 1024)]);
    const exceptIds = [client(1, [roomA]).id, client(2, []).id];
    await round('first', clients, [
      { from: client(0, [roomA]), fields: { text: 'to all' } },
      { from: client(1, []), fields: { base64: bytes.toString('base64') } },
      { from: client(2, [roomB]), fields: { text: 'to a: héllo ✓ 🚀', to: [roomA] } },
      { from: client(0, []), fields: { text: 'to b but one', to: [roomB], except: [client(1, [roomB]).id], exceptSelf: true } },
      { from: client(1, [roomA, roomB]), fields: { text: 'to a or b', to: [roomA, roomB], exceptSelf: true } },
      { from: client(2, [roomA]), fields: { text: 'all but two', except: exceptIds } },
      { from: client(0, [roomA]), fields: { text: 'to nobody', to: ['empty-room'] } },
    ], (c) => [
      'to all',
      hex(bytes),
      ...(c.rooms.includes(roomA) ? ['to a: héllo ✓ 🚀'] : []),
      ...(c.rooms.includes(roomB) && c.id !== client(1, [roomB]).id ? ['to b but one'] : []),
      ...(c.rooms.length > 0 && c.id !== client(1, [roomA, roomB]).id ? ['to a or b'] : []),
      ...(exceptIds.includes(c.id) ? [] : ['all but two']),
    ]);
  });

  await t.test('a room message travels through its shard only; a broadcast to all through the sender\'s lane only', async () => {
    const shardOf = async (channel: string): Promise<number> => cluster.members.indexOf(await cluster.memberOf(calculateSlot(channel)));
    const oneOn = (index: number): number[] => cluster.members.map((_, i) => (i === index ? 1 : 0));
    const delta = async (send: () => Promise<unknown>): Promise<number[]> => {
      const before = await cluster.calls('spublish');
      await send();
      return (await cluster.calls('spublish')).map((calls, i) => calls - (before[i] as number));
    };
    const sender = client(1, []);
    assert.deepEqual(await delta(() => sender.command('broadcast', { text: 'to a, one shard', to: [roomA] })), oneOn(await shardOf(keys.roomChannel(roomA))));
    assert.deepEqual(await delta(() => sender.command('broadcast', { text: 'to all, one shard' })), oneOn(await shardOf(keys.laneOf(sender.nodeId))));
    for (const c of clients) {
      await c.waitFor((msg) => msg === 'to all, one shard', 'the broadcast to all');
      if (c.rooms.includes(roomA)) await c.waitFor((msg) => msg === 'to a, one shard', 'the room message');
      c.received.splice(0);
    }
    assert.deepEqual(await cluster.calls('publish'), [0, 0, 0]);
  });

  await t.test('only nodes with members in a room subscribe to its channel, until the last one leaves', async () => {
    assert.equal(await shardSubscribers(cluster, keys.roomChannel(roomA)), 3);
    const loner = client(2, []);
    await loner.command('join', { room: 'only-on-node-2' });
    await waitFor(async () => (await members(client(0, []), 'only-on-node-2')).length === 1, 'node 0 to see the member');
    assert.equal(await shardSubscribers(cluster, keys.roomChannel('only-on-node-2')), 1);
    assert.equal((await client(0, []).command('broadcast', { text: 'to the loner', to: ['only-on-node-2'] })).error, null);
    await loner.waitFor((msg) => msg === 'to the loner', 'the message to its room');
    assert.deepEqual(loner.received.splice(0), ['to the loner']);
    await loner.command('leave', { room: 'only-on-node-2' });
    await waitFor(async () => (await shardSubscribers(cluster, keys.roomChannel('only-on-node-2'))) === 0, 'node 2 to unsubscribe at its heartbeat');
  });

  await t.test('a master restarts: the nodes report it once, the other shards work on, then everything works again', async () => {
    const port = restarted.port;
    const lost = new RegExp(`lost the connection to the Redis Cluster node at 127\\.0\\.0\\.1:${port}`);
    await cluster.restart(restarted, async () => {
      for (const node of nodes) await waitFor(() => node.errors.some((e) => lost.test(e)), `node ${node.index} to report the lost shard`, 10_000);
      const during = await client(1, [roomA]).command('broadcast', { text: 'to a during the outage', to: [roomA] });
      assert.match(String(during.error), /the broadcast reached this node's connections only \(2\): publishing to Redis at .* \(cluster\) failed/);
      const otherShard = await client(1, [roomB]).command('broadcast', { text: 'to b during the outage', to: [roomB] });
      assert.equal(otherShard.error, null, 'a room on another shard still works');
    });
    for (const node of nodes) assert.equal(node.errors.filter((e) => lost.test(e)).length, 1, `node ${node.index} reported the shard once`);
    // The restarted master lost its data and its subscribers: the heartbeat writes the members again,
    // ioredis subscribes again.
    await waitForMembers(roomA, 'after the restart');
    for (const channel of [keys.roomChannel(roomA), keys.laneOf(client(0, []).nodeId)]) {
      await waitFor(async () => (await shardSubscribers(cluster, channel)) === 3, `every node to subscribe again to ${channel}`, 10_000);
    }
    await round('after restart', clients, [
      { from: client(0, []), fields: { text: 'back to all' } },
      { from: client(2, []), fields: { base64: Buffer.from('bytes again').toString('base64'), to: [roomA] } },
    ], (c) => [
      ...(c.node === 1 && c.rooms.includes(roomA) ? ['to a during the outage'] : []),
      ...(c.rooms.includes(roomB) ? ['to b during the outage'] : []),
      'back to all',
      ...(c.rooms.includes(roomA) ? [hex(Buffer.from('bytes again'))] : []),
    ]);
    assert.deepEqual(await members(client(2, []), roomA), ids(inRoom(roomA)));
  });
});

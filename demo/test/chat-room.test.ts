import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { connectToWebsocket, createWebsocketServer, type ConnectOptions, type ServerOptions, type WebSocketConn } from '@corows/node-server';
import { CLOSE_BAD_JOIN, openChatRoom } from '../src/chat-room.js';
import { createLinkCutter } from '../src/link-cutter.js';
import type { RoomEvent, Welcome } from '../src/protocol.js';

// The chat room of the demo, with Node clients on real sockets (the page itself is tested in e2e/).

async function startRoom(t: TestContext, options: ServerOptions = {}): Promise<{ url: string; room: ReturnType<typeof openChatRoom> }> {
  const server = createWebsocketServer('127.0.0.1', 0, options);
  const room = openChatRoom(server);
  t.after(() => server.close('test over'));
  const { port } = await server.listening;
  return { url: `ws://127.0.0.1:${port}`, room };
}

async function next<T = RoomEvent>(conn: WebSocketConn): Promise<T> {
  const msg = await conn.receiveMessage({ timeout: 5_000 });
  assert.equal(typeof msg, 'string', `expected a JSON text message, got ${String(msg)}`);
  return JSON.parse(msg as string) as T;
}

async function join(t: TestContext, url: string, name: string, options: ConnectOptions = {}): Promise<{ conn: WebSocketConn; welcome: Welcome }> {
  const conn = await connectToWebsocket(url, options);
  t.after(() => conn.close());
  await conn.send({ type: 'join', name });
  const welcome = await next<Welcome>(conn);
  assert.equal(welcome.type, 'welcome');
  assert.deepEqual(await next(conn), { type: 'joined', name: welcome.you, online: welcome.online }); // its own arrival
  return { conn, welcome };
}

test('members are welcomed, see each other arrive, chat and leave', async (t) => {
  const { url, room } = await startRoom(t);
  const alice = await join(t, url, 'alice');
  assert.deepEqual(alice.welcome, { type: 'welcome', you: 'alice', online: ['alice'], history: [] });

  const bob = await join(t, url, '  bob ');
  assert.deepEqual(bob.welcome.online, ['alice', 'bob']);
  assert.deepEqual(await next(alice.conn), { type: 'joined', name: 'bob', online: ['alice', 'bob'] });

  await alice.conn.send({ type: 'say', text: 'hi bob' });
  for (const member of [alice.conn, bob.conn]) {
    assert.deepEqual({ ...(await next(member)), at: 0 }, { type: 'said', name: 'alice', text: 'hi bob', at: 0 });
  }
  const carol = await join(t, url, 'carol');
  assert.deepEqual(carol.welcome.history.map((line) => line.text), ['hi bob']);

  await bob.conn.close();
  assert.deepEqual(await next(alice.conn), { type: 'joined', name: 'carol', online: ['alice', 'bob', 'carol'] });
  assert.deepEqual(await next(alice.conn), { type: 'left', name: 'bob', online: ['alice', 'carol'] });
  assert.deepEqual(room.online, ['alice', 'carol']);
});

test('a taken name gets a number', async (t) => {
  const { url } = await startRoom(t);
  await join(t, url, 'alice');
  assert.equal((await join(t, url, 'alice')).welcome.you, 'alice (2)');
  assert.equal((await join(t, url, 'alice')).welcome.you, 'alice (3)');
});

test('bad input gets an error back and affects nobody else', async (t) => {
  const { url } = await startRoom(t);
  const alice = await join(t, url, 'alice');
  for (const bad of ['not json', '{"type":"say","text":""}', '{"type":"say","text":42}', JSON.stringify({ type: 'say', text: 'x'.repeat(501) })]) {
    await alice.conn.sendMessage(bad);
    assert.equal((await next(alice.conn)).type, 'error', `no error for ${bad.slice(0, 40)}`);
  }
  await alice.conn.send({ type: 'say', text: 'still here' });
  assert.equal((await next<{ text: string }>(alice.conn)).text, 'still here');
});

test('a connection that does not start with a join is told why and closed with 4000', async (t) => {
  const { url, room } = await startRoom(t);
  const conn = await connectToWebsocket(url);
  await conn.send({ type: 'say', text: 'who am I?' });
  assert.deepEqual(await next(conn), { type: 'error', message: 'the first message must be {"type":"join","name":"..."}' });
  assert.equal(await conn.receiveMessage(), null);
  assert.equal(conn.closeCode, CLOSE_BAD_JOIN);
  assert.deepEqual(room.online, []);
});

test('with sessions, a member whose link is cut stays in the room and misses nothing', async (t) => {
  const cutter = createLinkCutter();
  const { url, room } = await startRoom(t, { resume: true, verify: cutter.track });
  const resume: ConnectOptions = { resume: true, reconnect: { initialDelay: 0 } };
  const alice = await join(t, url, 'alice', resume);
  const bob = await join(t, url, 'bob', resume);
  assert.deepEqual(await next(alice.conn), { type: 'joined', name: 'bob', online: ['alice', 'bob'] });
  const session = alice.conn.session?.id ?? assert.fail('alice has no session');

  const back = new Promise<void>((resolve) => alice.conn.on('resumed', resolve));
  assert.equal(cutter.cut(session, 60_000), 1);
  await bob.conn.send({ type: 'say', text: 'while alice is away' });
  assert.equal((await next<{ text: string }>(bob.conn)).text, 'while alice is away');
  await alice.conn.send({ type: 'say', text: 'alice, sent while away' });
  assert.equal(alice.conn.state, 'CONNECTING');
  assert.equal(cutter.release(session), true);
  await back;

  for (const text of ['while alice is away', 'alice, sent while away']) {
    assert.equal((await next<{ text: string }>(alice.conn)).text, text);
  }
  assert.equal((await next<{ text: string }>(bob.conn)).text, 'alice, sent while away');
  assert.deepEqual(room.online, ['alice', 'bob']);
  assert.equal(alice.conn.session?.id, session);
});

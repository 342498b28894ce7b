import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket, createWebsocketServer, type WebSocketConn } from '../src/index.js';
import { nextEvent } from './events.js';
import { closedWith, deferred, nextConn, startServer } from './helpers.js';

/** Collects what a connection reports through its `error` event. */
function errorsOf(conn: WebSocketConn): Error[] {
  const errors: Error[] = [];
  conn.on('error', (err) => errors.push(err));
  return errors;
}

test('a message listener that throws neither stops delivery nor wedges the connection; every listener still runs', async (t) => {
  const { url, server } = await startServer(t);
  const accepted = nextConn(server);
  const conn = await connectToWebsocket(url);
  const errors = errorsOf(conn);
  const seenBySecond: unknown[] = [];
  conn.on('message', () => {
    throw new Error('boom in a message listener');
  });
  conn.on('message', (msg) => seenBySecond.push(msg));
  const peer = await accepted;
  for (const text of ['one', 'two', 'three']) void peer.sendMessage(text);
  assert.equal(await conn.receiveMessage(), 'one');
  assert.equal(await conn.receiveMessage(), 'two');
  assert.equal(await conn.receiveMessage(), 'three');
  assert.deepEqual(seenBySecond, ['one', 'two', 'three']);
  assert.equal(errors.length, 3);
  assert.match(errors[0]?.message ?? '', /^a 'message' listener threw: boom in a message listener$/);
  assert.equal((errors[0] as { code?: string }).code, 'ERR_LISTENER');
  await conn.close();
  assert.equal(conn.state, 'CLOSED');
});

test('a pong listener that throws does not stop later messages', async (t) => {
  const { url, server } = await startServer(t);
  const accepted = nextConn(server);
  const conn = await connectToWebsocket(url);
  errorsOf(conn);
  conn.on('pong', () => {
    throw new Error('boom in a pong listener');
  });
  const peer = await accepted;
  const error = nextEvent(conn, 'error');
  conn.ping();
  assert.match((await error)[0].message, /'pong' listener threw/);
  void peer.sendMessage('after the pong');
  assert.equal(await conn.receiveMessage(), 'after the pong');
  await conn.close();
});

test('a close listener that throws: close() resolves, and server.close() completes and fires whenDead', async () => {
  const server = createWebsocketServer('127.0.0.1', 0);
  const { port } = await server.listening;
  const accepted = nextConn(server);
  const conn = await connectToWebsocket(`ws://127.0.0.1:${port}`);
  errorsOf(conn);
  conn.on('close', () => {
    throw new Error('boom in a client close listener');
  });
  const peer = await accepted;
  errorsOf(peer);
  peer.on('close', () => {
    throw new Error('boom in a server close listener');
  });
  const dead = deferred<string>();
  server.whenDead((reason) => dead.resolve(reason));
  await server.close('maintenance');
  assert.equal(await dead.promise, 'maintenance');
  assert.equal(peer.state, 'CLOSED');
  assert.equal((await closedWith(conn)).code, 1001);
  await conn.close(); // already closed: resolves at once
});

test('with nobody listening for error, a listener failure goes to console.error; a throwing error listener too', async (t) => {
  const { url } = await startServer(t, (peer) => peer.whenNewMsg((msg) => void peer.sendMessage(`re: ${String(msg)}`)));
  const logged: unknown[][] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
  const conn = await connectToWebsocket(url);
  conn.on('message', () => {
    throw new Error('unheard boom');
  });
  void conn.sendMessage('hi');
  assert.equal(await conn.receiveMessage(), 're: hi');
  assert.ok(logged.some((args) => /'message' listener threw: unheard boom/.test(String((args[1] as Error | undefined)?.message))), JSON.stringify(logged.map(String)));
  conn.on('error', () => {
    throw new Error('the error listener fails too');
  });
  conn.on('close', () => {
    throw new Error('boom at close');
  });
  await conn.close();
  assert.ok(logged.some((args) => args[0] === 'corows: an error listener threw:'), 'a throwing error listener is reported');
});

test('once listeners run once and a listener context is kept', async (t) => {
  const { url, server } = await startServer(t);
  const accepted = nextConn(server);
  const conn = await connectToWebsocket(url);
  const peer = await accepted;
  const seen: string[] = [];
  const context = { name: 'ctx' };
  conn.once('message', function (this: typeof context, msg) {
    seen.push(`${this.name}:${String(msg)}`);
  }, context);
  void peer.sendMessage('a');
  void peer.sendMessage('b');
  assert.equal(await conn.receiveMessage(), 'a');
  assert.equal(await conn.receiveMessage(), 'b');
  assert.deepEqual(seen, ['ctx:a']);
  await conn.close();
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test, type TestContext } from 'node:test';
import { attachWebsocketServer, ConnectError, connectToWebsocket } from '../src/index.js';
import { closedWith } from './helpers.js';

/** An application's own HTTP server (think Express) on a free port, closed when the test ends. */
async function appServer(t: TestContext): Promise<{ http: Server; base: string }> {
  const http = createServer((req, res) => res.end(`app says hi at ${req.url}`));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    http.closeAllConnections();
    http.close(() => resolve());
  }));
  const address = http.address() as { port: number };
  return { http, base: `127.0.0.1:${address.port}` };
}

test('several corows servers share one HTTP server by path, next to the app', async (t) => {
  const { http, base } = await appServer(t);
  const chat = attachWebsocketServer(http, { path: '/chat' }).whenNewConn((conn) => conn.sendMessage(`chat ${conn.url}`));
  const feed = attachWebsocketServer(http, { path: '/feed' }).whenNewConn((conn) => conn.sendMessage('feed'));
  t.after(() => Promise.all([chat.close(), feed.close()]));
  assert.deepEqual(await chat.listening, { host: '127.0.0.1', port: Number(base.split(':')[1]) });

  const a = await connectToWebsocket(`ws://${base}/chat?room=1`);
  const b = await connectToWebsocket(`ws://${base}/feed`);
  assert.equal(await a.receiveMessage(), 'chat /chat?room=1');
  assert.equal(await b.receiveMessage(), 'feed');
  assert.equal(await (await fetch(`http://${base}/about`)).text(), 'app says hi at /about');

  const lost = await connectToWebsocket(`ws://${base}/nowhere`).catch((err: unknown) => err);
  assert.ok(lost instanceof ConnectError);
  assert.equal(lost.status, 404);
  assert.match(lost.message, /no WebSocket endpoint at \/nowhere/);

  assert.throws(() => attachWebsocketServer(http, { path: '/chat' }), /already serves path "\/chat"/);
  await Promise.all([a.close(), b.close()]);
});

test('closing an attached server closes its connections and leaves the HTTP server and the other paths running', async (t) => {
  const { http, base } = await appServer(t);
  const chat = attachWebsocketServer(http, { path: '/chat' });
  const feed = attachWebsocketServer(http, { path: '/feed' });
  t.after(() => feed.close());
  const conn = await connectToWebsocket(`ws://${base}/chat`);
  const dead: string[] = [];
  chat.whenDead((reason) => dead.push(reason));

  await chat.close('moving');
  assert.deepEqual(await closedWith(conn), { code: 1001, reason: 'moving' });
  assert.deepEqual(dead, ['moving']);
  assert.ok(http.listening);
  assert.equal((await connectToWebsocket(`ws://${base}/chat`).catch((err: ConnectError) => err.status)), 404);
  const other = await connectToWebsocket(`ws://${base}/feed`);
  await other.close();

  // The path is free again.
  const again = attachWebsocketServer(http, { path: '/chat' });
  t.after(() => again.close());
  const back = await connectToWebsocket(`ws://${base}/chat`);
  await back.close();
});

test('an attached server without a path takes every path the others do not, and listening waits for the HTTP server', async (t) => {
  const http = createServer();
  const everything = attachWebsocketServer(http);
  const special = attachWebsocketServer(http, { path: '/special' }).whenNewConn((conn) => conn.sendMessage('special'));
  everything.whenNewConn((conn) => conn.sendMessage(`fallback ${conn.url}`));
  t.after(async () => {
    await Promise.all([everything.close(), special.close()]);
    await new Promise((resolve) => http.close(resolve));
  });
  let listened = false;
  void everything.listening.then(() => (listened = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(listened, false);
  http.listen(0, '127.0.0.1');
  const { port } = await everything.listening;

  const s = await connectToWebsocket(`ws://127.0.0.1:${port}/special`);
  const f = await connectToWebsocket(`ws://127.0.0.1:${port}/any/thing`);
  assert.equal(await s.receiveMessage(), 'special');
  assert.equal(await f.receiveMessage(), 'fallback /any/thing');
  await Promise.all([s.close(), f.close()]);
});

test('attachWebsocketServer refuses what is not an HTTP server, and options are checked at once', () => {
  assert.throws(() => attachWebsocketServer({} as Server), TypeError);
  assert.throws(() => attachWebsocketServer(createServer(), { path: 'chat' }), /path must be a string starting with "\/"/);
  assert.throws(() => attachWebsocketServer(createServer(), { maxConnections: 0 }), RangeError);
  assert.throws(() => attachWebsocketServer(createServer(), { allowedOrigins: ['example.com'] }), /is not an origin/);
  assert.throws(() => attachWebsocketServer(createServer(), { rateLimit: { messages: 0, interval: 1000 } }), /rateLimit/);
  assert.throws(() => attachWebsocketServer(createServer(), { backpressurePolicy: 'ignore' as 'drop' }), /backpressurePolicy/);
});

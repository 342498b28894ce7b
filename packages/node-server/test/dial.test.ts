import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { ConnectError, connectToWebsocket } from '../src/index.js';
import { nextConn, startServer } from './helpers.js';

// Node's `#dial` (packages/core/src/dial.ts): handshake headers and refused handshakes. The browser's
// `#dial` is proven in Chromium by the e2e suite (e2e/tests/).

test('Node sends the seed header table: arrays become several values, numbers become strings', async (t) => {
  const { server, url } = await startServer(t);
  const accepted = nextConn(server);
  const conn = await connectToWebsocket(url, { header1: ['a', 2, 'c'], header3: 'header3,some values' });
  t.after(() => conn.close());
  const serverSide = await accepted;
  assert.equal(serverSide.headers.header1, 'a, 2, c');
  assert.equal(serverSide.headers.header3, 'header3,some values');
  assert.deepEqual(conn.headers, { header1: ['a', '2', 'c'], header3: 'header3,some values' });
});

test('an HTTP answer instead of 101 rejects with a ConnectError that carries the status', async (t) => {
  const http = createServer((_req, res) => res.writeHead(403).end('no'));
  t.after(() => http.close());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  const err = await connectToWebsocket(`ws://127.0.0.1:${port}/chat`).then(
    () => assert.fail('connected to a plain HTTP server'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectError);
  assert.equal(err.code, 'ERR_HTTP_STATUS');
  assert.equal(err.status, 403);
  assert.match(err.message, /127\.0\.0\.1.*HTTP 403.*101/);
});

test('an invalid header is refused before any network work', async () => {
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9/', { 'bad name': 'x' }), { name: 'TypeError', message: /invalid header name "bad name"/ });
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9/', { upgrade: 'x' }), { name: 'TypeError', message: /set by the WebSocket handshake itself/ });
});

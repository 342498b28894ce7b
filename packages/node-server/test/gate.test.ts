import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { ConnectError, connectToWebsocket, type WebSocketConn } from '../src/index.js';
import { rawSocket, RawPeer, startServer, upgradeRequest, waitFor } from './helpers.js';

async function refusal(url: string, options?: Parameters<typeof connectToWebsocket>[1]): Promise<ConnectError> {
  const err = await connectToWebsocket(url, options).then(
    (conn) => {
      void conn.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
  return err;
}

test('verify accepts with data for conn.data, and refuses with a status and reason the client sees', async (t) => {
  const seen: string[] = [];
  const { server, url } = await startServer<{ user: string }>(t, async (conn) => {
    await conn.sendMessage(`hello ${conn.data.user}`);
  }, {
    verify: async (request) => {
      seen.push(`${request.path} ${request.query.get('token')} ${request.headers['x-app'] ?? '-'} ${request.remoteAddress}`);
      await new Promise((resolve) => setImmediate(resolve));
      const token = request.query.get('token');
      if (token === 'good') return { data: { user: 'ada' } };
      if (token === 'nobody') return false;
      return { status: 403, reason: 'unknown token', headers: { 'X-Why': 'token' } };
    },
  });

  const conn = await connectToWebsocket(`${url}/game?token=good`, { 'x-app': 'tests' });
  t.after(() => conn.close());
  assert.equal(await conn.receiveMessage(), 'hello ada');

  const forbidden = await refusal(`${url}/game?token=bad`);
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.message, /403 Forbidden.*: unknown token/);
  assert.equal((await refusal(`${url}/?token=nobody`)).status, 401);

  assert.equal(seen[0], '/game good tests 127.0.0.1');
  assert.equal(server.metrics.refused.verify, 2);
  assert.equal(server.connections.size, 1);
});

test('a verify hook that throws refuses with 500, is reported, and the server lives on', async (t) => {
  const errors: Error[] = [];
  const { server, url } = await startServer(t, undefined, {
    verify: (request) => {
      if (request.query.has('boom')) throw new Error('database down');
      return true;
    },
  });
  server.on('error', (err) => errors.push(err));
  assert.equal((await refusal(`${url}/?boom`)).status, 500);
  assert.match(errors[0]?.message ?? '', /verify hook failed.*database down/);
  const conn = await connectToWebsocket(url);
  await conn.close();
  assert.equal(server.metrics.refused.verifyError, 1);
});

test('allowedOrigins refuses a foreign Origin with 403 and lets listed origins and non-browser clients in', async (t) => {
  const { server, url } = await startServer(t, undefined, {
    allowedOrigins: ['https://app.example.com', /^https:\/\/[a-z]+\.trusted\.test$/],
  });
  const evil = await refusal(url, { origin: 'https://evil.example.net' });
  assert.equal(evil.status, 403);
  assert.match(evil.message, /origin https:\/\/evil\.example\.net is not allowed/);
  assert.equal((await refusal(url, { origin: 'null' })).status, 403);

  for (const origin of ['https://APP.example.com:443', 'https://eu.trusted.test']) {
    const conn = await connectToWebsocket(url, { origin });
    await conn.close();
  }
  const noOrigin = await connectToWebsocket(url);
  await noOrigin.close();
  assert.equal(server.metrics.refused.origin, 2);
});

test('maxConnections answers 503 when full, and the count never leaks when clients drop', async (t) => {
  const { server, url } = await startServer(t, undefined, { maxConnections: 3 });
  const conns: WebSocketConn[] = [];
  for (let i = 0; i < 3; i++) conns.push(await connectToWebsocket(url));
  const full = await refusal(url);
  assert.equal(full.status, 503);
  assert.match(full.message, /maxConnections: 3/);

  for (const conn of conns) conn.terminate(); // TCP drops, no closing handshake
  await waitFor(() => server.connections.size === 0, 'the server to forget dropped connections');
  for (let i = 0; i < 3; i++) conns.push(await connectToWebsocket(url));
  assert.equal(server.connections.size, 3);
  assert.equal((await refusal(url)).status, 503);
  await Promise.all(conns.map((conn) => conn.close()));
  assert.equal(server.metrics.refused.maxConnections, 2);
  assert.equal(server.metrics.connectionsOpen, 0);
});

test('a client that opens TCP and never finishes the handshake is dropped at handshakeTimeout', async (t) => {
  const { port } = await startServer(t, undefined, { handshakeTimeout: 300 });
  const silent = new RawPeer(await rawSocket(t, port));
  const partial = new RawPeer(await rawSocket(t, port));
  partial.socket.write('GET / HTTP/1.1\r\nUpgrade: websocket\r\n');
  const started = Date.now();
  await Promise.all([silent.ended, partial.ended]);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 3_000, `dropped after ${elapsed} ms`);
  assert.match(partial.head, /^HTTP\/1.1 408/);
});

test('a verify hook that does not decide within handshakeTimeout is answered 408', async (t) => {
  const { server, url } = await startServer(t, undefined, {
    handshakeTimeout: 200,
    verify: () => new Promise<boolean>(() => undefined),
  });
  const err = await refusal(url);
  assert.equal(err.status, 408);
  assert.equal(server.metrics.refused.handshakeTimeout, 1);
  assert.equal(server.connections.size, 0);
});

test('subprotocols: the server picks its preferred one the client offers, and refuses when none is common', async (t) => {
  const { server, url } = await startServer(t, undefined, { protocols: ['chat.v2', 'chat.v1'] });
  const conn = await connectToWebsocket(url, { protocols: ['chat.v1', 'chat.v2'] });
  assert.equal(conn.protocol, 'chat.v2');
  await conn.close();
  const plain = await connectToWebsocket(url);
  assert.equal(plain.protocol, '');
  await plain.close();

  const err = await refusal(url, { protocols: ['mqtt'] });
  assert.equal(err.status, 400);
  assert.match(err.message, /none of the offered subprotocols \(mqtt\).*chat\.v2, chat\.v1/);
  assert.equal(server.metrics.refused.protocol, 1);
});

test('a protocols function chooses from the offer and sees the request', async (t) => {
  const { url } = await startServer(t, undefined, {
    protocols: (offered, request) => (request.query.get('v') === 'old' ? 'chat.v1' : offered[offered.length - 1]),
  });
  const conn = await connectToWebsocket(`${url}/?v=old`, { protocols: ['chat.v1', 'chat.v2'] });
  assert.equal(conn.protocol, 'chat.v1');
  await conn.close();
  const latest = await connectToWebsocket(url, { protocols: ['chat.v1', 'chat.v2'] });
  assert.equal(latest.protocol, 'chat.v2');
  await latest.close();
});

test('an invalid handshake is refused by ws with an HTTP error and counted; plain HTTP gets 426', async (t) => {
  const { server, port, url } = await startServer(t);
  const bad = new RawPeer(await rawSocket(t, port));
  bad.socket.write(upgradeRequest('/', { 'Sec-WebSocket-Version': '7' }));
  await bad.ended;
  assert.match(bad.head, /^HTTP\/1.1 400/);
  assert.equal(server.metrics.refused.badHandshake, 1);

  const response = await fetch(url.replace('ws:', 'http:'));
  assert.equal(response.status, 426);
  await response.text();

  // A client of another library gets in too.
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once('open', resolve));
  assert.equal(server.connections.size, 1);
  ws.close();
  await waitFor(() => server.connections.size === 0, 'the close');
});

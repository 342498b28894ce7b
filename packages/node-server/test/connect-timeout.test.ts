import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket as WhatwgWebSocket } from 'undici';
import { AbortError, ConnectError, connectToWebsocket, type WebSocketConstructor } from '../src/index.js';
import { startServer } from './helpers.js';
import { startBlackHole } from './tcp-tools.js';

const LIMIT = { timeout: 20_000 };
const implementations: Array<[string, WebSocketConstructor | undefined]> = [
  ['Node (ws)', undefined],
  ['browser path (WHATWG WebSocket)', WhatwgWebSocket as unknown as WebSocketConstructor],
];

for (const [name, webSocketImpl] of implementations) {
  describe(`connect limits, ${name}`, () => {
    test('a server that accepts TCP and never answers fails at the timeout with a ConnectError', LIMIT, async (t) => {
      const hole = await startBlackHole(t);
      const startedAt = Date.now();
      const err = await connectToWebsocket(hole.url, { timeout: 300, webSocketImpl }).then(
        () => assert.fail('connected to a black hole'),
        (e: unknown) => e,
      );
      const elapsed = Date.now() - startedAt;
      assert.ok(err instanceof ConnectError, String(err));
      assert.equal(err.code, 'ETIMEDOUT');
      assert.equal(err.message, `could not connect to ${hole.url}: no connection within 300 ms`);
      assert.ok(elapsed >= 290 && elapsed < 300 + 1500, `failed after ${elapsed} ms`);
      const socket = await hole.accepted;
      if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    });

    test('an AbortSignal cancels a pending connect, and the socket is dropped', LIMIT, async (t) => {
      const hole = await startBlackHole(t);
      const controller = new AbortController();
      const pending = connectToWebsocket(hole.url, { signal: controller.signal, webSocketImpl });
      const socket = await hole.accepted;
      controller.abort(new Error('user left'));
      const err = await pending.then(() => assert.fail('connected'), (e: unknown) => e);
      assert.ok(err instanceof AbortError, String(err));
      assert.match(err.message, /connecting to ws:\/\/127\.0\.0\.1:\d+ was aborted/);
      assert.equal((err.cause as Error).message, 'user left');
      if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    });

    test('an already aborted signal rejects without connecting', LIMIT, async (t) => {
      const { url } = await startServer(t);
      const err = await connectToWebsocket(url, { signal: AbortSignal.abort(), webSocketImpl }).then(() => assert.fail('connected'), (e: unknown) => e);
      assert.ok(err instanceof AbortError, String(err));
    });

    test('a refused connection rejects with a ConnectError', LIMIT, async (t) => {
      const { server, url } = await startServer(t);
      await server.close();
      const err = await connectToWebsocket(url, { webSocketImpl }).then(() => assert.fail('connected'), (e: unknown) => e);
      assert.ok(err instanceof ConnectError, String(err));
      assert.ok(err.message.startsWith(`could not connect to ${url}: `), err.message);
    });
  });
}

test('bad keepAlive, reconnect and timeout options are refused before any network work', async () => {
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', { keepAlive: -5 }), /keepAlive interval must be/);
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', { reconnect: { maxAttempts: 1.5 } }), /reconnect\.maxAttempts must be a whole number/);
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', { timeout: -1 }), /timeout must be a number of milliseconds/);
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', { tls: { ca: 'ca.crt' } }), /tls\.ca must be PEM text .* not a file name/);
  await assert.rejects(
    connectToWebsocket('wss://127.0.0.1:9', { tls: { rejectUnauthorized: false }, webSocketImpl: WhatwgWebSocket as unknown as WebSocketConstructor }),
    /the tls option works with Node's ws only/,
  );
});

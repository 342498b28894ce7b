import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { connectToWebsocket, type WebSocketConn } from '@corows/core';
import type { ServerConn } from '../src/index.js';
import { deferred, startServer, waitFor } from './helpers.js';

/** A TCP proxy whose live links a test can cut: `fin` (end both ways) or `rst` (reset both ways). */
async function cutter(t: TestContext, port: number): Promise<{ url: string; cut(how: 'fin' | 'rst'): number; links(): number }> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.once('close', () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const pair of pairs) for (const socket of pair) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    links: () => pairs.size,
    cut: (how) => {
      const n = pairs.size;
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        for (const socket of pair) {
          if (how === 'rst') socket.resetAndDestroy();
          else socket.end();
        }
      }
      return n;
    },
  };
}

test('a session carries numbered messages both ways across many cut links: none lost, duplicated or reordered', async (t) => {
  const TOTAL = 3000;
  const conns: ServerConn[] = [];
  const serverGot: number[] = [];
  let serverSawNull = false;
  const serverDone = deferred();
  const { port } = await startServer(t, async (conn) => {
    conns.push(conn);
    void (async () => {
      for (let i = 1; i <= TOTAL; i += 1) {
        await conn.sendMessage(`s${i}`);
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    while (serverGot.length < TOTAL) {
      const msg = await conn.receiveMessage();
      if (msg === null) {
        serverSawNull = true;
        return;
      }
      serverGot.push(Number(String(msg).slice(1)));
    }
    serverDone.resolve();
  }, { resume: true, keepAlive: false });
  const proxy = await cutter(t, port);
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: { initialDelay: 5, maxDelay: 20, maxAttempts: 1000 } });
  t.after(() => client.close());
  assert.notEqual(client.session, null, 'the server offered a session');
  let resumed = 0;
  client.on('resumed', () => (resumed += 1));
  const t0 = Date.now();
  client.on('reconnecting', (a, d, c) => process.env.DEBUG_SESSION && console.log(Date.now() - t0, 'reconnecting', a, d, c));
  client.on('resumed', () => process.env.DEBUG_SESSION && console.log(Date.now() - t0, 'resumed', serverGot.length, clientGot.length));
  client.on('reset', (r, m) => console.log('reset', r, m));
  const clientGot: number[] = [];
  const clientDone = deferred();
  client.whenNewMsg((msg) => {
    if (msg === null) return;
    clientGot.push(Number(String(msg).slice(1)));
    if (clientGot.length === TOTAL) clientDone.resolve();
  });
  let cuts = 0;
  const chaos = setInterval(() => {
    cuts += proxy.cut(cuts % 2 === 0 ? 'rst' : 'fin');
  }, 40);
  for (let i = 1; i <= TOTAL; i += 1) {
    await client.sendMessage(`c${i}`);
    if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all([serverDone.promise, clientDone.promise]);
  clearInterval(chaos);
  assert.ok(cuts >= 5, `links were cut (${cuts})`);
  assert.ok(resumed >= 5, `the client resumed (${resumed})`);
  assert.deepEqual(serverGot, Array.from({ length: TOTAL }, (_, i) => i + 1));
  assert.deepEqual(clientGot, Array.from({ length: TOTAL }, (_, i) => i + 1));
  assert.equal(conns.length, 1, 'one whenNewConn for the session');
  assert.equal(serverSawNull, false);
});

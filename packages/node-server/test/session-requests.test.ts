// Issue 14 with sessions: requests pending across cut links are answered exactly once, and each
// handler runs exactly once, both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket } from '@corows/core';
import type { ServerConn } from '../src/index.js';
import { startServer } from './helpers.js';
import { ChaosProxy } from './support/chaos-proxy.js';

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const COUNT = 600;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('across links cut at random, every request both ways gets its one reply and every handler runs once', { timeout: 60_000 }, async (t) => {
  const served = { server: new Map<number, number>(), client: new Map<number, number>() };
  const count = (map: Map<number, number>, n: number): void => void map.set(n, (map.get(n) ?? 0) + 1);
  const conns: ServerConn[] = [];
  const { port } = await startServer(t, (conn) => {
    conns.push(conn);
    conn.whenRequest(async (value) => {
      count(served.server, value as number);
      await pause(Math.floor(Math.random() * 10));
      return (value as number) * 2;
    });
  }, { resume: true, keepAlive: { interval: 100, timeout: 100 } });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: { initialDelay: 5, maxDelay: 20, maxAttempts: 100_000 }, keepAlive: { interval: 100, timeout: 100 } });
  t.after(() => client.terminate());
  client.whenRequest(async (value) => {
    count(served.client, value as number);
    await pause(Math.floor(Math.random() * 10));
    return -(value as number);
  });
  let resets = 0;
  client.on('reset', () => (resets += 1));
  const server = conns[0] as ServerConn;

  const run = proxy.cutRandomly({ seed: SEED, everyMs: 50, modes: ['fin', 'rst', 'blackhole'], handshakeFaults: 0.2 });
  t.after(() => run.stop());
  const fromClient: Promise<unknown>[] = [];
  const fromServer: Promise<unknown>[] = [];
  for (let n = 1; n <= COUNT; n += 1) {
    fromClient.push(client.request(n, { timeout: 50_000 }));
    fromServer.push(server.request(n, { timeout: 50_000 }));
    if (n % 20 === 0) await pause(5);
  }
  const [clientReplies, serverReplies] = await Promise.all([Promise.all(fromClient), Promise.all(fromServer)]);
  run.stop();

  assert.ok(run.log.length >= 3, `links were cut (${run.log.length}; seed ${SEED})`);
  assert.equal(resets, 0, `no reset (seed ${SEED})`);
  assert.deepEqual(clientReplies, Array.from({ length: COUNT }, (_, i) => (i + 1) * 2));
  assert.deepEqual(serverReplies, Array.from({ length: COUNT }, (_, i) => -(i + 1)));
  for (const [side, map] of Object.entries(served)) {
    assert.equal(map.size, COUNT, `${side}: every request was served (seed ${SEED})`);
    assert.ok([...map.values()].every((times) => times === 1), `${side}: no handler ran twice (seed ${SEED})`);
  }
  assert.equal(conns.length, 1, 'one whenNewConn for the session');
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectToWebsocket, type Message } from '@corows/core';
import { startNodes } from './child-server.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { findHaproxy, startHaproxy } from './support/haproxy.js';

const haproxy = findHaproxy();
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

/** Reads messages in order, each within `timeout` ms. */
function reader(conn: { receiveMessage(options: { timeout: number }): Promise<Message | null> }) {
  return async (timeout = 10_000): Promise<string> => String(await conn.receiveMessage({ timeout }));
}

describe('sessions behind HAProxy (the shipped configuration) in front of two corows processes', { skip: haproxy.skip }, () => {
  test('links cut at random reach the node that holds the session: every message exactly once; when that node dies, reset and a new session on the other', { timeout: 60_000 }, async (t) => {
    const nodes = await startNodes(t, ['a', 'b'], { RESUME: '1', KEEP_ALIVE: '0' });
    const lb = await startHaproxy(t, [...nodes].map(([name, node]) => ({ name, host: '127.0.0.1', port: node.port })));
    await lb.waitForStates({ a: 'UP', b: 'UP' });
    const chaos = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port: lb.port } });
    const client = await connectToWebsocket(chaos.url, { resume: true, reconnect: { initialDelay: 5, maxDelay: 50, maxAttempts: 200 }, keepAlive: { interval: 150, timeout: 150 } });
    t.after(() => client.terminate());
    const next = reader(client);
    const greeting = await next();
    const home = greeting.replace('hello from ', '');
    const other = home === 'a' ? 'b' : 'a';
    let resumed = 0;
    client.on('resumed', () => (resumed += 1));

    const run = chaos.cutRandomly({ seed: SEED, everyMs: 60, modes: ['fin', 'rst', 'blackhole'] });
    const TOTAL = 300;
    for (let i = 1; i <= TOTAL; i += 1) {
      await client.sendMessage(`c${i}`);
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let i = 1; i <= TOTAL; i += 1) assert.equal(await next(), `echo:c${i}`, `echo ${i} (seed ${SEED}: ${run.log.join('; ')})`);
    run.stop();
    const holder = nodes.get(home);
    await holder?.receivedCount(TOTAL);
    assert.deepEqual(holder?.received, Array.from({ length: TOTAL }, (_, i) => `c${i + 1}`), 'the node got each message once, in order');
    assert.deepEqual(nodes.get(other)?.received, [], 'no link of the session reached the other node');
    assert.ok(resumed >= 1, `the session resumed (${resumed} times; ${run.log.length} cuts)`);

    const reset = new Promise<[string, number]>((resolve) => client.once('reset', (reason, missing) => resolve([reason, missing])));
    await holder?.kill();
    const [reason] = await reset;
    assert.match(reason, /no such session/);
    assert.equal(await next(), `hello from ${other}`, 'a new session on the other node');
    await client.sendMessage('after');
    assert.equal(await next(), 'echo:after');
    client.terminate();
  });
});

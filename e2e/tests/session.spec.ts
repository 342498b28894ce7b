import type { WebSocketConn } from '@corows/core';
import { createWebsocketServer, type ServerConn } from '@corows/node-server';
import { ChaosProxy } from '../../packages/node-server/test/support/chaos-proxy.js';
import { expect, test } from './fixtures.js';

// Issue 13 in a real browser: a page's session survives its link being cut (RST, FIN, a black hole
// found by the heartbeat), with every message either way arriving exactly once, in order.

const COUNT = 200;

/** What the page keeps for the test to read back. */
interface SessionPage {
  conn: WebSocketConn;
  got: string[];
  events: string[];
  sendsFailed: number;
}
declare global {
  interface Window {
    session: SessionPage;
  }
}

test('a page\'s session survives cut links: nothing lost, doubled or reordered either way, one whenNewConn', async ({ harness }) => {
  test.setTimeout(60_000);
  const serverGot: string[] = [];
  const serverConns: ServerConn[] = [];
  let nullSeen = false;
  const server = createWebsocketServer('127.0.0.1', 0, { resume: true, keepAlive: { interval: 200, timeout: 200 }, closeTimeout: 200 }).whenNewConn(async (conn) => {
    serverConns.push(conn);
    // A coroutine that streams numbered messages and reads the page's, each in its own loop.
    void (async () => {
      for (let i = 0; i < COUNT; i++) {
        await conn.sendMessage(`s${i}`);
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    for (let i = 0; i < COUNT; i++) {
      const msg = await conn.receiveMessage();
      if (msg === null) {
        nullSeen = true;
        return;
      }
      serverGot.push(String(msg));
    }
  });
  const { port } = await server.listening;
  const proxy = await ChaosProxy.start({ target: { host: '127.0.0.1', port } });
  try {
    const run = harness.evaluate(async ({ url, count }) => {
      const conn = await window.corows.connectToWebsocket(url, { resume: true, reconnect: { initialDelay: 20, maxDelay: 100, maxAttempts: 10_000 }, keepAlive: { interval: 200, timeout: 200 } });
      const page: SessionPage = { conn, got: [], events: [], sendsFailed: 0 };
      window.session = page;
      conn.on('reconnecting', () => page.events.push('reconnecting'));
      conn.on('resumed', () => page.events.push('resumed'));
      conn.on('reset', (reason) => page.events.push(`reset: ${String(reason)}`));
      const sending = (async () => {
        for (let i = 0; i < count; i++) {
          if ((await conn.sendMessage(`p${i}`)) !== null) page.sendsFailed++;
          if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      for (let i = 0; i < count; i++) page.got.push(String(await conn.receiveMessage()));
      await sending;
      return { session: conn.session !== null };
    }, { url: proxy.url, count: COUNT });

    // Cut the page's link each time both streams have moved on, in turn RST, FIN and a black hole.
    const modes = ['rst', 'fin', 'blackhole', 'rst', 'fin'] as const;
    for (const [n, mode] of modes.entries()) {
      const threshold = Math.floor(((n + 1) * COUNT) / (modes.length + 2));
      await expect.poll(() => serverGot.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(threshold);
      // The page may be between links (its resume under way): cut the next one as soon as it is there.
      await expect.poll(() => proxy.cut(mode), { timeout: 30_000 }).toBeGreaterThan(0);
    }

    const result = await run;
    // The last cut may come after both streams ended: let that link come back before reading the events.
    await expect.poll(() => harness.evaluate(() => window.session.conn.state), { timeout: 30_000 }).toBe('OPEN');
    const page = await harness.evaluate(() => ({ got: window.session.got, events: window.session.events, sendsFailed: window.session.sendsFailed }));
    await expect.poll(() => serverGot.length, { timeout: 30_000 }).toBe(COUNT);

    expect(result.session).toBe(true);
    expect(page.got).toEqual(Array.from({ length: COUNT }, (_, i) => `s${i}`));
    expect(serverGot).toEqual(Array.from({ length: COUNT }, (_, i) => `p${i}`));
    expect(page.sendsFailed).toBe(0);
    // A cut that hits a link still in its handshake costs one more attempt, not one more resume.
    expect(page.events.filter((event) => event === 'resumed').length).toBeGreaterThanOrEqual(3);
    expect(page.events.some((event) => event.startsWith('reset'))).toBe(false);
    expect(serverConns).toHaveLength(1);
    expect(nullSeen).toBe(false);
    await harness.evaluate(() => window.session.conn.close());
  } catch (err) {
    const page = await harness.evaluate(() => window.session === undefined ? undefined : { events: window.session.events, got: window.session.got.length, state: window.session.conn.state });
    throw new Error(`${String(err)}\npage: ${JSON.stringify(page)}; server got ${serverGot.length}; proxy links ${proxy.links.length}`);
  } finally {
    await proxy.close();
    await server.close();
  }
});

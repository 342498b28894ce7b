import type { IncomingMessage } from 'node:http';
import type { WebSocketConn } from '@corows/core';
import { createWebsocketServer, negotiateSubprotocol, WebSocketConn as ServerConn, type WebsocketServer } from '@corows/node-server';
import { WebSocketServer } from 'ws';
import { expect, test } from './fixtures.js';

// Issue 4 in a real browser: reconnect with the offline outbox, and the corows heartbeat (browsers can
// neither send nor see pings). Each test runs its own server, to restart or freeze it.

/** What the page keeps for the test to read back. */
interface PageState {
  conn: WebSocketConn;
  events: string[];
  sends: Array<string | null>;
}
declare global {
  interface Window {
    /** This file's state in the page (functions given to `evaluate` run there, so each reads it there). */
    network: PageState;
  }
}

/** A corows server named `name` on `port` (0: a free one) that records what it receives. */
async function recordingServer(name: string, port: number, received: string[]): Promise<{ server: WebsocketServer; port: number }> {
  const server = createWebsocketServer('127.0.0.1', port, { closeTimeout: 200 }).whenNewConn((conn) => {
    void conn.sendMessage(`hello from ${name}`);
    conn.whenNewMsg((msg) => typeof msg === 'string' && received.push(msg));
  });
  return { server, port: (await server.listening).port };
}

test('a page reconnects after the server restarts, and what it sent meanwhile arrives in order', async ({ harness }) => {
  const before: string[] = [];
  const first = await recordingServer('the first server', 0, before);
  const url = `ws://127.0.0.1:${first.port}/`;
  await harness.evaluate(async (address) => {
    const conn = await window.corows.connectToWebsocket(address, { reconnect: { initialDelay: 50, maxDelay: 200 }, keepAlive: 1000 });
    const e2e: PageState = { conn, events: [], sends: [] };
    window.network = e2e;
    conn.on('reconnecting', (attempt) => e2e.events.push(`reconnecting ${attempt}`));
    conn.on('open', () => e2e.events.push('open'));
    conn.on('close', () => e2e.events.push('close'));
    e2e.events.push(String(await conn.receiveMessage()));
    await conn.sendMessage('before');
  }, url);
  await expect.poll(() => before).toEqual(['before']);

  await first.server.close('restarting');
  await expect.poll(() => harness.evaluate(() => window.network.conn.state)).toBe('CONNECTING');
  // Sent while down: held in the outbox. A receive made now waits across the reconnect.
  await harness.evaluate(() => {
    const e2e = window.network;
    for (const text of ['queued 1', 'queued 2', 'queued 3']) {
      void e2e.conn.sendMessage(text).then((err) => e2e.sends.push(err === null ? null : err.message));
    }
    void e2e.conn.receiveMessage().then((msg) => e2e.events.push(`received ${String(msg)}`));
  });

  const after: string[] = [];
  const second = await recordingServer('the restarted server', first.port, after);
  try {
    await expect.poll(() => after).toEqual(['queued 1', 'queued 2', 'queued 3']);
    const page = await harness.evaluate(() => ({ ...window.network, conn: undefined, connState: window.network.conn.state, heartbeat: window.network.conn.heartbeat }));
    expect(page.sends).toEqual([null, null, null]);
    expect(page.connState).toBe('OPEN');
    expect(page.heartbeat).toBe('message');
    expect(page.events[0]).toBe('hello from the first server');
    expect(page.events).toContain('open');
    expect(page.events.filter((e) => e.startsWith('reconnecting')).length).toBeGreaterThanOrEqual(1);
    expect(page.events).not.toContain('close');
    await expect.poll(() => harness.evaluate(() => window.network.events.at(-1))).toBe('received hello from the restarted server');
    await harness.evaluate(() => window.network.conn.close());
  } finally {
    await second.server.close('test over');
  }
});

test('a page detects a frozen server within two heartbeat intervals (the corows heartbeat)', async ({ harness }) => {
  // A plain ws server that serves the corows heartbeat (negotiateSubprotocol + a WebSocketConn around
  // each socket), so that the test can freeze it: stop reading its TCP socket without closing it.
  const sockets: IncomingMessage['socket'][] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => negotiateSubprotocol(offered) });
  wss.on('connection', (ws, req) => {
    sockets.push(req.socket);
    new ServerConn(ws);
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  try {
    const opened = await harness.evaluate(async (address) => {
      const conn = await window.corows.connectToWebsocket(address, { keepAlive: { interval: 300, timeout: 300 } });
      const e2e: PageState = { conn, events: [], sends: [] };
      window.network = e2e;
      let pongs = 0;
      await new Promise<void>((resolve) => conn.on('pong', () => ++pongs === 2 && resolve()));
      return { heartbeat: conn.heartbeat, protocol: conn.protocol };
    }, url);
    expect(opened).toEqual({ heartbeat: 'message', protocol: '' });

    const frozenAt = Date.now();
    for (const socket of sockets) socket.pause();
    const closed = await harness.evaluate(
      () =>
        new Promise<{ code: number; reason: string; state: string }>((resolve) => {
          const { conn } = window.network;
          conn.on('close', (code, reason) => resolve({ code, reason, state: conn.state }));
        }),
    );
    const elapsed = Date.now() - frozenAt;
    expect(closed).toEqual({ code: 1006, reason: 'heartbeat timeout: no answer from the peer within 300 ms', state: 'CLOSED' });
    expect(elapsed).toBeLessThan(600 + 2000);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
});

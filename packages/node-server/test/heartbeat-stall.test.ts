import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket as WsClient } from 'ws';
import { connectToWebsocket, type WebSocketConstructor } from '../src/index.js';
import { startChildServer } from './child-server.js';
import { until } from './events.js';
import { startServer } from './helpers.js';

/** Keeps the event loop busy for `ms`, as a long GC pause or a heavy computation would. */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

test('a busy event loop right after a ping does not kill a healthy peer: its pong is read before the verdict', { timeout: 20_000 }, async (t) => {
  // The server runs in another process, so it answers the ping while this one is busy.
  const server = await startChildServer(t, 0, { KEEP_ALIVE: '0' });
  let pings = 0;
  let stallFrom = 2; // stalls after beats 2, 3 and 4 (once could race the answer)
  const stallTo = 4;
  class StallAfterPing extends WsClient {
    override ping(...args: Parameters<WsClient['ping']>): void {
      super.ping(...args);
      pings += 1;
      // Once this turn has polled for input (the answer has not come yet), before the next poll: the
      // verdict's timer (300 ms) is long overdue when the loop wakes, and the answer waits unread.
      if (pings >= stallFrom && pings <= stallTo) setImmediate(stall, 800);
    }
  }
  const conn = await connectToWebsocket(server.url, {
    keepAlive: { interval: 100, timeout: 300 },
    webSocketImpl: StallAfterPing as unknown as WebSocketConstructor,
  });
  const closes: number[] = [];
  conn.on('close', (code) => closes.push(code));
  await until('three more heartbeats after the stall', () => pings >= stallTo + 3 || closes.length > 0, 10_000);
  assert.deepEqual(closes, [], `the connection was dropped: ${conn.closeReason ?? ''}`);
  assert.equal(conn.state, 'OPEN');
  stallFrom = Infinity;
  await conn.close();
});

test('while its inbox is full a reader is not judged by the heartbeat, and gets everything once it drains', { timeout: 20_000 }, async (t) => {
  // Enough data that the paused socket's buffers fill and nothing more is read, pongs included.
  const big = 'x'.repeat(32 * 1024);
  const { url } = await startServer(t, (peer) => {
    for (let i = 0; i < 40; i += 1) void peer.sendMessage(`m${i}${big}`);
  }, { keepAlive: false });
  const conn = await connectToWebsocket(url, { maxQueue: 4, keepAlive: { interval: 30, timeout: 30 } });
  await until('the inbox to fill', () => conn.queuedMessages >= 4);
  // Reading is paused: the server's pongs wait unread. Several heartbeat periods pass; the peer is
  // alive, so the connection must not be declared dead for a silence it caused itself.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(conn.state, 'OPEN', `dropped while paused: ${conn.closeReason ?? ''}`);
  const got: unknown[] = [];
  for (let i = 0; i < 40; i += 1) got.push(await conn.receiveMessage());
  assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => `m${i}${big}`));
  await conn.close();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { BackpressureError, connectToWebsocket, RateLimitError, type WebSocketConn } from '../src/index.js';
import { clientFrame, closedWith, deferred, nextConn, rawWebSocket, startServer, waitFor } from './helpers.js';

function echo(conn: WebSocketConn): void {
  conn.whenNewMsg((msg) => {
    if (msg !== null) void conn.sendMessage(String(msg));
  });
}

async function roundTrip(conn: WebSocketConn, text: string): Promise<number> {
  const started = performance.now();
  await conn.sendMessage(text);
  assert.equal(await conn.receiveMessage({ timeout: 5_000 }), text);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

test('a message over maxPayload closes its connection with 1009, and the server counts it', async (t) => {
  const { server, url } = await startServer(t, echo, { maxPayload: 1024 });
  const conn = await connectToWebsocket(url);
  assert.equal(await roundTrip(conn, 'x'.repeat(1024)) >= 0, true);
  void conn.sendMessage('x'.repeat(1025));
  assert.equal((await closedWith(conn)).code, 1009);
  await waitFor(() => server.metrics.closes['1009'] === 1, 'the close to be counted');
  const { messagesIn, bytesIn, messagesOut, bytesOut } = server.metrics;
  assert.deepEqual({ messagesIn, bytesIn, messagesOut, bytesOut }, { messagesIn: 1, bytesIn: 1024, messagesOut: 1, bytesOut: 1024 });
});

test('a flood past the rate limit is closed with 1008 while a well-behaved client keeps its latency', async (t) => {
  const errors: Error[] = [];
  const { server, url } = await startServer(t, (conn) => {
    conn.on('error', (err) => errors.push(err));
    echo(conn);
  }, { rateLimit: { messages: 50, interval: 1000 } });
  const good = await connectToWebsocket(url);
  t.after(() => good.close());
  const baseline: number[] = [];
  for (let i = 0; i < 10; i++) baseline.push(await roundTrip(good, `calm ${i}`));

  const flooder = new WebSocket(url);
  await new Promise((resolve) => flooder.once('open', resolve));
  let echoed = 0;
  flooder.on('message', () => echoed++);
  const flooderClosed = new Promise<[number, string]>((resolve) => flooder.once('close', (code, reason) => resolve([code, reason.toString()])));
  const payload = 'f'.repeat(200);
  for (let i = 0; i < 20_000; i++) flooder.send(payload);

  const during: number[] = [];
  for (let i = 0; i < 20; i++) during.push(await roundTrip(good, `during ${i}`));
  const [code, reason] = await flooderClosed;
  assert.equal(code, 1008);
  assert.equal(reason, 'rate limit: more than 50 messages in 1000 ms');
  assert.ok(echoed <= 50, `the flooder got ${echoed} echoes; nothing past the limit may be delivered`);
  assert.ok(errors.some((err) => err instanceof RateLimitError));
  assert.equal(server.metrics.rateLimited, 1);
  // Loose bounds: the machine is shared; a starved event loop would take seconds.
  assert.ok(median(during) < Math.max(50, 10 * median(baseline)), `latency during the flood: median ${median(during).toFixed(1)} ms, before: ${median(baseline).toFixed(1)} ms`);
  assert.ok(Math.max(...during) < 1_000, `worst latency during the flood: ${Math.max(...during).toFixed(0)} ms`);
});

for (const peerDoes of ['hangs up', 'stays silent'] as const) {
  test(`a rate-limited client that ${peerDoes} instead of answering the close is still counted as closed with 1008`, async (t) => {
    const { server, port } = await startServer(t, undefined, { rateLimit: { messages: 3, interval: 60_000 }, closeTimeout: 100 });
    const accepted = nextConn(server);
    const peer = await rawWebSocket(t, port);
    const conn = await accepted;
    conn.on('error', () => undefined);
    for (let i = 0; i < 5; i++) peer.socket.write(clientFrame(0x1, Buffer.from(`flood ${i}`)));
    await waitFor(() => peer.closeCode() !== undefined, 'the server\'s close frame');
    assert.equal(peer.closeCode(), 1008);
    if (peerDoes === 'hangs up') peer.socket.destroy(); // else the server gives up after closeTimeout

    assert.equal((await closedWith(conn)).code, 1008, 'the code the server sent, not 1006');
    await waitFor(() => server.metrics.closes['1008'] === 1, 'the close to be counted as 1008');
    assert.equal(server.metrics.closes['1006'], undefined);
  });
}

test('a client that never reads is cut off at maxBackpressure, and the server memory stays bounded', async (t) => {
  const limit = 256 * 1024;
  const chunk = 64 * 1024;
  const outcome = deferred<{ error: Error | null; maxBuffered: number; sent: number; peakMemory: number }>();
  const reported: Error[] = [];
  const { server, url } = await startServer(t, (conn) => {
    conn.on('error', (err) => reported.push(err));
    const startMemory = process.memoryUsage().arrayBuffers;
    let maxBuffered = 0;
    let peakMemory = 0;
    let sent = 0;
    const pump = (): void => {
      void conn.sendBinary(Buffer.alloc(chunk, sent)).then((error) => {
        if (error !== null) outcome.resolve({ error, maxBuffered, sent, peakMemory });
      });
      sent++;
      maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
      peakMemory = Math.max(peakMemory, process.memoryUsage().arrayBuffers - startMemory);
      if (conn.state === 'OPEN' && sent < 5_000) setImmediate(pump);
      else if (conn.state === 'OPEN') outcome.resolve({ error: null, maxBuffered, sent, peakMemory });
    };
    pump();
  }, { maxBackpressure: limit });
  const reader = await connectToWebsocket(url, { maxQueue: 1 }); // takes one message, then stops reading
  t.after(() => reader.terminate());

  const { error, maxBuffered, sent, peakMemory } = await outcome.promise;
  assert.ok(error instanceof BackpressureError, `expected a BackpressureError after ${sent} sends, got ${String(error)}`);
  assert.equal(error.limit, limit);
  assert.ok(maxBuffered <= limit + chunk, `buffered ${maxBuffered} bytes, over ${limit} + one message`);
  assert.ok(peakMemory < 64 * 1024 * 1024, `server memory grew by ${peakMemory} bytes`);
  await waitFor(() => server.connections.size === 0, 'the cut-off connection to go');
  assert.equal(server.metrics.backpressureClosed, 1);
  assert.ok(reported.some((err) => err instanceof BackpressureError), 'the connection reported why it was cut off');
});

test("with the 'drop' policy a slow reader loses messages past maxBackpressure but keeps its connection", async (t) => {
  const { server, url } = await startServer(t, undefined, { maxBackpressure: 256 * 1024, backpressurePolicy: 'drop' });
  const accepted = nextConn(server);
  const reader = await connectToWebsocket(url, { maxQueue: 1 }); // reads one message, then waits for us
  t.after(() => reader.close());
  const conn = await accepted;

  const sends = Array.from({ length: 300 }, () => conn.sendBinary(Buffer.alloc(64 * 1024, 1)));
  await server.broadcast(Buffer.alloc(64 * 1024)); // a broadcast that does not fit is dropped as well
  assert.ok(server.metrics.backpressureDropped > 0, 'the burst went over the limit');
  let received = 0;
  const reading = (async () => {
    for (let msg = await reader.receiveMessage(); msg !== 'final'; msg = await reader.receiveMessage()) {
      if (msg instanceof Uint8Array && msg[0] === 1) received++;
    }
  })();
  const outcomes = await Promise.all(sends);
  const dropped = outcomes.filter((outcome) => outcome instanceof BackpressureError).length;
  const written = outcomes.filter((outcome) => outcome === null).length;
  assert.equal(dropped + written, 300);
  assert.ok(dropped > 0 && written > 0, `${written} written, ${dropped} dropped`);

  await waitFor(() => conn.bufferedAmount === 0, 'the buffer to drain');
  assert.equal(await conn.sendMessage('final'), null);
  await reading;
  assert.equal(received, written, 'every message that was not dropped arrives');
  assert.equal(server.metrics.backpressureDropped, dropped + 1);
  assert.equal(conn.state, 'OPEN');
});

test('what one tick holds back to write together is not backpressure: a reading client under a small maxBackpressure keeps every message', async (t) => {
  const { server, url } = await startServer(t, undefined, { maxBackpressure: 1024 });
  const accepted = nextConn(server);
  const reader = await connectToWebsocket(url);
  t.after(() => reader.close());
  const conn = await accepted;

  const text = 'z'.repeat(100);
  const outcomes = await Promise.all(Array.from({ length: 50 }, () => conn.sendMessage(text))); // 5 KB in one tick
  assert.deepEqual(outcomes, Array(50).fill(null));
  for (let i = 0; i < 50; i++) assert.equal(await reader.receiveMessage(), text);
  assert.equal(conn.state, 'OPEN');
  assert.equal(server.metrics.backpressureClosed, 0);
});

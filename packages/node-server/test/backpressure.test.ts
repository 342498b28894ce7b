import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nextConn, startServer } from './helpers.js';

const floodClient = fileURLToPath(new URL('./fixtures/flood-client.mjs', import.meta.url));

function memory(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

test('a consumer that lags keeps bounded memory: the inbox pauses the socket at maxQueue, and nothing is lost', async (t) => {
  const maxQueue = 32;
  const count = 20_000;
  const size = 16 * 1024; // 320 MiB in all: far more than the bound below
  const { server, url } = await startServer(t, undefined, { maxQueue });
  const accepted = nextConn(server);
  const producer = spawn(process.execPath, [floodClient, url, String(count), String(size)], { stdio: ['ignore', 'inherit', 'inherit'] });
  t.after(() => producer.kill());
  const conn = await accepted;

  const baseline = memory();
  let arrived = 0;
  let peakQueued = 0;
  let peakMemory = 0;
  let wakeConsumer: (() => void) | undefined;
  conn.on('message', () => {
    arrived++;
    peakQueued = Math.max(peakQueued, conn.queuedMessages + 1);
    if (conn.queuedMessages + 1 >= maxQueue || arrived === count) wakeConsumer?.();
  });
  const inboxFull = (): Promise<void> =>
    conn.queuedMessages >= maxQueue || arrived === count
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });

  // Phase 1, a consumer that reads nothing: once the inbox is full, no more may come in. Proving that
  // something does not happen needs a window of time; a producer on loopback could push hundreds of
  // MiB in it.
  await inboxFull();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const stalledAt = arrived;
  peakMemory = memory() - baseline;
  assert.ok(stalledAt <= maxQueue * 2, `${stalledAt} messages came in while nobody read (maxQueue ${maxQueue})`);

  // Phase 2, the slowest consumer that still finishes: it reads only when the inbox is full.
  let expected = 0;
  while (expected < count) {
    await inboxFull();
    peakMemory = Math.max(peakMemory, memory() - baseline);
    const batch = Math.min(conn.queuedMessages, count - expected);
    for (let i = 0; i < batch; i++) {
      const msg = await conn.receiveMessage();
      assert.ok(msg instanceof Uint8Array && msg.length === size, `message ${expected} is whole`);
      const index = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength).readUInt32BE(0);
      if (index !== expected) assert.fail(`message ${expected} arrived as ${index}`);
      expected++;
    }
  }

  assert.equal(expected, count, 'every message arrived, in order');
  assert.ok(peakQueued <= maxQueue * 2, `the inbox peaked at ${peakQueued} messages (maxQueue ${maxQueue})`);
  const bound = 96 * 1024 * 1024;
  assert.ok(peakMemory < bound, `memory grew by ${(peakMemory / 2 ** 20).toFixed(1)} MiB while 320 MiB flowed through`);
  assert.equal(await conn.receiveMessage(), null, 'the producer closed after the last message');
});

import { Child, stopAll } from '../children.js';
import type { Wire } from '../libs/lean-client.js';
import type { LibId } from '../libs/types.js';
import type { MemorySnapshot } from '../memory.js';
import type { Plan } from '../plan.js';
import { makeRow, type RowResult } from '../report/results.js';
import { sleep } from '../timing.js';
import { sizeName } from './duplex.js';
import { interleave } from './interleave.js';

// The receiveMessage() style is how a corows app reads "later"; raw ws and Socket.IO must queue events.
const LIBS: readonly LibId[] = ['ws', 'corows-receive', 'socket.io'];

interface SlowTrial {
  retainedBytes: number;
  sent: number;
  read: number;
}

/**
 * A slow consumer: a client floods one connection (bounded in count and time) while the server's
 * application reads nothing; then the application reads everything, to show what was kept. Measured:
 * the server's memory retained at the end of the flood, after garbage collection.
 */
export async function runSlowConsumerRow(plan: Plan, log: (line: string) => void): Promise<RowResult> {
  const { slow } = plan;
  log(`slow consumer: ${sizeName(slow.size)} messages, up to ${slow.maxMessages} in ${slow.durationMs} ms, nobody reading`);
  const trials = await interleave(LIBS, { warmupRounds: 0, rounds: slow.rounds }, async (lib) => {
    try {
      const trial = await slowTrial(lib, plan);
      log(`  ${lib}: ${(trial.retainedBytes / 2 ** 20).toFixed(1)} MiB retained; sent ${trial.sent}, read afterwards ${trial.read}`);
      return trial;
    } finally {
      await stopAll();
    }
  });
  const notes = [...trials].map(([lib, list]) => {
    const sent = list.map((t) => t.sent).join('/');
    const lost = list.reduce((sum, t) => sum + t.sent - t.read, 0);
    return `${lib}: messages sent per round ${sent}; lost ${lost}`;
  });
  return makeRow(
    { id: 'slow-consumer', title: `Slow consumer: memory held while nobody reads (${sizeName(slow.size)} flood)`, short: 'Slow consumer memory', unit: 'MiB', better: 'lower' },
    new Map([...trials].map(([lib, list]) => [lib, list.map((t) => t.retainedBytes / 2 ** 20)])),
    notes,
  );
}

async function slowTrial(lib: LibId, plan: Plan): Promise<SlowTrial> {
  const { slow } = plan;
  const wire: Wire = lib === 'socket.io' ? 'socket.io' : 'websocket';
  const [server, flooder] = await Promise.all([Child.start('server', `${lib} server`), Child.start('flooder', `${lib} flooder`)]);
  const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'hold' }, 10_000);
  await flooder.call('open', { wire, port }, 10_000);
  for (const deadline = Date.now() + 10_000; (await server.call<number>('connections', null, 5_000)) < 1; await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`${lib}: the server never saw the flooder's connection`);
  }
  const before = await server.call<MemorySnapshot>('memory', null, 10_000);
  const { sent } = await flooder.call<{ sent: number }>(
    'flood',
    { size: slow.size, maxMessages: slow.maxMessages, durationMs: slow.durationMs, maxBufferedBytes: slow.maxBufferedBytes },
    slow.durationMs + 10_000,
  );
  const after = await server.call<MemorySnapshot>('memory', null, 30_000);
  const read = await server.call<number>('readAll', { expected: sent, timeoutMs: slow.readTimeoutMs }, slow.readTimeoutMs + 5_000);
  return { retainedBytes: after.heap - before.heap, sent, read };
}

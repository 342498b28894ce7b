import { Child, stopAll } from '../children.js';
import type { LibId } from '../libs/types.js';
import type { Plan } from '../plan.js';
import { makeRow, type RowResult } from '../report/results.js';
import { interleave } from './interleave.js';

const LIBS: readonly LibId[] = ['ws', 'corows-handler', 'corows-receive', 'socket.io'];

interface Pair {
  server: Child;
  client: Child;
}

/**
 * Echo throughput (each size) and ping-pong latency. Each library gets a server process and a client
 * process, started once and kept for every round, so that its rounds run on warm code; only one pair
 * carries traffic at a time.
 */
export async function runDuplexRows(plan: Plan, log: (line: string) => void): Promise<RowResult[]> {
  try {
    const pairs = new Map<LibId, Pair>();
    for (const lib of LIBS) pairs.set(lib, await startPair(lib, plan.echo.conns));
    const pairOf = (lib: LibId): Pair => pairs.get(lib) as Pair;
    const rows: RowResult[] = [];

    for (const size of plan.echo.sizes) {
      log(`echo throughput, ${sizeName(size)}: ${plan.echo.conns} connections × ${plan.echo.inFlight} in flight`);
      const runs = await interleave(LIBS, plan, async (lib) => {
        const { perSecond } = await pairOf(lib).client.call<{ perSecond: number }>(
          'echo',
          { size, inFlight: plan.echo.inFlight, warmMs: plan.echo.warmMs, measureMs: plan.echo.measureMs, drainMs: plan.echo.drainMs },
          plan.echo.warmMs + plan.echo.measureMs + plan.echo.drainMs + 5_000,
        );
        log(`  ${lib}: ${Math.round(perSecond)} msg/s`);
        return perSecond;
      });
      rows.push(
        makeRow(
          { id: `echo-${size}`, title: `Echo throughput, ${sizeName(size)}`, short: `Echo ${sizeName(size)}`, unit: 'msg/s', better: 'higher' },
          runs,
        ),
      );
    }

    log(`ping-pong, ${sizeName(plan.pingPong.size)}, one message in flight`);
    const pings = await interleave(LIBS, plan, async (lib) => {
      const { server, client } = pairOf(lib);
      const cpu = async (): Promise<number> => (await server.call<number>('cpu', null, 10_000)) + (await client.call<number>('cpu', null, 10_000));
      const before = await cpu();
      const result = await client.call<{ p50: number; p99: number; count: number }>(
        'pingPong',
        plan.pingPong,
        plan.pingPong.warmMs + plan.pingPong.measureMs + plan.pingPong.drainMs + 5_000,
      );
      // Both processes, over the warm-up and the measured window: about (warm + measure) / measure × count round trips.
      const cpuUs = (await cpu()) - before;
      const cpuPerTrip = cpuUs / (result.count * (1 + plan.pingPong.warmMs / plan.pingPong.measureMs));
      log(`  ${lib}: p50 ${result.p50.toFixed(1)} µs, p99 ${result.p99.toFixed(1)} µs, CPU ${cpuPerTrip.toFixed(1)} µs per round trip (${result.count} round trips)`);
      return { ...result, cpu: cpuPerTrip };
    });
    const pick = (key: 'p50' | 'p99' | 'cpu'): Map<LibId, number[]> => new Map([...pings].map(([lib, list]) => [lib, list.map((r) => r[key])]));
    rows.push(makeRow({ id: 'ping-p50', title: 'Ping-pong round trip, p50', short: 'Ping-pong p50', unit: 'µs', better: 'lower' }, pick('p50')));
    rows.push(makeRow({ id: 'ping-p99', title: 'Ping-pong round trip, p99', short: 'Ping-pong p99', unit: 'µs', better: 'lower' }, pick('p99')));
    rows.push(makeRow(
      { id: 'ping-cpu', title: 'Ping-pong, CPU time per round trip (server + client)', short: 'Ping-pong CPU', unit: 'µs', better: 'lower' },
      pick('cpu'),
      ['the CPU time (user + system) of the server and the client processes over a ping-pong window, per round trip (the window\'s warm-up counted at the measured rate): what a round trip costs, less disturbed than its latency by other work on a shared machine'],
    ));
    return rows;
  } finally {
    await stopAll();
  }
}

async function startPair(lib: LibId, conns: number): Promise<Pair> {
  const [server, client] = await Promise.all([Child.start('server', `${lib} server`), Child.start('client', `${lib} client`)]);
  const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
  await client.call('connect', { lib, port, conns }, 20_000);
  return { server, client };
}

/** `64 B`, `16 KiB`. */
export function sizeName(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

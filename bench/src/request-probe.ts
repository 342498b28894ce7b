// node --import tsx bench/src/request-probe.ts [--libs=corows-handler,socket.io] [--sizes=500,2000,8000] [--total=8000] [--rounds=20]
// Request and reply on one connection, many in flight: each library's server (answering every request
// with its value at once) and one client in processes of their own, side by side, warm, taking turns.
// A turn is `--total` requests (8,000) in bursts of `size` one after the other (a burst: `size`
// requests sent at once, all in flight together, ended when the last answer came), timed, with the CPU
// time both processes spent over it; the same total for every size, so that each leaves the garbage
// collector the same work. Per library and size it prints the medians over rounds of a burst's time
// and, per request, the wall-clock and CPU time; then the median over rounds of the
// ratio of the per-request time at the largest size to that at the smallest, which stays near 1 when
// the work per request does not grow with the number in flight (and would grow with it if it were
// quadratic). corows: `conn.request()` with its default timeout (a timer per request); Socket.IO:
// `socket.emitWithAck()` without one.
import { parseArgs } from 'node:util';
import { Child, killAll, stopAll } from './children.js';
import { median, quantileOfSorted } from './stats.js';

const { values } = parseArgs({ options: { libs: { type: 'string' }, sizes: { type: 'string' }, total: { type: 'string' }, rounds: { type: 'string' } } });
const libs = (values.libs ?? 'corows-handler,socket.io').split(',');
const sizes = (values.sizes ?? '500,2000,8000').split(',').map(Number);
const rounds = Number(values.rounds ?? 20);
const total = Number(values.total ?? Math.max(...sizes));
for (const size of sizes) if (!(size > 0 && total % size === 0)) throw new Error(`--total (${total}) must be a multiple of every size; ${size} is not a divisor`);
const WARMUP = 2;
const TURN_TIMEOUT_MS = 60_000;
process.on('exit', killAll);

interface Side {
  lib: string;
  how: string;
  server: Child;
  client: Child;
  /** Per size: each counted round's time for `total` requests (ms) and the CPU time of both processes over it (µs). */
  ms: Map<number, number[]>;
  cpuUs: Map<number, number[]>;
}

async function open(lib: string): Promise<Side> {
  const [server, client] = await Promise.all([Child.start('server', `${lib} server`), Child.start('requester', `${lib} requester`)]);
  const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'reply' }, 10_000);
  const how = await client.call<string>('connect', { lib, port }, 20_000);
  return { lib, how, server, client, ms: new Map(sizes.map((n) => [n, []])), cpuUs: new Map(sizes.map((n) => [n, []])) };
}

async function burst(side: Side, size: number, counted: boolean): Promise<void> {
  const cpu = async (): Promise<number> => (await side.server.call<number>('cpu', null, 10_000)) + (await side.client.call<number>('cpu', null, 10_000));
  const before = await cpu();
  const { ms } = await side.client.call<{ ms: number }>('bursts', { size, total }, TURN_TIMEOUT_MS);
  const after = await cpu();
  if (!counted) return;
  side.ms.get(size)?.push(ms);
  side.cpuUs.get(size)?.push(after - before);
}

/** The median and middle half of the per-round ratios of `a` to `b`. */
function ratioText(a: readonly number[], b: readonly number[]): string {
  const ratios = a.map((value, i) => value / (b[i] as number)).sort((x, y) => x - y);
  return `${median(ratios).toFixed(2)}× (${quantileOfSorted(ratios, 0.25).toFixed(2)}–${quantileOfSorted(ratios, 0.75).toFixed(2)})`;
}

try {
  const sides: Side[] = [];
  for (const lib of libs) sides.push(await open(lib));
  for (let round = 0; round < WARMUP + rounds; round++) {
    // The order of libraries and of sizes turns every round, so none always goes first.
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(i + round) % sides.length] as Side;
      for (let j = 0; j < sizes.length; j++) await burst(side, sizes[(j + round) % sizes.length] as number, round >= WARMUP);
    }
  }
  console.log(`requests on one connection, all of a burst in flight at once, ${total.toLocaleString('en-US')} requests a turn; ${rounds} counted rounds after ${WARMUP}, medians over rounds`);
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  for (const side of sides) {
    console.log(`${side.lib}: ${side.how}`);
    const perRequest = (size: number, list: Map<number, number[]>, scale: number): number[] => (list.get(size) ?? []).map((value) => (value * scale) / total);
    for (const size of sizes) {
      const wall = perRequest(size, side.ms, 1000);
      const cpu = perRequest(size, side.cpuUs, 1);
      console.log(`  ${size.toLocaleString('en-US').padStart(6)} in flight: a burst answered in ${((median(side.ms.get(size) ?? []) * size) / total).toFixed(1)} ms; per request ${median(wall).toFixed(2)} µs, CPU (both processes) ${median(cpu).toFixed(2)} µs`);
    }
    console.log(`  per request, ${large.toLocaleString('en-US')} in flight against ${small.toLocaleString('en-US')}: wall ${ratioText(perRequest(large, side.ms, 1000), perRequest(small, side.ms, 1000))}, CPU ${ratioText(perRequest(large, side.cpuUs, 1), perRequest(small, side.cpuUs, 1))}`);
  }
  const [first, second] = sides;
  if (first !== undefined && second !== undefined) {
    for (const size of sizes) console.log(`${first.lib} against ${second.lib}, ${size.toLocaleString('en-US')} in flight: wall ${ratioText(first.ms.get(size) ?? [], second.ms.get(size) ?? [])}, CPU ${ratioText(first.cpuUs.get(size) ?? [], second.cpuUs.get(size) ?? [])}`);
  }
} finally {
  await stopAll();
}

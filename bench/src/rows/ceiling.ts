import { performance } from 'node:perf_hooks';
import { Child, stopAll } from '../children.js';
import type { Wire } from '../libs/lean-client.js';
import type { LibId } from '../libs/types.js';
import type { Plan } from '../plan.js';
import { makeRow, type RowResult } from '../report/results.js';
import { median } from '../stats.js';
import { sleep } from '../timing.js';
import { sizeName } from './duplex.js';
import { interleave } from './interleave.js';

// uWS.js is the ceiling; corows' reading style makes no difference to the server's cost per message here.
const LIBS: readonly LibId[] = ['uws', 'ws', 'corows-handler', 'socket.io'];

interface Rig {
  server: Child;
  loaders: Child[];
}

/** The server's own clock, CPU time, and main thread's time on a core and waiting for one (see the server role's `sched`). */
interface Sched {
  atUs: number;
  cpuUs: number;
  runUs: number;
  waitUs: number;
}

const percent = (share: number): string => (Number.isNaN(share) ? '?' : `${(share * 100).toFixed(0)}%`);

interface CeilingTrial {
  perSecond: number;
  /** Server CPU time per echoed message, in µs. */
  serverUs: number;
  /** The server's CPU time over the window's length (1 = one core busy all the time). */
  serverCores: number;
  /**
   * The share of the window in which the server's main thread ran or waited for a core (Linux
   * schedstat; NaN elsewhere): near 1, the server was the bottleneck, whatever else ran on the machine.
   */
  serverRunnable: number;
  /** The load processes' CPU time per echoed message, in µs, all together. */
  loadUs: number;
  /** The load processes' CPU time over the window's length, all together. */
  loadCores: number;
}

/**
 * The ceiling: each library's echo server under several load processes of raw-socket clients
 * (libs/raw-client.ts: the same load whichever server, a few µs per echo, so that the server is the
 * bottleneck), started once and kept for every round; one library carries traffic at a time. Measured over the same window: echoes per second, and the server's CPU time per echoed
 * message (`process.cpuUsage()` of the server process), which holds on a shared machine where the
 * throughput depends on what else runs.
 */
export async function runCeilingRows(plan: Plan, log: (line: string) => void): Promise<RowResult[]> {
  const spec = plan.ceiling;
  try {
    const rigs = new Map<LibId, Rig>();
    for (const [index, lib] of LIBS.entries()) rigs.set(lib, await startRig(lib, index, plan));
    log(`ceiling, echo of ${sizeName(spec.size)}: ${spec.loaders} load processes × ${spec.connsPerLoader} connections × ${spec.inFlight} in flight`);
    const trials = await interleave(LIBS, { warmupRounds: 1, rounds: spec.rounds }, async (lib) => {
      const trial = await ceilingTrial(rigs.get(lib) as Rig, plan);
      log(`  ${lib}: ${Math.round(trial.perSecond)} msg/s; server ${trial.serverUs.toFixed(1)} µs CPU per message (${percent(trial.serverCores)} of a core, runnable ${percent(trial.serverRunnable)}), load ${trial.loadUs.toFixed(1)} µs (${percent(trial.loadCores)} of a core)`);
      return trial;
    });
    const pick = (key: keyof CeilingTrial): Map<LibId, number[]> => new Map([...trials].map(([lib, list]) => [lib, list.map((t) => t[key])]));
    const busy = [...trials].map(([lib, list]) => `${lib} ${percent(median(list.map((t) => t.serverCores)))} (runnable ${percent(median(list.map((t) => t.serverRunnable)))})`).join(', ');
    const load = [...trials].map(([lib, list]) => `${lib} ${median(list.map((t) => t.loadUs)).toFixed(1)} µs`).join(', ');
    const rate = (lib: LibId): number => median((trials.get(lib) ?? []).map((t) => t.perSecond));
    const ceiling = rate('uws');
    log(`  echo throughput over uWS.js's (medians): ${LIBS.map((lib) => `${lib} ${(rate(lib) / ceiling).toFixed(2)}`).join(', ')}`);
    log(`  the server's share of a core (median): ${busy}`);
    const setup = `${spec.loaders} load processes × ${spec.connsPerLoader} connections × ${spec.inFlight} in flight`;
    return [
      makeRow(
        { id: 'ceiling-cpu', title: `Server CPU per echoed ${sizeName(spec.size)} message, ${setup}`, short: 'Server CPU per message', unit: 'µs', better: 'lower' },
        pick('serverUs'),
        [`the server's share of a core while measured (median; runnable: the share of the window its thread ran or waited for a core, near 100% when the server is the bottleneck): ${busy}; the load processes' CPU per echo, all together: ${load}`],
      ),
      makeRow(
        { id: 'ceiling-echo', title: `Echo throughput, ${sizeName(spec.size)}, ${setup}`, short: `Echo ${sizeName(spec.size)}, ${spec.loaders} loaders`, unit: 'msg/s', better: 'higher' },
        pick('perSecond'),
      ),
    ];
  } finally {
    await stopAll();
  }
}

async function startRig(lib: LibId, index: number, plan: Plan): Promise<Rig> {
  const spec = plan.ceiling;
  const wire: Wire = lib === 'socket.io' ? 'socket.io' : 'websocket';
  const [server, ...loaders] = await Promise.all([
    Child.start('server', `${lib} server`),
    ...Array.from({ length: spec.loaders }, (_, i) => Child.start('loader', `${lib} loader ${i}`)),
  ]);
  const { port } = await (server as Child).call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
  await Promise.all(loaders.map((loader, i) => loader.call('open', { wire, port, conns: spec.connsPerLoader, round: 150 + index * spec.loaders + i }, 20_000)));
  return { server: server as Child, loaders };
}

async function ceilingTrial({ server, loaders }: Rig, plan: Plan): Promise<CeilingTrial> {
  const spec = plan.ceiling;
  const snapshot = async (): Promise<{ at: number; server: number; sched: Sched; echoes: number; load: number }> => {
    const [cpu, sched, counts] = await Promise.all([
      server.call<number>('cpu', null, 10_000),
      server.call<Sched>('sched', null, 10_000),
      Promise.all(loaders.map((l) => l.call<{ echoes: number; cpu: number }>('count', null, 10_000))),
    ]);
    return { at: performance.now(), server: cpu, sched, echoes: counts.reduce((sum, c) => sum + c.echoes, 0), load: counts.reduce((sum, c) => sum + c.cpu, 0) };
  };
  await Promise.all(loaders.map((loader) => loader.call('start', { size: spec.size, inFlight: spec.inFlight }, 10_000)));
  await sleep(spec.warmMs);
  const first = await snapshot();
  await sleep(spec.measureMs);
  const last = await snapshot();
  await Promise.all(loaders.map((loader) => loader.call('stop', { drainMs: spec.drainMs }, spec.drainMs + 5_000)));
  const echoes = last.echoes - first.echoes;
  if (echoes === 0) throw new Error('no echo came back while measuring');
  const [a, b] = [first.sched, last.sched];
  return {
    serverCores: (b.cpuUs - a.cpuUs) / (b.atUs - a.atUs),
    serverRunnable: (b.runUs + b.waitUs - a.runUs - a.waitUs) / (b.atUs - a.atUs),
    loadCores: (last.load - first.load) / 1000 / (last.at - first.at),
    perSecond: (echoes * 1000) / (last.at - first.at),
    serverUs: (last.server - first.server) / echoes,
    loadUs: (last.load - first.load) / echoes,
  };
}

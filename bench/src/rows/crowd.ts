import { performance } from 'node:perf_hooks';
import { Child, stopAll } from '../children.js';
import type { Wire } from '../libs/lean-client.js';
import type { LibId } from '../libs/types.js';
import type { MemorySnapshot } from '../memory.js';
import type { Plan } from '../plan.js';
import { makeRow, type RowResult } from '../report/results.js';
import { median } from '../stats.js';
import { sleep } from '../timing.js';
import { interleave } from './interleave.js';
import { plainRoundTrip, requestEachWay } from './use-requests.js';

// corows' reading style makes no difference to idle connections or to sending: one corows entry.
const LIBS: readonly LibId[] = ['ws', 'corows-handler', 'socket.io'];

interface PerConn {
  heap: number;
  rss: number;
}

interface CrowdTrial {
  heapPerConn: number;
  rssPerConn: number;
  /** Milliseconds from the broadcast request until the last of the connections had the message, each broadcast. */
  fanOutMs: number[];
  /** Milliseconds the server spent in the broadcast call (until its promise settled, if it returned one), each broadcast. */
  serverMs: number[];
  /** The server's CPU milliseconds (user + system) over the same call, each broadcast: less disturbed by other work on the machine. */
  serverCpuMs: number[];
  broadcastMode: string;
  /** Server CPU milliseconds of each counted burst of broadcasts in one tick. */
  burstBroadcastCpuMs: number[];
  /** Server CPU milliseconds of each counted burst of the same messages sent per connection. */
  burstSendsCpuMs: number[];
  /**
   * corows: the same connections' memory, bytes per connection over the idle figure, once each has had
   * one plain message each way (`plain`), then once each has also made one request and answered one
   * (`requests`): what using requests costs a connection is the difference of the two.
   */
  used?: { plain: PerConn; requests: PerConn };
}

/**
 * Idle memory per connection and broadcast fan-out, on the same crowd of connections: a fresh server
 * process per round (so its memory starts clean) and one load-generator process holding the crowd.
 * corows' connections are measured twice more: after a plain message each way, then after a request
 * each way (see {@link requestsNotes}).
 */
export async function runCrowdRows(plan: Plan, connections: number, log: (line: string) => void): Promise<RowResult[]> {
  const { crowd: spec } = plan;
  log(`idle memory and broadcast fan-out, ${connections} connections`);
  const trials = await interleave(LIBS, { warmupRounds: 0, rounds: spec.rounds }, async (lib, round) => {
    try {
      const trial = await crowdTrial(lib, round, connections, plan);
      const list = (values: number[]): string => values.map((ms) => ms.toFixed(1)).join(' ');
      log(`  ${lib}: ${(trial.heapPerConn / 1024).toFixed(2)} KiB heap, ${(trial.rssPerConn / 1024).toFixed(2)} KiB RSS per connection; broadcast: server ${list(trial.serverMs)} ms (CPU ${list(trial.serverCpuMs)} ms), delivered ${list(trial.fanOutMs)} ms`);
      if (trial.used !== undefined) {
        const { plain, requests } = trial.used;
        log(`  ${lib}: per connection, over idle: after a plain message each way +${plain.heap.toFixed(0)} B heap (RSS ${plain.rss.toFixed(0)} B); then after a request each way +${requests.heap.toFixed(0)} B heap (RSS ${requests.rss.toFixed(0)} B): requests ${(requests.heap - plain.heap).toFixed(0)} B`);
      }
      log(`  ${lib}: burst of ${spec.burst.messages}, server CPU: broadcasts ${list(trial.burstBroadcastCpuMs)} ms, sends per connection ${list(trial.burstSendsCpuMs)} ms`);
      return trial;
    } finally {
      await stopAll();
    }
  });

  const heap = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => t.heapPerConn / 1024)]));
  const rss = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => t.rssPerConn / 1024)]));
  const fanOut = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => median(t.fanOutMs))]));
  const serverSide = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => median(t.serverMs))]));
  const serverCpu = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => median(t.serverCpuMs))]));
  const burstBroadcast = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => median(t.burstBroadcastCpuMs))]));
  const burstSends = new Map([...trials].map(([lib, list]) => [lib, list.map((t) => median(t.burstSendsCpuMs))]));
  const corowsMode = trials.get('corows-handler')?.[0]?.broadcastMode ?? '';
  const count = connections.toLocaleString('en-US');
  const burst = `${spec.burst.messages} messages of ${spec.size} B to ${count} connections in one tick`;
  const corowsTrials = trials.get('corows-handler') ?? [];
  const corowsBurstRatio = median(corowsTrials.map((t) => median(t.burstBroadcastCpuMs) / median(t.burstSendsCpuMs)));
  return [
    makeRow({ id: 'idle-heap', title: `Idle memory per connection (JS heap + buffers), ${count} open`, short: 'Idle memory (heap)', unit: 'KiB', better: 'lower' }, heap, requestsNotes(corowsTrials, 'heap')),
    makeRow({ id: 'idle-rss', title: `Idle memory per connection (RSS), ${count} open`, short: 'Idle memory (RSS)', unit: 'KiB', better: 'lower' }, rss, requestsNotes(corowsTrials, 'rss')),
    makeRow(
      { id: 'broadcast-server', title: `Broadcast of ${plan.crowd.size} B to ${count} connections: the server's call`, short: 'Broadcast (server)', unit: 'ms', better: 'lower' },
      serverSide,
    ),
    makeRow(
      { id: 'broadcast-cpu', title: `Broadcast of ${plan.crowd.size} B to ${count} connections: the server's CPU time`, short: 'Broadcast (server CPU)', unit: 'ms', better: 'lower' },
      serverCpu,
      ['the server process\'s CPU time (user + system) over its broadcast call, until its promise settled: what the broadcast costs, less disturbed than its wall-clock time by other work on a shared machine'],
    ),
    makeRow(
      { id: 'broadcast', title: `Broadcast of ${plan.crowd.size} B to ${count} connections: until all have it`, short: 'Broadcast (delivered)', unit: 'ms', better: 'lower' },
      fanOut,
      [
        `broadcast as done: raw ws — ${trials.get('ws')?.[0]?.broadcastMode}; corows — ${corowsMode}; Socket.IO — ${trials.get('socket.io')?.[0]?.broadcastMode}`,
        ...(corowsMode.startsWith('pending') ? ['corows: PENDING broadcast() — this build has no server.broadcast(), so the corows figure is a plain loop of sendMessage() over server.connections'] : []),
      ],
    ),
    makeRow(
      { id: 'burst-broadcast-cpu', title: `Burst of broadcasts, ${burst}: server CPU`, short: 'Broadcast burst (CPU)', unit: 'ms', better: 'lower' },
      burstBroadcast,
      [`corows: a burst of broadcasts costs ${corowsBurstRatio.toFixed(2)}× the server CPU of the same messages sent per connection (median over rounds; both are written once per socket per tick)`],
    ),
    makeRow(
      { id: 'burst-sends-cpu', title: `Burst of sends per connection, ${burst}: server CPU`, short: 'Sends burst (CPU)', unit: 'ms', better: 'lower' },
      burstSends,
      ['one send call per connection and message: raw ws — ws.send(); corows — conn.sendMessage(); Socket.IO — socket.emit()'],
    ),
  ];
}

/** What using requests cost the corows connections, as a note of an idle-memory row. */
function requestsNotes(trials: readonly CrowdTrial[], kind: 'heap' | 'rss'): string[] {
  const used = trials.flatMap((t) => (t.used === undefined ? [] : [{ idle: kind === 'heap' ? t.heapPerConn : t.rssPerConn, plain: t.used.plain[kind], requests: t.used.requests[kind] }]));
  if (used.length === 0) return [];
  const kib = (bytes: number): string => (bytes / 1024).toFixed(2);
  const idle = median(used.map((u) => u.idle));
  const plain = median(used.map((u) => u.plain));
  const requests = median(used.map((u) => u.requests));
  const cost = median(used.map((u) => u.requests - u.plain));
  return [
    `corows, the same connections in three states (medians over rounds): never used requests, idle: ${kib(idle)} KiB; after one plain message each way: ${kib(idle + plain)} KiB; then after one request each way (each has its control plane and request table): ${kib(idle + requests)} KiB, so using requests costs ${cost.toFixed(0)} B per connection`,
  ];
}

async function crowdTrial(lib: LibId, round: number, connections: number, plan: Plan): Promise<CrowdTrial> {
  // corows' crowd agrees on the corows protocol, as corows' own client does: requests need it.
  const wire: Wire = lib === 'socket.io' ? 'socket.io' : lib.startsWith('corows') ? 'corows' : 'websocket';
  const [server, crowd] = await Promise.all([Child.start('server', `${lib} server`), Child.start('crowd', `${lib} crowd`)]);
  const { port, broadcastMode } = await server.call<{ port: number; broadcastMode: string }>('listen', { lib, mode: 'echo' }, 10_000);
  const before = await server.call<MemorySnapshot>('memory', null, 10_000);
  await crowd.call('open', { wire, port, count: connections, round, concurrency: plan.crowd.concurrency, timeoutMs: plan.crowd.openTimeoutMs }, plan.crowd.openTimeoutMs + 5_000);
  // The crowd is open when its handshakes are done; the server may still be handing the last ones out.
  let seen = 0;
  for (const deadline = Date.now() + 30_000; ; await sleep(20)) {
    seen = await server.call<number>('connections', null, 10_000);
    if (seen >= connections || Date.now() > deadline) break;
  }
  if (seen !== connections) throw new Error(`${lib}: the server holds ${seen} of ${connections} connections`);
  const after = await server.call<MemorySnapshot>('memory', null, 30_000);
  // corows: each connection now carries a plain message each way, then a request each way; the
  // memory is measured after each (the broadcasts below then run on these connections).
  let used: CrowdTrial['used'];
  let received = 0;
  if (wire === 'corows') {
    const over = (snapshot: MemorySnapshot): PerConn => ({ heap: (snapshot.heap - after.heap) / connections, rss: (snapshot.rss - after.rss) / connections });
    await plainRoundTrip(crowd, connections, received);
    received += connections;
    const plain = over(await server.call<MemorySnapshot>('memory', null, 30_000));
    await requestEachWay(server, crowd);
    used = { plain, requests: over(await server.call<MemorySnapshot>('memory', null, 30_000)) };
  }

  const fanOutMs: number[] = [];
  const serverMs: number[] = [];
  const serverCpuMs: number[] = [];
  const text = 'b'.repeat(plan.crowd.size);
  const { warmupBroadcasts, broadcasts } = plan.crowd;
  for (let i = 0; i < warmupBroadcasts + broadcasts; i++) {
    const delivered = crowd.call('expect', { total: received + (i + 1) * connections, timeoutMs: 30_000 }, 35_000);
    const start = performance.now();
    const { settledMs, cpuMs } = await server.call<{ settledMs: number; cpuMs: number }>('broadcast', { text }, 30_000);
    await delivered;
    if (i >= warmupBroadcasts) {
      fanOutMs.push(performance.now() - start);
      serverMs.push(settledMs);
      serverCpuMs.push(cpuMs);
    }
  }
  let total = received + (warmupBroadcasts + broadcasts) * connections;
  const burstBroadcastCpuMs: number[] = [];
  const burstSendsCpuMs: number[] = [];
  const { burst } = plan.crowd;
  for (let i = 0; i < burst.warmup + burst.counted; i++) {
    for (const style of ['broadcast', 'sends'] as const) {
      total += burst.messages * connections;
      const delivered = crowd.call('expect', { total, timeoutMs: 60_000 }, 65_000);
      const { cpuMs } = await server.call<{ cpuMs: number }>('burst', { text, count: burst.messages, style }, 60_000);
      await delivered;
      if (i >= burst.warmup) (style === 'broadcast' ? burstBroadcastCpuMs : burstSendsCpuMs).push(cpuMs);
    }
  }
  return {
    burstBroadcastCpuMs,
    burstSendsCpuMs,
    heapPerConn: (after.heap - before.heap) / connections,
    rssPerConn: (after.rss - before.rss) / connections,
    fanOutMs,
    serverMs,
    serverCpuMs,
    broadcastMode,
    used,
  };
}

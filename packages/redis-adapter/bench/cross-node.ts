/**
 * Cross-node broadcast throughput and latency: three corows nodes (child processes, each a server with
 * a RedisAdapter) on a throwaway redis-server, then the same on a throwaway Redis Cluster of three
 * masters (sharded pub/sub), `clientsPerNode` clients on each node. A client of node 0 makes its node
 * broadcast; the bench times the arrivals at node 0's own clients (local) and at the other nodes'
 * clients (through Redis). Both setups run side by side and take turns, `rounds` times (a shared
 * machine's noise then hits both alike); each row is the round with the median time. Bounded in count
 * and in time (`timeLimit` per scenario and round).
 *
 * - burst: node 0 broadcasts `messages` binary messages of `size` bytes, one after another (each
 *   awaited, as `await server.broadcast(...)` in a loop); time until the last arrival, and latency from
 *   the send time stamped in each message (same machine clock) to its arrival.
 * - one at a time: `samples` text broadcasts, each sent once the previous one reached everyone; latency
 *   from the client's command (one WebSocket hop to node 0 included) to each arrival.
 *
 * On the cluster every broadcast here goes to all, so on node 0's lane: one shard carries them (which
 * one, and how many SPUBLISH each shard ran, is in `setup`); the lanes of many senders, and messages
 * to rooms, spread over the shards.
 *
 * Run: `pnpm bench:redis` (env BENCH_MESSAGES, BENCH_SIZE, BENCH_CLIENTS, BENCH_SAMPLES, BENCH_TIME_LIMIT,
 * BENCH_ROUNDS, BENCH_CLUSTER=0 to leave the cluster out). From another script: `runCrossNodeBench(options)` returns
 * the rows, `formatCrossNodeTable(result)` prints them; a result with `skipped` means redis-server was
 * not found.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Message } from '@corows/node-server';
import { NodeClient, spawnNode, type NodeProcess, type NodeSettings } from '../test/nodes.js';
import { RedisCluster, SKIP_WITHOUT_CLUSTER } from '../test/redis-cluster.js';
import { findRedisServer, RedisProcess } from '../test/redis-server.js';

/** Options of {@link runCrossNodeBench}. */
export interface CrossNodeBenchOptions {
  /** Broadcasts in the burst. @default 2000 */
  messages?: number;
  /** Bytes per burst message (at least 8: the send time). @default 64 */
  size?: number;
  /** Receiving clients per node. @default 10 */
  clientsPerNode?: number;
  /** Broadcasts timed one at a time. @default 200 */
  samples?: number;
  /** Each scenario of each round gives up after this many milliseconds. @default 30000 */
  timeLimit?: number;
  /** Rounds, interleaving the two setups (each row: the round with the median time). @default 3 */
  rounds?: number;
  /** Also measure on a Redis Cluster of three masters (needs redis-cli). @default true */
  cluster?: boolean;
}

/** One measured scenario. Times in milliseconds. */
export interface CrossNodeRow {
  /** `single` (one redis-server) or `cluster` (three masters, sharded pub/sub). */
  redis: string;
  scenario: string;
  messages: number;
  receivers: number;
  /** From the first send to the last arrival. */
  ms: number;
  /** Broadcasts per second. */
  perSecond: number;
  /** Messages written to clients per second (broadcasts × receivers). */
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
}

/** What {@link runCrossNodeBench} measured, or why it could not. */
export type CrossNodeResult =
  | { rows: CrossNodeRow[]; setup: string }
  | { skipped: string };

const now = (): number => performance.timeOrigin + performance.now();

/** Runs the bench; cleans up every process it started, however it ends. */
export async function runCrossNodeBench(options: CrossNodeBenchOptions = {}): Promise<CrossNodeResult> {
  const binary = findRedisServer();
  if (binary === undefined) return { skipped: 'redis-server not found (Debian: apt-get install redis-server)' };
  const redisVersion = execFileSync(binary, ['--version']).toString().match(/v=(\S+)/)?.[1] ?? '?';
  const settings: Settings = {
    messages: options.messages ?? 2000,
    size: Math.max(8, options.size ?? 64),
    clientsPerNode: options.clientsPerNode ?? 10,
    samples: options.samples ?? 200,
    timeLimit: options.timeLimit ?? 30_000,
    rounds: Math.max(1, options.rounds ?? 3),
  };
  const withCluster = (options.cluster ?? true) && SKIP_WITHOUT_CLUSTER === false;
  const kills: Array<() => Promise<void>> = [];
  const clients: NodeClient[] = [];
  const redis = await RedisProcess.launch();
  let cluster: RedisCluster | undefined;
  try {
    const setups = [await openSetup('single', { redisUrl: redis.url }, settings.clientsPerNode, kills, clients)];
    if (withCluster) {
      cluster = await RedisCluster.launch(3);
      setups.push(await openSetup('cluster', { cluster: cluster.urls }, settings.clientsPerNode, kills, clients));
    }
    const before = await cluster?.calls('spublish');
    const rounds = new Map(setups.map((setup) => [setup.name, [] as CrossNodeRow[][]]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const setup of round % 2 === 0 ? setups : [...setups].reverse()) rounds.get(setup.name)?.push(await measure(setup, settings));
    }
    const rows = setups.flatMap((setup) => medianRows(rounds.get(setup.name) ?? []));
    const setup = [`3 nodes (child processes), ${settings.clientsPerNode} clients per node; burst of ${settings.size}-byte binary messages; median of ${settings.rounds} interleaved rounds`, `single: one redis-server ${redisVersion}`];
    if (cluster !== undefined && before !== undefined) {
      const spublish = (await cluster.calls('spublish')).map((calls, i) => calls - (before[i] as number));
      setup.push(`cluster: 3 masters of redis-server ${redisVersion} on the same machine, sharded pub/sub (SPUBLISH per shard during the run: ${spublish.join(' / ')})`);
    } else if (options.cluster ?? true) {
      setup.push(`cluster: skipped, ${SKIP_WITHOUT_CLUSTER as string}`);
    }
    return { setup: setup.join('; '), rows };
  } finally {
    await Promise.allSettled(clients.map((client) => client.conn.close()));
    await Promise.allSettled(kills.map((kill) => kill()));
    await redis.kill();
    await cluster?.kill();
  }
}

type Settings = Required<Omit<CrossNodeBenchOptions, 'cluster'>>;

/** Three nodes on one Redis setup, their receiving clients and node 0's sender. */
interface Setup {
  name: string;
  sender: NodeClient;
  arrivals: Arrivals;
  receivers: Record<Side, number>;
}

async function openSetup(name: string, redis: Pick<NodeSettings, 'redisUrl' | 'cluster'>, clientsPerNode: number, kills: Array<() => Promise<void>>, clients: NodeClient[]): Promise<Setup> {
  const nodes = await Promise.all([0, 1, 2].map((index) => spawnNode(index, { ...redis, prefix: 'corows-bench' }, (kill) => kills.push(kill))));
  const arrivals = new Arrivals();
  for (const node of nodes) {
    for (let i = 0; i < clientsPerNode; i++) {
      clients.push(await NodeClient.connect(node, [], (msg) => arrivals.record(node.index === 0 ? 'local' : 'remote', msg)));
    }
  }
  const sender = await NodeClient.connect(nodes[0] as NodeProcess);
  clients.push(sender);
  const setup = { name, sender, arrivals, receivers: { local: clientsPerNode, remote: clientsPerNode * 2 } };
  await oneAtATime(setup, 20, Date.now() + 30_000); // warm-up
  return setup;
}

/** One round of the four scenarios on `setup`. */
async function measure(setup: Setup, settings: Settings): Promise<CrossNodeRow[]> {
  const { messages, size, samples } = settings;
  const { sender, arrivals, receivers } = setup;
  let deadline = Date.now() + settings.timeLimit;
  arrivals.reset();
  const burstStart = now();
  const reply = await sender.command('burst', { count: messages, size, exceptSelf: true });
  if (reply.error !== null) throw new Error(`the burst failed: ${String(reply.error)}`);
  await arrivals.until(() => arrivals.count.local === messages * receivers.local && arrivals.count.remote === messages * receivers.remote, deadline, `the burst (${setup.name})`);
  const burst = arrivals.snapshot();

  arrivals.reset();
  deadline = Date.now() + settings.timeLimit;
  const timedStart = now();
  await oneAtATime(setup, samples, deadline);
  const timed = arrivals.snapshot();

  const row = (scenario: string, count: number, n: number, first: number, last: number, latencies: number[]): CrossNodeRow => {
    const ms = last - first;
    return { redis: setup.name, scenario, messages: count, receivers: n, ms, perSecond: count / (ms / 1000), deliveriesPerSecond: (count * n) / (ms / 1000), ...percentiles(latencies) };
  };
  return [
    row('burst, local (node 0)', messages, receivers.local, burstStart, burst.last.local, burst.latencies.local),
    row('burst, cross-node (nodes 1, 2)', messages, receivers.remote, burstStart, burst.last.remote, burst.latencies.remote),
    row('one at a time, local', samples, receivers.local, timedStart, timed.last.local, timed.latencies.local),
    row('one at a time, cross-node', samples, receivers.remote, timedStart, timed.last.remote, timed.latencies.remote),
  ];
}

/** For each scenario, the round with the median time (its latencies with it). */
function medianRows(rounds: CrossNodeRow[][]): CrossNodeRow[] {
  return (rounds[0] ?? []).map((_, i) => {
    const sorted = rounds.map((round) => round[i] as CrossNodeRow).sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor((sorted.length - 1) / 2)] as CrossNodeRow;
  });
}

/** Formats a result as a table (or the reason it was skipped). */
export function formatCrossNodeTable(result: CrossNodeResult): string {
  if ('skipped' in result) return `cross-node broadcast: skipped, ${result.skipped}`;
  const header = ['redis', 'scenario', 'messages', 'receivers', 'time ms', 'msg/s', 'vs single', 'deliveries/s', 'p50 ms', 'p99 ms'];
  const single = new Map(result.rows.filter((r) => r.redis === 'single').map((r) => [r.scenario, r]));
  const lines = result.rows.map((r) => {
    const base = single.get(r.scenario);
    const ratio = r.redis === 'single' || base === undefined ? '' : `${(r.perSecond / base.perSecond).toFixed(2)}×`;
    return [
      r.redis, r.scenario, String(r.messages), String(r.receivers), r.ms.toFixed(0), r.perSecond.toFixed(0), ratio,
      r.deliveriesPerSecond.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] as string).length)));
  const left = (i: number): boolean => i < 2;
  const format = (cells: string[]): string => `| ${cells.map((cell, i) => (left(i) ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  return [
    `cross-node broadcast: ${result.setup}`,
    format(header),
    `|${widths.map((w, i) => (left(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...lines.map(format),
  ].join('\n');
}

type Side = 'local' | 'remote';

/** Counts arrivals per side, with their latency (from the time stamped in binary messages or set by `expect`). */
class Arrivals {
  count: Record<Side, number> = { local: 0, remote: 0 };
  last: Record<Side, number> = { local: 0, remote: 0 };
  latencies: Record<Side, number[]> = { local: [], remote: [] };
  private sentAt = new Map<string, number>();
  private wake: (() => void) | undefined;

  reset(): void {
    this.count = { local: 0, remote: 0 };
    this.last = { local: 0, remote: 0 };
    this.latencies = { local: [], remote: [] };
    this.sentAt.clear();
  }

  /** A text message `text` is sent now. */
  expect(text: string): void {
    this.sentAt.set(text, now());
  }

  record(side: Side, msg: Message): void {
    const at = now();
    const sent = typeof msg === 'string' ? this.sentAt.get(msg) : Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength).readDoubleLE(0);
    if (sent === undefined) return;
    this.count[side]++;
    this.last[side] = at;
    this.latencies[side].push(at - sent);
    this.wake?.();
  }

  snapshot(): { last: Record<Side, number>; latencies: Record<Side, number[]> } {
    return { last: { ...this.last }, latencies: { local: [...this.latencies.local], remote: [...this.latencies.remote] } };
  }

  async until(done: () => boolean, deadline: number, what: string): Promise<void> {
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the bench ran out of time waiting for ${what} (local ${this.count.local}, cross-node ${this.count.remote} arrivals)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** Sends `count` text broadcasts, each once the previous one has reached every receiver. */
async function oneAtATime({ sender, arrivals, receivers }: Setup, count: number, deadline: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const text = `t${i}`;
    arrivals.expect(text);
    void sender.command('broadcast', { text, exceptSelf: true });
    await arrivals.until(() => arrivals.count.local === i * receivers.local && arrivals.count.remote === i * receivers.remote, deadline, `broadcast ${i} of ${count}`);
  }
}

function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const numberFrom = (name: string): number | undefined => (process.env[name] === undefined ? undefined : Number(process.env[name]));
  const result = await runCrossNodeBench({
    messages: numberFrom('BENCH_MESSAGES'),
    size: numberFrom('BENCH_SIZE'),
    clientsPerNode: numberFrom('BENCH_CLIENTS'),
    samples: numberFrom('BENCH_SAMPLES'),
    timeLimit: numberFrom('BENCH_TIME_LIMIT'),
    rounds: numberFrom('BENCH_ROUNDS'),
    cluster: process.env.BENCH_CLUSTER !== '0',
  });
  console.log(formatCrossNodeTable(result));
}

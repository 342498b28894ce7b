/**
 * Cross-node broadcast throughput and latency: three corows nodes (child processes, each a server with
 * a RedisAdapter) on a throwaway redis-server, `clientsPerNode` clients on each. A client of node 0
 * makes its node broadcast; the bench times the arrivals at node 0's own clients (local) and at the
 * other nodes' clients (through Redis). Bounded in count and in time (`timeLimit`).
 *
 * - burst: node 0 broadcasts `messages` binary messages of `size` bytes, one after another (each
 *   awaited, as `await server.broadcast(...)` in a loop); time until the last arrival, and latency from
 *   the send time stamped in each message (same machine clock) to its arrival.
 * - one at a time: `samples` text broadcasts, each sent once the previous one reached everyone; latency
 *   from the client's command (one WebSocket hop to node 0 included) to each arrival.
 *
 * Run: `pnpm bench:redis` (env BENCH_MESSAGES, BENCH_SIZE, BENCH_CLIENTS, BENCH_SAMPLES, BENCH_TIME_LIMIT).
 * From another script: `runCrossNodeBench(options)` returns the rows, `formatCrossNodeTable(result)`
 * prints them; a result with `skipped` means redis-server was not found.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Message } from '@corows/node-server';
import { NodeClient, spawnNode, type NodeProcess } from '../test/nodes.js';
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
  /** The whole run gives up after this many milliseconds. @default 30000 */
  timeLimit?: number;
}

/** One measured scenario. Times in milliseconds. */
export interface CrossNodeRow {
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
  const messages = options.messages ?? 2000;
  const size = Math.max(8, options.size ?? 64);
  const clientsPerNode = options.clientsPerNode ?? 10;
  const samples = options.samples ?? 200;
  const deadline = Date.now() + (options.timeLimit ?? 30_000);

  const kills: Array<() => Promise<void>> = [];
  const clients: NodeClient[] = [];
  const redis = await RedisProcess.launch();
  try {
    const nodes: NodeProcess[] = await Promise.all([0, 1, 2].map((index) =>
      spawnNode(index, { redisUrl: redis.url, prefix: 'corows-bench' }, (kill) => kills.push(kill))));
    const arrivals = new Arrivals();
    for (const node of nodes) {
      for (let i = 0; i < clientsPerNode; i++) {
        clients.push(await NodeClient.connect(node, [], (msg) => arrivals.record(node.index === 0 ? 'local' : 'remote', msg)));
      }
    }
    const sender = await NodeClient.connect(nodes[0] as NodeProcess);
    clients.push(sender);
    const receivers = { local: clientsPerNode, remote: clientsPerNode * 2 };

    await oneAtATime(sender, arrivals, receivers, 20, deadline); // warm-up
    arrivals.reset();
    const burstStart = now();
    const reply = await sender.command('burst', { count: messages, size, exceptSelf: true });
    if (reply.error !== null) throw new Error(`the burst failed: ${String(reply.error)}`);
    await arrivals.until(() => arrivals.count.local === messages * receivers.local && arrivals.count.remote === messages * receivers.remote, deadline, 'the burst');
    const burst = arrivals.snapshot();

    arrivals.reset();
    const timedStart = now();
    await oneAtATime(sender, arrivals, receivers, samples, deadline);
    const timed = arrivals.snapshot();

    const row = (scenario: string, count: number, n: number, first: number, last: number, latencies: number[]): CrossNodeRow => {
      const ms = last - first;
      return { scenario, messages: count, receivers: n, ms, perSecond: count / (ms / 1000), deliveriesPerSecond: (count * n) / (ms / 1000), ...percentiles(latencies) };
    };
    const redisVersion = execFileSync(binary, ['--version']).toString().match(/v=(\S+)/)?.[1] ?? '?';
    return {
      setup: `3 nodes (child processes) on one redis-server ${redisVersion}, ${clientsPerNode} clients per node; burst of ${size}-byte binary messages`,
      rows: [
        row('burst, local (node 0)', messages, receivers.local, burstStart, burst.last.local, burst.latencies.local),
        row('burst, cross-node (nodes 1, 2)', messages, receivers.remote, burstStart, burst.last.remote, burst.latencies.remote),
        row('one at a time, local', samples, receivers.local, timedStart, timed.last.local, timed.latencies.local),
        row('one at a time, cross-node', samples, receivers.remote, timedStart, timed.last.remote, timed.latencies.remote),
      ],
    };
  } finally {
    await Promise.allSettled(clients.map((client) => client.conn.close()));
    await Promise.allSettled(kills.map((kill) => kill()));
    await redis.kill();
  }
}

/** Formats a result as a table (or the reason it was skipped). */
export function formatCrossNodeTable(result: CrossNodeResult): string {
  if ('skipped' in result) return `cross-node broadcast: skipped, ${result.skipped}`;
  const header = ['scenario', 'messages', 'receivers', 'time ms', 'msg/s', 'deliveries/s', 'p50 ms', 'p99 ms'];
  const lines = result.rows.map((r) => [
    r.scenario, String(r.messages), String(r.receivers), r.ms.toFixed(0), r.perSecond.toFixed(0),
    r.deliveriesPerSecond.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] as string).length)));
  const format = (cells: string[]): string => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  return [
    `cross-node broadcast: ${result.setup}`,
    format(header),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
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
async function oneAtATime(sender: NodeClient, arrivals: Arrivals, receivers: Record<Side, number>, count: number, deadline: number): Promise<void> {
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
  });
  console.log(formatCrossNodeTable(result));
}

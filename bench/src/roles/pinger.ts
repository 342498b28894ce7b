// The one active client of `pnpm bench:scale`: ping-pong with its server while the crowd is broadcast to.
import { performance } from 'node:perf_hooks';
import { openLean, type LeanConn, type Wire } from '../libs/lean-client.js';
import { quantileOfSorted } from '../stats.js';

/** What the pinger sends; the server echoes it. Its first character tells it from broadcasts. */
const PING = 'p'.repeat(64);
const PING_TAG = PING.charCodeAt(0);
/** At most this many round trips are kept. */
const MAX_SAMPLES = 1_000_000;

let conn: LeanConn | undefined;
let samples: number[] = [];
let others = 0;
let running: { sentAt: number; everyMs: number; until: number; timer?: NodeJS.Timeout } | undefined;

function ping(): void {
  if (running === undefined || conn === undefined) return;
  if (performance.now() > running.until || samples.length >= MAX_SAMPLES) {
    running = undefined;
    return;
  }
  running.sentAt = performance.now();
  conn.send(PING);
}

function onMessage(tag: number): void {
  if (tag !== PING_TAG) {
    others++;
    return;
  }
  if (running === undefined) return;
  samples.push((performance.now() - running.sentAt) * 1000);
  running.timer = setTimeout(ping, running.everyMs);
}

export const commands = {
  async open({ wire, port }: { wire: Wire; port: number }) {
    conn = await openLean(port, wire, '127.0.0.1', { onMessage });
  },

  /** Pings, waits for the pong, pauses `everyMs`, pings again, until `stop` or `maxMs` have passed. */
  start({ everyMs, maxMs }: { everyMs: number; maxMs: number }) {
    samples = [];
    running = { sentAt: 0, everyMs, until: performance.now() + maxMs };
    ping();
  },

  /** Stops and returns the round trips' percentiles in microseconds, and how many other messages arrived. */
  stop() {
    if (running?.timer !== undefined) clearTimeout(running.timer);
    running = undefined;
    if (samples.length === 0) throw new Error('no round trip completed');
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50: quantileOfSorted(sorted, 0.5), p99: quantileOfSorted(sorted, 0.99), max: sorted[sorted.length - 1] as number, count: sorted.length, others };
  },
};

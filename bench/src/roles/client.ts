// An echo load-generator child: connections of one library's client to a server of the same library.
import { performance } from 'node:perf_hooks';
import { libById } from '../libs/index.js';
import type { EchoPeer } from '../libs/types.js';
import { profilerCommands } from '../profiler.js';
import { quantileOfSorted } from '../stats.js';
import { sleep, waitFor } from '../timing.js';

let peers: EchoPeer[] = [];

/** Timing of one run: warm up, then measure, then stop sending and wait for the echoes still out. */
interface RunTiming {
  warmMs: number;
  measureMs: number;
  drainMs: number;
}

export const commands = {
  async connect({ lib, port, conns }: { lib: string; port: number; conns: number }) {
    peers = await Promise.all(Array.from({ length: conns }, () => libById(lib).connect(port)));
    return peers.length;
  },

  /** Every connection keeps `inFlight` messages of `size` bytes in flight; returns echoes per second. */
  async echo({ size, inFlight, ...timing }: { size: number; inFlight: number } & RunTiming) {
    let received = 0;
    let outstanding = 0;
    let sending = true;
    const onEcho = (): boolean => {
      received++;
      if (sending) return true;
      outstanding--;
      return false;
    };
    const payload = 'x'.repeat(size);
    for (const peer of peers) {
      outstanding += inFlight;
      peer.pump(payload, inFlight, onEcho);
    }
    await sleep(timing.warmMs);
    const [count0, time0] = [received, performance.now()];
    await sleep(timing.measureMs);
    const [count1, time1] = [received, performance.now()];
    sending = false;
    await waitFor(() => outstanding === 0, timing.drainMs, 'echoes still missing after the run');
    checkEchoes();
    return { perSecond: ((count1 - count0) * 1000) / (time1 - time0) };
  },

  /** One message in flight on the first connection; returns round-trip percentiles in microseconds. */
  async pingPong({ size, maxSamples, ...timing }: { size: number; maxSamples: number } & RunTiming) {
    const samples: number[] = [];
    let measuring = false;
    let sending = true;
    let outstanding = 1;
    let last = performance.now();
    const onEcho = (): boolean => {
      const now = performance.now();
      if (measuring && samples.length < maxSamples) samples.push((now - last) * 1000);
      last = now;
      if (sending) return true;
      outstanding = 0;
      return false;
    };
    (peers[0] as EchoPeer).pump('x'.repeat(size), 1, onEcho);
    await sleep(timing.warmMs);
    measuring = true;
    await sleep(timing.measureMs);
    measuring = false;
    sending = false;
    await waitFor(() => outstanding === 0, timing.drainMs, 'the last ping got no pong');
    checkEchoes();
    if (samples.length === 0) throw new Error('no round trip completed while measuring');
    samples.sort((a, b) => a - b);
    return { p50: quantileOfSorted(samples, 0.5), p99: quantileOfSorted(samples, 0.99), count: samples.length };
  },

  /** CPU time this process has used so far, user and system, in microseconds. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },

  ...profilerCommands,

  async close() {
    await Promise.all(peers.map((peer) => peer.close()));
    peers = [];
  },
};

function checkEchoes(): void {
  const wrong = peers.reduce((sum, peer) => sum + peer.mismatches, 0);
  if (wrong > 0) throw new Error(`${wrong} echoes were not what was sent`);
}

// node --import tsx bench/src/ping-probe.ts [--libs=ws,corows-receive,corows-handler] [--rounds=30] [--ms=300] [--conns=1] [--echo-first] [--profile]
// The ping-pong row (one 64 B message in flight on one connection), probed: every library's server
// and client run side by side, warm, and take turns (the order turning every round), each turn a
// `--ms` window. Per turn it records the round trip's p50 and the CPU time both processes spent per
// round trip (less disturbed by other work on the machine than the latency); it prints each
// library's medians and the median over rounds of its ratio to the first library's in the same
// round. With --echo-first every pair first runs the bench's echo rows (64 B and 16 KiB, 10 connections
// × 20 in flight), as the bench's duplex row does before its ping-pong. With --profile it prints where
// the servers and the clients spent their CPU.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Child, killAll, stopAll } from './children.js';
import { summarizeProfiles } from './report/profile.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { libs: { type: 'string' }, rounds: { type: 'string' }, ms: { type: 'string' }, conns: { type: 'string' }, 'echo-first': { type: 'boolean' }, profile: { type: 'boolean' } } });
const libs = (values.libs ?? 'ws,corows-receive,corows-handler').split(',');
const rounds = Number(values.rounds ?? 30);
const measureMs = Number(values.ms ?? 300);
const WARMUP = 2;
process.on('exit', killAll);

interface Side {
  lib: string;
  server: Child;
  client: Child;
  p50: number[];
  cpuUs: number[];
}

async function open(lib: string): Promise<Side> {
  const [server, client] = await Promise.all([Child.start('server', `${lib} server`), Child.start('client', `${lib} client`)]);
  const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
  await client.call('connect', { lib, port, conns: Number(values.conns ?? 1) }, 20_000);
  if (values['echo-first'] === true) {
    for (const size of [64, 16 * 1024]) await client.call('echo', { size, inFlight: 20, warmMs: 100, measureMs: 3_000, drainMs: 10_000 }, 30_000);
  }
  return { lib, server, client, p50: [], cpuUs: [] };
}

async function turn(side: Side, counted: boolean): Promise<void> {
  const cpu = async (): Promise<number> => (await side.server.call<number>('cpu', null, 10_000)) + (await side.client.call<number>('cpu', null, 10_000));
  const before = await cpu();
  const result = await side.client.call<{ p50: number; count: number }>('pingPong', { size: 64, warmMs: 50, measureMs, drainMs: 5_000, maxSamples: 1_000_000 }, measureMs + 10_000);
  const after = await cpu();
  if (!counted) return;
  side.p50.push(result.p50);
  // Over the warm-up and the measured window alike: about (50 + ms) / p50 round trips in all.
  side.cpuUs.push((after - before) / (result.count * (1 + 50 / measureMs)));
}

function ratioText(a: number[], b: number[]): string {
  const ratios = a.map((value, i) => value / (b[i] as number)).sort((x, y) => x - y);
  const at = (p: number): string => (ratios[Math.floor(p * (ratios.length - 1))] as number).toFixed(2);
  return `${median(ratios).toFixed(2)}× (${at(0.25)}–${at(0.75)})`;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'ping-probe-'));
try {
  const sides: Side[] = [];
  for (const lib of libs) sides.push(await open(lib));
  for (let round = 0; round < WARMUP + rounds; round++) {
    if (round === WARMUP && values.profile === true) {
      for (const side of sides) await Promise.all([side.server.call('profileStart', null, 10_000), side.client.call('profileStart', null, 10_000)]);
    }
    for (let i = 0; i < sides.length; i++) await turn(sides[(i + round) % sides.length] as Side, round >= WARMUP);
  }
  const base = sides[0] as Side;
  console.log(`ping-pong, 64 B, ${rounds} turns of ${measureMs} ms each; ratios to ${base.lib} in the same round (median, middle half)`);
  for (const side of sides) {
    console.log(`${side.lib}: p50 ${median(side.p50).toFixed(1)} µs ${ratioText(side.p50, base.p50)}; CPU per round trip (both ends, approx.) ${median(side.cpuUs).toFixed(1)} µs ${ratioText(side.cpuUs, base.cpuUs)}`);
  }
  if (values.profile === true) {
    for (const [index, side] of sides.entries()) {
      for (const [role, child] of [['server', side.server], ['client', side.client]] as const) {
        const folder = path.join(dir, `${2 * index + (role === 'server' ? 1 : 2)}-${side.lib}-${role}`);
        mkdirSync(folder);
        await child.call('profileStop', { path: path.join(folder, 'ping.cpuprofile') }, 30_000);
      }
    }
    if (readdirSync(dir).length > 0) console.log(summarizeProfiles(dir, 25));
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

// node --import tsx bench/src/broadcast-probe.ts [--libs=ws,corows-handler] [--connections=10000] [--broadcasts=40] [--profile]
// Where a server's broadcast call spends its time, and how it compares with raw ws's loop on a busy
// machine. Every library's server and crowd run side by side (each crowd as in the broadcast row) and
// take turns, one broadcast each per round (the order turning every round), so that the load other
// work puts on the machine falls on all alike. Per broadcast it records the server's call (until its
// promise settled), the server's CPU time (user + system) over that call, and the time until the
// whole crowd had the message; it prints each library's medians and the median over rounds of its
// ratio to the first library's figure in the same round. With --profile it prints the functions that
// took the most CPU during the counted broadcasts.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Child, killAll, stopAll } from './children.js';
import { summarizeProfiles } from './report/profile.js';
import { median } from './stats.js';
import { sleep } from './timing.js';

const { values } = parseArgs({ options: { libs: { type: 'string' }, connections: { type: 'string' }, broadcasts: { type: 'string' }, profile: { type: 'boolean' } } });
const libs = (values.libs ?? 'ws,corows-handler').split(',');
const count = Number(values.connections ?? 10_000);
const broadcasts = Number(values.broadcasts ?? 40);
const WARMUP = 3;
process.on('exit', killAll);

interface Side {
  lib: string;
  server: Child;
  crowd: Child;
  sent: number;
  callMs: number[];
  cpuMs: number[];
  deliveredMs: number[];
}

async function open(lib: string, index: number): Promise<Side> {
  const [server, crowd] = await Promise.all([Child.start('server', `${lib} server`), Child.start('crowd', `${lib} crowd`)]);
  const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
  const wire = lib === 'socket.io' ? 'socket.io' : 'websocket';
  await crowd.call('open', { wire, port, count, round: index, concurrency: 100, timeoutMs: 120_000 }, 125_000);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
    if ((await server.call<number>('connections', null, 10_000)) >= count) break;
  }
  return { lib, server, crowd, sent: 0, callMs: [], cpuMs: [], deliveredMs: [] };
}

async function broadcastOnce(side: Side, text: string, counted: boolean): Promise<void> {
  side.sent++;
  const delivered = side.crowd.call('expect', { total: side.sent * count, timeoutMs: 30_000 }, 35_000);
  const start = performance.now();
  const { settledMs, cpuMs } = await side.server.call<{ settledMs: number; cpuMs: number }>('broadcast', { text }, 30_000);
  await delivered;
  if (!counted) return;
  side.deliveredMs.push(performance.now() - start);
  side.callMs.push(settledMs);
  side.cpuMs.push(cpuMs);
}

/** `median (middle half lo–hi)` of the per-round ratios `a[i] / b[i]`. */
function ratioText(a: number[], b: number[]): string {
  const ratios = a.map((value, i) => value / (b[i] as number)).sort((x, y) => x - y);
  const at = (p: number): string => (ratios[Math.floor(p * (ratios.length - 1))] as number).toFixed(2);
  return `${median(ratios).toFixed(2)}× (${at(0.25)}–${at(0.75)})`;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'broadcast-probe-'));
try {
  const sides: Side[] = [];
  for (const [index, lib] of libs.entries()) sides.push(await open(lib, index));
  const text = 'b'.repeat(64);
  for (let round = 0; round < WARMUP + broadcasts; round++) {
    if (round === WARMUP && values.profile === true) for (const side of sides) await side.server.call('profileStart', null, 10_000);
    for (let i = 0; i < sides.length; i++) await broadcastOnce(sides[(i + round) % sides.length] as Side, text, round >= WARMUP);
  }
  const base = sides[0] as Side;
  console.log(`${count} connections, ${broadcasts} broadcasts each, taking turns; ratios to ${base.lib} in the same round (median, middle half)`);
  for (const side of sides) {
    const rows = [['call', side.callMs, base.callMs], ['CPU', side.cpuMs, base.cpuMs], ['delivered', side.deliveredMs, base.deliveredMs]] as const;
    console.log(`${side.lib}: ${rows.map(([name, mine, theirs]) => `${name} ${median(mine).toFixed(1)} ms ${ratioText(mine, theirs)}`).join('; ')}`);
  }
  if (values.profile === true) {
    for (const [index, side] of sides.entries()) {
      const child = path.join(dir, `${index + 1}-${side.lib}`);
      mkdirSync(child);
      await side.server.call('profileStop', { path: path.join(child, 'broadcast.cpuprofile') }, 30_000);
    }
    if (readdirSync(dir).length > 0) console.log(summarizeProfiles(dir, 25));
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

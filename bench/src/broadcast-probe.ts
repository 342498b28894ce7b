// node --import tsx bench/src/broadcast-probe.ts [--libs=ws,corows-handler] [--connections=10000] [--broadcasts=20] [--profile]
// Where a server's broadcast call spends its time: opens the crowd of the broadcast row against each
// library's server, times its broadcast call (the median over `--broadcasts`, after 3 uncounted), and
// with --profile prints the functions that took the most CPU during the counted broadcasts.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Child, killAll, stopAll } from './children.js';
import { summarizeProfiles } from './report/profile.js';
import { median } from './stats.js';
import { sleep } from './timing.js';

const { values } = parseArgs({ options: { libs: { type: 'string' }, connections: { type: 'string' }, broadcasts: { type: 'string' }, profile: { type: 'boolean' } } });
const libs = (values.libs ?? 'ws,corows-handler').split(',');
const count = Number(values.connections ?? 10_000);
const broadcasts = Number(values.broadcasts ?? 20);
process.on('exit', killAll);

const dir = mkdtempSync(path.join(os.tmpdir(), 'broadcast-probe-'));
try {
  for (const [index, lib] of libs.entries()) {
    const server = await Child.start('server', `${lib} server`);
    const crowd = await Child.start('crowd', `${lib} crowd`);
    const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
    const wire = lib === 'socket.io' ? 'socket.io' : 'websocket';
    await crowd.call('open', { wire, port, count, round: index, concurrency: 100, timeoutMs: 120_000 }, 125_000);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
      if ((await server.call<number>('connections', null, 10_000)) >= count) break;
    }
    const text = 'b'.repeat(64);
    const times: number[] = [];
    for (let i = 0; i < 3 + broadcasts; i++) {
      if (i === 3 && values.profile === true) await server.call('profileStart', null, 10_000);
      const delivered = crowd.call('expect', { total: (i + 1) * count, timeoutMs: 30_000 }, 35_000);
      const { settledMs } = await server.call<{ settledMs: number }>('broadcast', { text }, 30_000);
      await delivered;
      if (i >= 3) times.push(settledMs);
    }
    if (values.profile === true) {
      const child = path.join(dir, `${index + 1}-${lib}`);
      mkdirSync(child);
      await server.call('profileStop', { path: path.join(child, 'broadcast.cpuprofile') }, 30_000);
    }
    console.log(`${lib}: broadcast call ${median(times).toFixed(1)} ms (median of ${broadcasts}; min ${Math.min(...times).toFixed(1)}), ${count} connections`);
    await stopAll();
  }
  if (values.profile === true && readdirSync(dir).length > 0) console.log(summarizeProfiles(dir, 25));
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

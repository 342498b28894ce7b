// node --import tsx bench/src/echo-probe.ts [--libs=ws,corows-handler] [--loaders=3] [--conns=4] [--in-flight=20] [--size=64] [--seconds=5] [--profile]
// Where an echo server's CPU goes: each library's server under the load of the ceiling rows for
// `--seconds`, its CPU time per echoed message, and with --profile the functions that took the most
// self time in the server during that window (V8's CPU profiler, as --cpu-prof uses it, started and
// stopped through node:inspector so that start-up is left out; 100 µs sampling).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Child, killAll, stopAll } from './children.js';
import { summarizeProfiles } from './report/profile.js';
import { sleep } from './timing.js';

const { values } = parseArgs({
  options: { libs: { type: 'string' }, loaders: { type: 'string' }, conns: { type: 'string' }, 'in-flight': { type: 'string' }, size: { type: 'string' }, seconds: { type: 'string' }, profile: { type: 'boolean' }, top: { type: 'string' } },
});
const libs = (values.libs ?? 'ws,corows-handler').split(',');
const [loaders, conns, inFlight, size, seconds, top] = [values.loaders ?? 3, values.conns ?? 4, values['in-flight'] ?? 20, values.size ?? 64, values.seconds ?? 5, values.top ?? 30].map(Number) as [number, number, number, number, number, number];
process.on('exit', killAll);

const dir = mkdtempSync(path.join(os.tmpdir(), 'echo-probe-'));
try {
  for (const [index, lib] of libs.entries()) {
    const wire = lib === 'socket.io' ? 'socket.io' : 'websocket';
    const server = await Child.start('server', `${lib} server`, 60_000);
    const load = await Promise.all(Array.from({ length: loaders }, (_, i) => Child.start('loader', `${lib} loader ${i}`, 60_000)));
    const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
    await Promise.all(load.map((loader, i) => loader.call('open', { wire, port, conns, round: 180 + index * loaders + i }, 20_000)));
    const echoes = async (): Promise<number> => (await Promise.all(load.map((l) => l.call<{ echoes: number }>('count', null, 10_000)))).reduce((sum, c) => sum + c.echoes, 0);
    await Promise.all(load.map((loader) => loader.call('start', { size, inFlight }, 10_000)));
    await sleep(500);
    if (values.profile === true) await server.call('profileStart', null, 10_000);
    const [cpu0, n0] = [await server.call<number>('cpu', null, 10_000), await echoes()];
    await sleep(seconds * 1000);
    const [cpu1, n1] = [await server.call<number>('cpu', null, 10_000), await echoes()];
    if (values.profile === true) {
      const child = path.join(dir, `${index + 1}-${lib}`);
      mkdirSync(child);
      await server.call('profileStop', { path: path.join(child, 'echo.cpuprofile') }, 30_000);
    }
    await Promise.all(load.map((loader) => loader.call('stop', { drainMs: 10_000 }, 15_000)));
    console.log(`${lib}: ${((cpu1 - cpu0) / (n1 - n0)).toFixed(2)} µs server CPU per echo, ${Math.round((n1 - n0) / seconds)} echoes/s (${loaders} loaders × ${conns} connections × ${inFlight} in flight, ${size} B)`);
    await stopAll();
  }
  if (values.profile === true && readdirSync(dir).length > 0) console.log(summarizeProfiles(dir, top));
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

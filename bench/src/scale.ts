// pnpm bench:scale [--smoke] [--no-write] [--stacks=corows,socket.io] [--connections=N]: many idle
// connections over several server processes on one Redis, corows against Socket.IO (see plan.ts).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findRedisServer, RedisProcess } from '../../packages/redis-adapter/test/redis-server.js';
import { killAll, startChildrenFrom } from './children.js';
import { compileBench } from './compile.js';
import type { Stack } from './libs/scale-nodes.js';
import { describeMachine } from './machine.js';
import { FULL_SCALE, SMOKE_SCALE } from './plan.js';
import { markdownScaleDetails, markdownScaleTable, renderScaleChart, scaleRows, writeScaleDocs, type ScaleRun } from './report/scale.js';
import { runScaleTrial, type ScaleTrial } from './rows/scale.js';
import { killScaleRig, startScaleRig } from './rows/scale-rig.js';
import { guardRun } from './run-guard.js';

const STACKS: readonly Stack[] = ['corows', 'socket.io'];
/** File descriptors a process needs besides its connections. */
const SPARE_FDS = 200;

const { values: flags } = parseArgs({
  options: { smoke: { type: 'boolean' }, 'no-write': { type: 'boolean' }, stacks: { type: 'string' }, connections: { type: 'string' } },
});
const plan = flags.smoke === true ? SMOKE_SCALE : FULL_SCALE;
const stacks = flags.stacks === undefined ? [...STACKS] : flags.stacks.split(',');
for (const stack of stacks) {
  if (!(STACKS as readonly string[]).includes(stack)) throw new Error(`--stacks takes ${STACKS.join(', ')}; got ${JSON.stringify(stack)}`);
}
const log = (line: string): void => console.log(line);
guardRun(plan.deadlineMs);

const redisBinary = findRedisServer();
if (redisBinary === undefined) {
  // CI installs redis-server (scripts/ensure-tools.sh); elsewhere the run says what is missing.
  console.error('bench:scale needs redis-server (Debian: apt-get install redis-server, or set REDIS_SERVER)');
  process.exit(1);
}
const redisVersion = /v=(\S+)/.exec(execFileSync(redisBinary, ['--version']).toString())?.[1] ?? '?';
const notes: string[] = [];
const connections = connectionCount(flags.connections === undefined ? plan.connections : Number(flags.connections));

const started = Date.now();
const machine = describeMachine(['@corows/redis-adapter', '@socket.io/redis-adapter', 'ioredis']);
log(`corows bench:scale (${plan.name}): ${connections.toLocaleString('en-US')} connections, ${plan.servers} server and ${plan.crowds} load processes per stack; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, redis-server ${redisVersion}, load ${machine.loadBefore.join(' ')}`);

const trials: ScaleTrial[] = [];
let startSeconds = 0;
startChildrenFrom(compileBench());
try {
  // Every stack's processes start at once, before any is measured: they idle until told to listen.
  const starting = performance.now();
  const rigs = await Promise.all((stacks as Stack[]).map((stack) => startScaleRig(stack, plan)));
  startSeconds = (performance.now() - starting) / 1000;
  log(`started ${rigs.length * (plan.servers + plan.crowds + 1)} processes in ${startSeconds.toFixed(1)} s`);
  for (const [index, rig] of rigs.entries()) {
    // A fresh redis-server per stack, on BENCH_REDIS_PORT if set, else a free port.
    const redis = await RedisProcess.launch(process.env.BENCH_REDIS_PORT === undefined ? undefined : Number(process.env.BENCH_REDIS_PORT));
    try {
      // A stack after the first gets as many connections as the first opened: equal loads compare.
      const wanted = trials[0]?.connections ?? connections;
      trials.push(await runScaleTrial(rig, plan, wanted, redis.url, 100 + index * plan.crowds, log));
    } finally {
      const stopping = performance.now();
      killScaleRig(rig);
      await redis.kill();
      log(`  ${rig.stack}: teardown ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    }
  }
} finally {
  killAll();
}

const failed = trials.filter((t) => Object.values(t.delivery).some((n) => n !== 0));
const both = trials.length === STACKS.length;
if (both) {
  const rows = scaleRows(trials);
  log(`\n${markdownScaleTable(rows)}\n\n${markdownScaleDetails(trials)}`);
  const run: ScaleRun = {
    plan,
    machine,
    redisVersion,
    date: new Date().toISOString().slice(0, 10),
    minutes: (Date.now() - started) / 60_000,
    startSeconds,
    loadAfter: os.loadavg().map((load) => Math.round(load * 100) / 100),
    trials,
    notes,
  };
  const svg = await renderScaleChart(rows, `pnpm bench:scale, ${run.date}, ${(trials[0]?.connections ?? 0).toLocaleString('en-US')} connections over ${plan.servers} processes, ${machine.cores}-core shared machine`);
  if (plan.name === 'full' && flags['no-write'] !== true && flags.connections === undefined) log(`\nwrote ${writeScaleDocs(run, svg).join(', ')}`);
  else log(`\n${plan.name} run: docs left as they are`);
} else {
  log(`\n${markdownScaleDetails(trials)}\n\nonly ${stacks.join(', ')}: no comparison, docs left as they are`);
}
if (failed.length > 0) {
  console.error(`bench:scale: messages lost or connections dropped (${failed.map((t) => t.stack).join(', ')}); see above`);
  process.exit(1);
}

/** Each process holds at most its share of the connections: fewer connections if the open-file limit is low. */
function connectionCount(wanted: number): number {
  if (!Number.isInteger(wanted) || wanted < plan.servers * 100) throw new Error(`--connections must be a whole number of at least ${plan.servers * 100}, got ${wanted}`);
  const limit = Number(process.env.BENCH_FD_LIMIT);
  const perProcess = Math.ceil(wanted / Math.min(plan.servers, plan.crowds));
  if (!Number.isFinite(limit) || limit - SPARE_FDS >= perProcess) return wanted;
  const fitting = (limit - SPARE_FDS) * Math.min(plan.servers, plan.crowds);
  const note = `ran with ${fitting.toLocaleString('en-US')} connections instead of ${wanted.toLocaleString('en-US')}: the open-file limit is ${limit} per process and could not be raised (ulimit -n)`;
  log(`note: ${note}`);
  notes.push(note);
  return fitting;
}

// pnpm bench [--smoke] [--only=duplex,ceiling,crowd,slow,redis] [--no-write] [--profile]: corows against
// raw ws and Socket.IO, and uWS.js as the ceiling.
// --profile runs every child with --cpu-prof (into bench/profiles/) and prints where the CPU went.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { killAll, profileChildrenInto, startChildrenFrom } from './children.js';
import { compileBench } from './compile.js';
import { describeMachine } from './machine.js';
import { guardRun } from './run-guard.js';
import { FULL, SMOKE } from './plan.js';
import { renderChart } from './report/chart.js';
import { summarizeProfiles } from './report/profile.js';
import { writeDocs, type Run } from './report/doc.js';
import type { RowResult } from './report/results.js';
import { markdownNotes, markdownTable } from './report/table.js';
import { checkTargets, markdownTargets } from './report/targets.js';
import { runCeilingRows } from './rows/ceiling.js';
import { runCrossNodeRow, type CrossNodeResult } from './rows/cross-node.js';
import { runCrowdRows } from './rows/crowd.js';
import { runDuplexRows } from './rows/duplex.js';
import { runSlowConsumerRow } from './rows/slow.js';

const PARTS = ['duplex', 'ceiling', 'crowd', 'slow', 'redis'] as const;
/** File descriptors a process needs besides its connections. */
const SPARE_FDS = 200;

const { values: flags } = parseArgs({
  options: { smoke: { type: 'boolean' }, only: { type: 'string' }, 'no-write': { type: 'boolean' }, profile: { type: 'boolean' } },
});
const plan = flags.smoke === true ? SMOKE : FULL;
const parts = flags.only === undefined ? [...PARTS] : flags.only.split(',');
for (const part of parts) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only takes ${PARTS.join(', ')}; got ${JSON.stringify(part)}`);
}
const log = (line: string): void => console.log(line);

guardRun(plan.deadlineMs);

const profiles = flags.profile === true ? new URL(`../profiles/${new Date().toISOString().replace(/[:.]/g, '-')}`, import.meta.url).pathname : undefined;
if (profiles !== undefined) {
  mkdirSync(profiles, { recursive: true });
  profileChildrenInto(profiles);
}

startChildrenFrom(compileBench());
const started = Date.now();
const machine = describeMachine();
log(`corows bench (${plan.name}): ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadBefore.join(' ')}`);

const rows: RowResult[] = [];
let crossNode: CrossNodeResult | undefined;
try {
  if (parts.includes('duplex')) rows.push(...(await runDuplexRows(plan, log)));
  if (parts.includes('ceiling')) rows.push(...(await runCeilingRows(plan, log)));
  if (parts.includes('crowd')) {
    const { connections, note } = crowdSize(plan.crowd.connections);
    const crowdRows = await runCrowdRows(plan, connections, log);
    if (note !== undefined) for (const row of crowdRows) row.notes.push(note);
    rows.push(...crowdRows);
  }
  if (parts.includes('slow')) rows.push(await runSlowConsumerRow(plan, log));
  if (parts.includes('redis')) crossNode = await runCrossNodeRow(plan.crossNode, log);
} finally {
  killAll();
}

if (profiles !== undefined) log(`\nCPU profiles (self time) in ${profiles}:${summarizeProfiles(profiles)}`);
const targets = checkTargets(rows);
log(`\n${markdownTable(rows)}\n\n${markdownTargets(targets)}\n\n${markdownNotes(rows)}`);
const run: Run = {
  plan,
  machine,
  date: new Date().toISOString().slice(0, 10),
  minutes: (Date.now() - started) / 60_000,
  loadAfter: os.loadavg().map((load) => Math.round(load * 100) / 100),
  rows,
  targets,
  crossNode,
};
if (plan.name === 'full' && parts.length === PARTS.length && flags['no-write'] !== true && profiles === undefined) {
  const pending = rows.some((row) => row.notes.some((note) => note.includes('PENDING')));
  const subtitle = `pnpm bench, ${run.date}, ${machine.cores}-core shared busy machine, medians of paired ratios over interleaved rounds${pending ? '; corows broadcast: PENDING broadcast(), a plain loop' : ''}`;
  const svg = await renderChart(rows, subtitle);
  log(`\nwrote ${writeDocs(run, svg).join(', ')}`);
} else {
  await renderChart(rows, 'smoke');
  log(`\n${plan.name} run${parts.length < PARTS.length ? ` of ${parts.join(', ')}` : ''}${profiles === undefined ? '' : ', profiled'}: docs left as they are\n`);
}

/** Each crowd process holds one descriptor per connection: fewer connections if the limit is low. */
function crowdSize(wanted: number): { connections: number; note?: string } {
  const limit = Number(process.env.BENCH_FD_LIMIT);
  if (!Number.isFinite(limit) || limit - SPARE_FDS >= wanted) return { connections: wanted };
  const connections = Math.max(10, limit - SPARE_FDS);
  const note = `ran with ${connections} connections instead of ${wanted}: the open-file limit is ${limit} and could not be raised (ulimit -n)`;
  log(`note: ${note}`);
  return { connections, note };
}

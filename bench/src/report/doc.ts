import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Machine } from '../machine.js';
import type { Plan } from '../plan.js';
import { crossNodeSection, type CrossNodeResult } from '../rows/cross-node.js';
import type { RowResult } from './results.js';
import { markdownNotes, markdownTable } from './table.js';
import { markdownTargets, type TargetCheck } from './targets.js';

const DOCS = new URL('../../../docs/', import.meta.url);
const BEGIN = '<!-- bench:figures:begin (written by pnpm bench; edit the rest of the file by hand) -->';
const END = '<!-- bench:figures:end -->';

/** The figures of one run, as they go into the report. */
export interface Run {
  plan: Plan;
  machine: Machine;
  date: string;
  minutes: number;
  loadAfter: number[];
  rows: RowResult[];
  targets: TargetCheck[];
  /** The cross-node broadcast on Redis, when that part ran. */
  crossNode?: CrossNodeResult | undefined;
}

/** The generated part of docs/benchmarks.md. */
export function figuresSection(run: Run): string {
  const { machine, plan } = run;
  const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`).join(', ');
  const notes = markdownNotes(run.rows);
  return [
    BEGIN,
    `Last full run: ${run.date}, \`pnpm bench\`, ${run.minutes.toFixed(1)} minutes: ${plan.rounds} counted rounds after ${plan.warmupRounds} warm-up round for echo and ping-pong, ${plan.crowd.rounds} rounds for the ${plan.crowd.connections.toLocaleString('en-US')}-connection rows, ${plan.slow.rounds} for the slow consumer; each figure is the median of its rounds.`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ${versions}.`,
    `**A shared, busy machine**: other engineers' builds and tests ran at the same time (load average ${machine.loadBefore.join(' / ')} before the run, ${run.loadAfter.join(' / ')} after). The absolute numbers are noisy; the ratios, taken from interleaved rounds of the same run, are what to read.`,
    '',
    '![corows, raw ws and Socket.IO relative to raw ws](benchmarks.svg)',
    '',
    'Each cell: the median over rounds; in brackets, **the ratio to raw ws** (median of the per-round ratios) and the middle half of the per-round ratios (25th–75th percentile), which shows how much the rounds agreed.',
    '',
    markdownTable(run.rows),
    '',
    '### The targets',
    '',
    markdownTargets(run.targets),
    ...(notes === '' ? [] : ['', '### Notes on this run', '', notes]),
    ...(run.crossNode === undefined ? [] : ['', crossNodeSection(run.crossNode)]),
    '',
    'Every round of every row is in [benchmarks.json](benchmarks.json).',
    END,
  ].join('\n');
}

/** Writes the figures into docs/benchmarks.md (between its markers), the chart, and the raw data. */
export function writeDocs(run: Run, svg: string): string[] {
  const mdFile = new URL('benchmarks.md', DOCS);
  const current = readFileSync(mdFile, 'utf8');
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${mdFile.pathname} lacks the markers ${BEGIN} … ${END}; put them back where the figures go`);
  writeFileSync(mdFile, current.slice(0, start) + figuresSection(run) + current.slice(end + END.length));
  writeFileSync(new URL('benchmarks.svg', DOCS), `${svg}${os.EOL}`);
  writeFileSync(new URL('benchmarks.json', DOCS), `${JSON.stringify(run, null, 2)}${os.EOL}`);
  return ['docs/benchmarks.md', 'docs/benchmarks.svg', 'docs/benchmarks.json'];
}

import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Machine } from '../machine.js';
import type { ScalePlan } from '../plan.js';
import type { ScaleTrial } from '../rows/scale.js';
import { quantileOfSorted } from '../stats.js';
import { renderBars } from './chart.js';
import { formatNumber, formatRatio } from './table.js';

const DOCS = new URL('../../../docs/', import.meta.url);
const BEGIN = '<!-- bench:scale:begin (written by pnpm bench:scale; edit the rest of the file by hand) -->';
const END = '<!-- bench:scale:end -->';

/** One `pnpm bench:scale` run, as it goes into the report. */
export interface ScaleRun {
  plan: ScalePlan;
  machine: Machine;
  redisVersion: string;
  date: string;
  minutes: number;
  /** Wall time to start every child process of both stacks (before either is measured), in seconds. */
  startSeconds: number;
  loadAfter: number[];
  trials: ScaleTrial[];
  notes: string[];
}

/** One line of the scale table: corows and Socket.IO side by side. */
export interface ScaleRow {
  title: string;
  short: string;
  unit: string;
  better: 'lower' | 'higher';
  corows: number;
  socketIo: number;
}

/** The table's lines, from both stacks' trials (each must be there). */
export function scaleRows(trials: readonly ScaleTrial[]): ScaleRow[] {
  const corows = trials.find((t) => t.stack === 'corows');
  const socketIo = trials.find((t) => t.stack === 'socket.io');
  if (corows === undefined || socketIo === undefined) throw new Error('the scale table needs a corows and a Socket.IO trial');
  const count = corows.connections === socketIo.connections
    ? corows.connections.toLocaleString('en-US')
    : `${corows.connections.toLocaleString('en-US')} (Socket.IO: ${socketIo.connections.toLocaleString('en-US')})`;
  const row = (title: string, short: string, unit: string, pick: (t: ScaleTrial) => number, better: 'lower' | 'higher' = 'lower'): ScaleRow => ({
    title,
    short,
    unit,
    better,
    corows: pick(corows),
    socketIo: pick(socketIo),
  });
  const at = (q: number, list: (t: ScaleTrial) => number[]) => (t: ScaleTrial): number => quantileOfSorted([...list(t)].sort((a, b) => a - b), q);
  const room = `the 1% room (${corows.roomMembers.toLocaleString('en-US')})`;
  return [
    row(`Time to open all ${count} connections`, 'Open all', 's', (t) => t.openMs / 1000),
    row('Server CPU per connection opened', 'Open CPU', 'µs', (t) => t.openCpuPerConnUs),
    row('Memory per connection, server heap + buffers', 'Memory (heap)', 'KiB', (t) => t.heapPerConn / 1024),
    row('Memory per connection, server RSS', 'Memory (RSS)', 'KiB', (t) => t.rssPerConn / 1024),
    row('CPU at idle (heartbeats), all server processes', 'Idle CPU', '% of a core', (t) => t.idle.serverCores * 100),
    row(`Broadcast to all ${count}: until the last has it, p50`, 'Broadcast p50', 'ms', at(0.5, (t) => t.broadcastMs)),
    row(`Broadcast to all ${count}: until the last has it, p99`, 'Broadcast p99', 'ms', at(0.99, (t) => t.broadcastMs)),
    row(`Broadcast to all ${count}: until the last has it, max`, 'Broadcast max', 'ms', (t) => Math.max(...t.broadcastMs)),
    row('Server CPU per message delivered by a broadcast', 'Broadcast CPU', 'µs', (t) => t.serverCpuPerDeliveryUs),
    row(`Message to ${room}: until the last has it, p50`, 'Room 1% p50', 'ms', at(0.5, (t) => t.roomMs)),
    row(`Message to ${room}: until the last has it, p99`, 'Room 1% p99', 'ms', at(0.99, (t) => t.roomMs)),
    row(`Message to ${room}: until the last has it, max`, 'Room 1% max', 'ms', (t) => Math.max(...t.roomMs)),
    row('Ping-pong of one active client meanwhile, p50', 'Ping-pong p50', 'ms', (t) => t.ping.p50 / 1000),
    row('Ping-pong of one active client meanwhile, p99', 'Ping-pong p99', 'ms', (t) => t.ping.p99 / 1000),
  ];
}

/** corows' figure over Socket.IO's: below 1 is better where lower is better. */
function ratio(row: ScaleRow): number {
  return row.corows / row.socketIo;
}

/** The table as Markdown, with corows' ratio to Socket.IO. */
export function markdownScaleTable(rows: readonly ScaleRow[]): string {
  return [
    '| | corows + RedisAdapter | Socket.IO + @socket.io/redis-adapter | corows ÷ Socket.IO |',
    '|---|---:|---:|---:|',
    ...rows.map((row) => `| ${row.title} (${row.unit}, ${row.better} is better) | ${formatNumber(row.corows)} | ${formatNumber(row.socketIo)} | **${formatRatio(ratio(row))}** |`),
  ].join('\n');
}

/** What each trial counted, the idle details and Redis's share, as Markdown lines. */
export function markdownScaleDetails(trials: readonly ScaleTrial[]): string {
  return trials.map((t) => {
    const lost = t.delivery.missing + t.delivery.extra + t.delivery.unknown + t.delivery.dropped;
    const delivery = lost === 0
      ? `every client got every message exactly once (${(t.broadcastMs.length).toLocaleString('en-US')} counted broadcasts, ${t.roomMs.length} room messages, after the warm-up ones; none missing, none extra, no connection dropped)`
      : `**delivery failed**: ${t.delivery.missing} missing, ${t.delivery.extra} extra, ${t.delivery.unknown} unknown messages, ${t.delivery.dropped} connections dropped`;
    const retries = t.openRetries === 0 ? 'no handshake refused' : `${t.openRetries.toLocaleString('en-US')} handshakes refused under load (408: not served within the server's handshake timeout; 503) and tried again`;
    const kernel = t.kernelBuffersPerConn === undefined ? '' : `; the kernel's TCP buffers at idle: ${(t.kernelBuffersPerConn / 1024).toFixed(2)} KiB per connection, both ends (\`/proc/net/sockstat\`, machine-wide, so other work on the machine moves it)`;
    const phases = Object.entries(t.phases).map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(', ');
    return `- ${t.stack === 'corows' ? 'corows' : 'Socket.IO'}: ${delivery}; ${retries}; opening cost the load processes ${t.openLoadCpuPerConnUs.toFixed(0)} µs of CPU per connection (the servers ${t.openCpuPerConnUs.toFixed(0)} µs)${kernel}; servers' RSS ${(t.serverRss / 2 ** 20).toFixed(0)} MiB in all; ${t.idle.pingsPerConn.toFixed(2)} heartbeats per connection in the ${(t.idle.ms / 1000).toFixed(0)} s idle window; redis-server ${(t.idle.redisCores * 100).toFixed(2)}% of a core at idle, ${(t.redisCoresBroadcasting * 100).toFixed(2)}% during the broadcasts (${t.broadcastsPerSecond.toFixed(2)} a second); ${t.ping.count.toLocaleString('en-US')} round trips of the active client, max ${(t.ping.max / 1000).toFixed(1)} ms; wall time per phase: ${phases}.`;
  }).join('\n');
}

/** The chart: corows' advantage over Socket.IO on each line (Socket.IO = 1; a longer bar is better). */
export function renderScaleChart(rows: readonly ScaleRow[], subtitle: string): Promise<string> {
  return renderBars({
    title: 'corows vs Socket.IO, each on Redis (Socket.IO = 1; longer bar is better)',
    subtitle,
    axisTitle: "advantage over Socket.IO: Socket.IO's time, memory or CPU ÷ corows' (log scale)",
    domain: [0.5, 50],
    rows: rows.map((row) => row.short),
    series: [{ name: 'corows + RedisAdapter', color: '#1f77b4' }, { name: 'Socket.IO + @socket.io/redis-adapter', color: '#d62728' }],
    bars: rows.flatMap((row) => [
      { row: row.short, series: 'corows + RedisAdapter', score: row.better === 'lower' ? 1 / ratio(row) : ratio(row) },
      { row: row.short, series: 'Socket.IO + @socket.io/redis-adapter', score: 1 },
    ]),
  });
}

/** How many connections each stack opened, against how many were asked for. */
function opened(run: ScaleRun): string {
  const wanted = run.plan.connections.toLocaleString('en-US');
  const counts = run.trials.map((t) => `${t.stack === 'corows' ? 'corows' : 'Socket.IO'} ${t.connections.toLocaleString('en-US')}`).join(', ');
  return run.trials.every((t) => t.connections === run.plan.connections)
    ? `${wanted} connections`
    : `**fewer connections than the ${wanted} asked for** (${counts}: the machine was too busy to open them all within ${run.plan.openTimeoutMs / 60_000} minutes; a stack after the first asks for as many as the first opened)`;
}

/** The generated part of the scale section of docs/benchmarks.md. */
export function scaleSection(run: ScaleRun): string {
  const { machine, plan } = run;
  const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`).join(', ');
  const rows = scaleRows(run.trials);
  return [
    BEGIN,
    `Last full run: ${run.date}, \`pnpm bench:scale\`, ${run.minutes.toFixed(1)} minutes: ${opened(run)} over ${plan.servers} server processes and ${plan.crowds} load processes per stack, ${plan.broadcasts} counted broadcasts (after ${plan.warmupBroadcasts}) and ${plan.roomMessages} counted room messages (after ${plan.warmupRoomMessages}), an idle window of one heartbeat interval per stack (${run.trials.map((t) => `${t.stack === 'corows' ? 'corows' : 'Socket.IO'} ${(t.idle.ms / 1000).toFixed(0)} s`).join(', ')}); all ${run.trials.length * (plan.servers + plan.crowds + 1)} processes started in ${run.startSeconds.toFixed(1)} s first.`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; redis-server ${run.redisVersion}; ${versions}.`,
    `**A shared, busy machine** (load average ${machine.loadBefore.join(' / ')} before the run, ${run.loadAfter.join(' / ')} after): every process of both stacks, the load generators and Redis share its 2 cores, so times are upper bounds; the CPU and memory figures are per process and hold better.`,
    '',
    '![corows and Socket.IO with 100,000 connections, relative to Socket.IO](scale.svg)',
    '',
    markdownScaleTable(rows),
    '',
    markdownScaleDetails(run.trials),
    ...run.notes.map((note) => `- ${note}`),
    '',
    'Every figure of the run is in [scale.json](scale.json).',
    END,
  ].join('\n');
}

/** Writes the scale section into docs/benchmarks.md (between its markers), the chart and the raw data. */
export function writeScaleDocs(run: ScaleRun, svg: string): string[] {
  const mdFile = new URL('benchmarks.md', DOCS);
  const current = readFileSync(mdFile, 'utf8');
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${mdFile.pathname} lacks the markers ${BEGIN} … ${END}; put them back where the scale figures go`);
  writeFileSync(mdFile, current.slice(0, start) + scaleSection(run) + current.slice(end + END.length));
  writeFileSync(new URL('scale.svg', DOCS), `${svg}${os.EOL}`);
  writeFileSync(new URL('scale.json', DOCS), `${JSON.stringify(run, null, 2)}${os.EOL}`);
  return ['docs/benchmarks.md', 'docs/scale.svg', 'docs/scale.json'];
}

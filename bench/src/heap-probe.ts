// node --import tsx bench/src/heap-probe.ts [--lib=corows-handler] [--connections=2000] [--snapshot] [--requests] [--wire=websocket|corows|socket.io]
// Where a server's memory per idle connection goes: opens the crowd of the idle-memory row against one
// library's server and prints the heap (+ Buffers) per connection; with --snapshot, also heap
// snapshots before and after, and the difference by kind of object, per connection (what to shrink).
// With --requests (corows), each connection then carries one plain message each way, then makes one
// request and answers one; the probe prints the memory after each (and, with --snapshot, what the
// requests added by kind of object).
// --wire: how the crowd speaks; corows' crowd agrees on the corows protocol unless told `websocket`.
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Child, killAll, stopAll } from './children.js';
import type { Wire } from './libs/lean-client.js';
import type { MemorySnapshot } from './memory.js';
import { plainRoundTrip, requestEachWay } from './rows/use-requests.js';
import { sleep } from './timing.js';

const { values } = parseArgs({
  options: { lib: { type: 'string' }, connections: { type: 'string' }, snapshot: { type: 'boolean' }, top: { type: 'string' }, keep: { type: 'string' }, requests: { type: 'boolean' }, wire: { type: 'string' } },
});
const lib = values.lib ?? 'corows-handler';
const count = Number(values.connections ?? 2000);
const top = Number(values.top ?? 40);
process.on('exit', killAll);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count by kind of object (type and constructor or string kind). */
function tally(file: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const byKind = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt] as number] as string;
    let name = snap.strings[snap.nodes[i + nameAt] as number] as string;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (type === 'number') name = '';
    if (type === 'closure' || type === 'code') name = name.slice(0, 60);
    const key = `${type} ${name.slice(0, 80)}`;
    const entry = byKind.get(key) ?? { size: 0, count: 0 };
    entry.size += snap.nodes[i + sizeAt] as number;
    entry.count++;
    byKind.set(key, entry);
  }
  return byKind;
}

const server = await Child.start('server', `${lib} server`);
const crowd = await Child.start('crowd', `${lib} crowd`);
const dir = values.keep ?? mkdtempSync(path.join(os.tmpdir(), 'heap-probe-'));
try {
  const { port } = await server.call<{ port: number }>('listen', { lib, mode: 'echo' }, 10_000);
  const before = await server.call<MemorySnapshot>('memory', null, 10_000);
  if (values.snapshot === true) await server.call('snapshot', { path: path.join(dir, 'before.heapsnapshot') }, 120_000);
  const wire = (values.wire ?? (lib === 'socket.io' ? 'socket.io' : lib.startsWith('corows') ? 'corows' : 'websocket')) as Wire;
  await crowd.call('open', { wire, port, count, round: 0, concurrency: 100, timeoutMs: 120_000 }, 125_000);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
    if ((await server.call<number>('connections', null, 10_000)) >= count) break;
  }
  const after = await server.call<MemorySnapshot>('memory', null, 30_000);
  console.log(`${lib}: ${((after.heap - before.heap) / count).toFixed(0)} B heap+buffers, ${((after.rss - before.rss) / count).toFixed(0)} B RSS per connection (${count} connections, ${wire} wire)`);
  if (values.snapshot === true) {
    await server.call('snapshot', { path: path.join(dir, 'after.heapsnapshot') }, 300_000);
    printDiff('before.heapsnapshot', 'after.heapsnapshot');
  }
  if (values.requests === true) {
    const report = (what: string, from: MemorySnapshot, to: MemorySnapshot): void => {
      console.log(`${lib}, ${what}: ${((to.heap - before.heap) / count).toFixed(0)} B heap+buffers (${((to.heap - from.heap) / count).toFixed(0)} B more), ${((to.rss - before.rss) / count).toFixed(0)} B RSS (${((to.rss - from.rss) / count).toFixed(0)} B more) per connection`);
    };
    await plainRoundTrip(crowd, count, 0);
    const plain = await server.call<MemorySnapshot>('memory', null, 30_000);
    report('after a plain message each way', after, plain);
    if (values.snapshot === true) await server.call('snapshot', { path: path.join(dir, 'plain.heapsnapshot') }, 300_000);
    await requestEachWay(server, crowd);
    const used = await server.call<MemorySnapshot>('memory', null, 30_000);
    report('then after one request each way', plain, used);
    if (values.snapshot === true) {
      await server.call('snapshot', { path: path.join(dir, 'used.heapsnapshot') }, 300_000);
      printDiff('plain.heapsnapshot', 'used.heapsnapshot');
    }
  }
} finally {
  await stopAll();
  if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
}

/** The difference between two snapshots in `dir`, by kind of object, per connection. */
function printDiff(first: string, second: string): void {
  const [a, b] = [tally(path.join(dir, first)), tally(path.join(dir, second))];
  const diff = [...b].map(([kind, { size, count: n }]) => ({ kind, size: size - (a.get(kind)?.size ?? 0), n: n - (a.get(kind)?.count ?? 0) }));
  diff.sort((x, y) => y.size - x.size);
  const total = diff.reduce((sum, d) => sum + d.size, 0);
  console.log(`snapshot difference (${second} − ${first}): ${(total / count).toFixed(0)} B per connection; by kind (bytes per connection, objects per connection):`);
  for (const d of diff.slice(0, top)) console.log(`${(d.size / count).toFixed(1).padStart(8)} ${(d.n / count).toFixed(2).padStart(6)}  ${d.kind}`);
}

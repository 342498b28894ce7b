// A bench server child: serves one library on 127.0.0.1 and answers the orchestrator.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { libById } from '../libs/index.js';
import type { ServerHandle, ServerMode } from '../libs/types.js';
import { measureMemory } from '../memory.js';
import { profilerCommands } from '../profiler.js';

/** How a burst reaches every connection: the library's broadcast, or its plain send per connection. */
export type BurstStyle = 'broadcast' | 'sends';

let server: ServerHandle | undefined;

function running(): ServerHandle {
  if (server === undefined) throw new Error('listen first');
  return server;
}

export const commands = {
  async listen({ lib, mode }: { lib: string; mode: ServerMode }) {
    server = await libById(lib).listen(mode);
    return { port: server.port, broadcastMode: server.broadcastMode };
  },

  connections: () => running().connectionCount(),

  memory: () => measureMemory(),

  /** CPU time this process has used so far, user and system, in microseconds. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },

  /**
   * This process's clock and CPU time (user + system), and its main thread's time on a core and waiting
   * for one (Linux `schedstat`; NaN where it cannot be read), all in µs and read together, so that a
   * window's shares come from one process's view however late the orchestrator's request arrives.
   */
  sched: () => {
    const { user, system } = process.cpuUsage();
    return { atUs: performance.now() * 1000, cpuUs: user + system, ...threadSched() };
  },

  /** Writes a heap snapshot to `path` (after a full garbage collection); for bench/src/heap-probe.ts. */
  snapshot: ({ path }: { path: string }) => {
    measureMemory();
    return writeHeapSnapshot(path);
  },

  /**
   * One broadcast: how long the call took, until its promise settled if it returned one, and the
   * process's CPU time (user + system) until then (less disturbed by other work on the machine).
   */
  async broadcast({ text }: { text: string }) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = running().broadcast(text);
    const returned = performance.now() - start;
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') await result;
    const settled = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    return { returnedMs: returned, settledMs: settled, cpuMs: (user + system) / 1000 };
  },

  /**
   * `count` broadcasts (or `count` rounds of one send per connection) of `text` in one tick: the
   * process's CPU time (user + system) until the returned promises settled and the event loop came
   * round once more, so that writes held back to the tick's end are counted.
   */
  async burst({ text, count, style }: { text: string; count: number; style: BurstStyle }) {
    const handle = running();
    const start = process.cpuUsage();
    const results: unknown[] = [];
    for (let i = 0; i < count; i++) results.push(style === 'broadcast' ? handle.broadcast(text) : handle.sendEach(text));
    await Promise.all(results);
    await new Promise((resolve) => setImmediate(resolve));
    const { user, system } = process.cpuUsage(start);
    return { cpuMs: (user + system) / 1000 };
  },

  /** corows: every connection serves requests and asks its client one (see `ServerHandle.useRequests`). */
  useRequests: ({ timeoutMs }: { timeoutMs: number }) => {
    const handle = running();
    if (handle.useRequests === undefined) throw new Error('this library has no request/reply in the bench');
    return handle.useRequests(timeoutMs);
  },

  ...profilerCommands,

  readAll: ({ expected, timeoutMs }: { expected: number; timeoutMs: number }) => running().readAll(expected, Date.now() + timeoutMs),

  close: () => running().close(),
};

function threadSched(): { runUs: number; waitUs: number } {
  try {
    const [run = Number.NaN, wait = Number.NaN] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { runUs: run / 1000, waitUs: wait / 1000 };
  } catch {
    return { runUs: Number.NaN, waitUs: Number.NaN };
  }
}

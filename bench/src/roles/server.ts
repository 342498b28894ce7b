// A bench server child: serves one library on 127.0.0.1 and answers the orchestrator.
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { libById } from '../libs/index.js';
import type { ServerHandle, ServerMode } from '../libs/types.js';
import { measureMemory } from '../memory.js';

/** How a burst reaches every connection: the library's broadcast, or its plain send per connection. */
export type BurstStyle = 'broadcast' | 'sends';

let server: ServerHandle | undefined;
let profiler: Session | undefined;

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

  /** Writes a heap snapshot to `path` (after a full garbage collection); for bench/src/heap-probe.ts. */
  snapshot: ({ path }: { path: string }) => {
    measureMemory();
    return writeHeapSnapshot(path);
  },

  /** One broadcast: how long the call took, and until its promise settled if it returned one. */
  async broadcast({ text }: { text: string }) {
    const start = performance.now();
    const result = running().broadcast(text);
    const returned = performance.now() - start;
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') await result;
    return { returnedMs: returned, settledMs: performance.now() - start };
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

  /** Starts the CPU profiler in this process; for bench/src/broadcast-probe.ts. */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
  },

  /** Stops the CPU profiler and writes the profile to `path`. */
  async profileStop({ path }: { path: string }) {
    if (profiler === undefined) throw new Error('profileStart first');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    writeFileSync(path, JSON.stringify(profile));
    return path;
  },

  readAll: ({ expected, timeoutMs }: { expected: number; timeoutMs: number }) => running().readAll(expected, Date.now() + timeoutMs),

  close: () => running().close(),
};

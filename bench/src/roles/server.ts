// A bench server child: serves one library on 127.0.0.1 and answers the orchestrator.
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { libById } from '../libs/index.js';
import type { ServerHandle, ServerMode } from '../libs/types.js';
import { measureMemory } from '../memory.js';

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

  readAll: ({ expected, timeoutMs }: { expected: number; timeoutMs: number }) => running().readAll(expected, Date.now() + timeoutMs),

  close: () => running().close(),
};

// A request load-generator child: one client connection of a library that has request and reply
// (corows `conn.request()`, Socket.IO `emitWithAck()`), for bench/src/request-probe.ts.
import { performance } from 'node:perf_hooks';
import { libById } from '../libs/index.js';
import type { Requester } from '../libs/types.js';

let requester: Requester | undefined;

export const commands = {
  async connect({ lib, port }: { lib: string; port: number }) {
    const chosen = libById(lib);
    if (chosen.connectRequester === undefined) throw new Error(`${lib} has no request and reply in the bench`);
    requester = await chosen.connectRequester(port);
    return requester.how;
  },

  /**
   * Bursts of `size` requests on the one connection, one after the other, `total` requests in all: a
   * burst sends its requests at once (values 0 … size − 1), all in flight together, and ends when every
   * answer has come and been checked against its request. Resolves with the milliseconds of all of
   * them. The same `total` whatever `size`, so each size leaves the garbage collector the same work.
   */
  async bursts({ size, total }: { size: number; total: number }) {
    const conn = requester;
    if (conn === undefined) throw new Error('connect first');
    const start = performance.now();
    for (let done = 0; done < total; done += size) {
      const answers = await Promise.all(Array.from({ length: size }, (_, i) => conn.request(i)));
      const wrong = answers.findIndex((answer, i) => answer !== i);
      if (wrong !== -1) throw new Error(`request ${wrong} got ${JSON.stringify(answers[wrong])}`);
    }
    return { ms: performance.now() - start };
  },

  /** CPU time this process has used so far, user and system, in microseconds. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },

  async close() {
    await requester?.close();
    requester = undefined;
  },
};

import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/**
 * Resolves once `done()` is true, checking every `everyMs`; rejects with `message` after `timeoutMs`.
 * For the load generators, which wait on counters that many callbacks move.
 */
export async function waitFor(done: () => boolean, timeoutMs: number, message: string, everyMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${message} (after ${timeoutMs} ms)`);
    await sleep(everyMs);
  }
}

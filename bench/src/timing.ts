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

/**
 * The slow-consumer row's "read everything now" for libraries that push messages at the application
 * (raw ws, Socket.IO): waits until `held` has `expected` messages or `deadline` passes, then empties it
 * and returns how many there were.
 */
export async function takeHeld(held: unknown[], expected: number, deadline: number): Promise<number> {
  await waitFor(() => held.length >= expected, Math.max(0, deadline - Date.now()), 'messages missing').catch(() => undefined);
  const count = held.length;
  held.length = 0;
  return count;
}

/**
 * Milliseconds since the epoch with sub-millisecond precision: comparable between the processes of
 * one machine, so a child can say when something happened and the orchestrator can subtract.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

import type { Conn } from './types.ts';

/** A promise with its resolve function outside, for waiting on one event. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Resolves with the code and reason `conn` closes with (at once if it has). */
export function closedWith(conn: Conn): Promise<[code: number, reason: string]> {
  if (conn.state === 'CLOSED') return Promise.resolve([conn.closeCode ?? 0, conn.closeReason ?? '']);
  return new Promise((resolve) => conn.once('close', (code, reason) => resolve([code, reason])));
}

/** Resolves once `count` messages more have arrived on `conn` (the `message` event sees them all). */
export function arrivals(conn: Conn, count: number): Promise<void> {
  const { promise, resolve } = deferred();
  let seen = 0;
  const onMessage = (): void => {
    if (++seen < count) return;
    conn.off('message', onMessage);
    resolve();
  };
  conn.on('message', onMessage);
  return promise;
}

/**
 * Waits `ms` milliseconds. Only for proving that something does NOT happen within a bounded window
 * (a heartbeat that drops nobody, a paused socket that delivers nothing more); never to wait for an
 * event.
 */
export function quietWindow(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

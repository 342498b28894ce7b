import type { WebSocketConn, WebSocketConnEvents } from '../src/index.js';

/** Resolves with the arguments of the next `name` event of `conn`. */
export function nextEvent<Name extends keyof WebSocketConnEvents>(conn: WebSocketConn, name: Name): Promise<WebSocketConnEvents[Name]> {
  return new Promise((resolve) => {
    const listener = (...args: WebSocketConnEvents[Name]): void => resolve(args);
    conn.once(name, listener as never);
  });
}

/** Resolves once `check()` is true, polling every 5 ms; rejects after `within` ms naming `what`. */
export async function until(what: string, check: () => boolean, within = 5000): Promise<void> {
  const deadline = Date.now() + within;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${within} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

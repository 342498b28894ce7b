import type { TestContext } from 'node:test';
import { createWebsocketServer, type ServerOptions, type WebSocketConn, type WebsocketServer } from '../src/index.js';

/** A server on 127.0.0.1 with a free port, closed when the test ends. */
export async function startServer(
  t: TestContext,
  onConn?: (conn: WebSocketConn) => unknown,
  options?: ServerOptions,
): Promise<{ server: WebsocketServer; url: string; port: number }> {
  const server = createWebsocketServer('127.0.0.1', 0, options);
  if (onConn !== undefined) server.whenNewConn(onConn);
  t.after(() => server.close('test over'));
  const { port } = await server.listening;
  return { server, url: `ws://127.0.0.1:${port}`, port };
}

/** A promise with its resolve function outside, for waiting on one event. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves with the next connection the server accepts. */
export function nextConn(server: WebsocketServer): Promise<WebSocketConn> {
  return new Promise((resolve) => server.whenNewConn(resolve));
}

/** Resolves with the close code once `conn` has closed (at once if it already has). */
export function closed(conn: WebSocketConn): Promise<number> {
  if (conn.state === 'CLOSED') return Promise.resolve(conn.closeCode ?? 1006);
  return new Promise((resolve) => conn.once('close', (code) => resolve(code)));
}

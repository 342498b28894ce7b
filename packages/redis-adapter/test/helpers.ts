import type { TestContext } from 'node:test';
import { createWebsocketServer, type ServerConn, type ServerOptions, type WebsocketServer } from '@corows/node-server';
import { RedisProcess } from './redis-server.js';

const cleanUps = new WeakMap<TestContext, Array<() => unknown>>();

/**
 * Runs `cleanUp` when the test ends, after the clean-ups registered later (last in, first out: servers
 * close before the Redis they use is killed).
 */
export function defer(t: TestContext, cleanUp: () => unknown): void {
  let stack = cleanUps.get(t);
  if (stack === undefined) {
    const fresh: Array<() => unknown> = [];
    cleanUps.set(t, (stack = fresh));
    t.after(async () => {
      for (const run of fresh.reverse()) await run();
    });
  }
  stack.push(cleanUp);
}

/** A throwaway redis-server for one test, killed when it ends. */
export async function startRedis(t: TestContext): Promise<RedisProcess> {
  const redis = await RedisProcess.launch();
  defer(t, () => redis.kill());
  return redis;
}

/** A server on 127.0.0.1 with a free port, closed when the test ends. */
export async function startServer(
  t: TestContext,
  options: ServerOptions,
  onConn?: (conn: ServerConn) => unknown,
): Promise<{ server: WebsocketServer; url: string }> {
  const server = createWebsocketServer('127.0.0.1', 0, { keepAlive: false, ...options });
  if (onConn !== undefined) server.whenNewConn(onConn);
  defer(t, () => server.close('test over'));
  const { port } = await server.listening;
  return { server, url: `ws://127.0.0.1:${port}` };
}

/** Polls `check` until it is true, failing with `what` after `timeout` ms. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

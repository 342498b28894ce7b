import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';

const FIXTURE = fileURLToPath(new URL('./fixtures/echo-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A corows echo server running in a child process (see fixtures/echo-server.ts). */
export interface ChildServer {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Every message the server received, in order. */
  readonly received: string[];
  /** Resolves once the server has received `count` messages in all. */
  receivedCount(count: number): Promise<void>;
  /** Kills the process at once (SIGKILL): no close frames, like a crash or a pulled cable. */
  kill(): Promise<void>;
  /** SIGSTOP: the process stops, its sockets stay open and the kernel still acknowledges data. */
  freeze(): void;
}

/** Starts the echo server in a child process on `port` (0: a free one); killed when the test ends. */
export async function startChildServer(t: TestContext, port = 0, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const received: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let listening: (port: number) => void = () => undefined;
  const bound = new Promise<number>((resolve, reject) => {
    listening = resolve;
    child.once('exit', (code, signal) => reject(new Error(`the server process exited before listening (${code ?? signal})`)));
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('listening ')) listening(Number(line.slice('listening '.length)));
    if (!line.startsWith('got ')) return;
    received.push(line.slice('got '.length));
    for (const waiter of waiters.filter((w) => received.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const actualPort = await bound;
  return {
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}`,
    process: child,
    received,
    receivedCount: (count) =>
      received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    freeze: () => {
      child.kill('SIGSTOP');
    },
  };
}

/**
 * Starts one echo server process per name, at the same time, each greeting with `hello from <name>`
 * (a node of a cluster behind a balancer); all killed when the test ends.
 */
export async function startNodes(t: TestContext, names: readonly string[], env: Record<string, string> = {}): Promise<Map<string, ChildServer>> {
  const nodes = await Promise.all(names.map((name) => startChildServer(t, 0, { ...env, NODE_NAME: name })));
  return new Map(names.map((name, i) => [name, nodes[i] as ChildServer]));
}

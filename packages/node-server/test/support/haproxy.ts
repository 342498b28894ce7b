/**
 * HAProxy for tests: runs Debian's `haproxy` with the shipped configuration (see haproxy-config.ts) in
 * front of corows processes, in a temp dir, on a free port; reads the servers' states from its stats
 * socket; stops it when the test ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { shippedTestConfig, type Backend } from './haproxy-config.js';

export type { Backend };

/** Where haproxy is, or why it is missing. */
export interface HaproxyLookup {
  path: string | undefined;
  /** Why it was not found. */
  missing: string | undefined;
  /** What a test skips with: the reason it is missing, except in CI (`CI` set), where a missing haproxy fails, since the test command installs it. */
  skip: string | false;
}

/** Looks for haproxy: `$HAPROXY`, else /usr/sbin/haproxy, else PATH. */
export function findHaproxy(): HaproxyLookup {
  const fromEnv = process.env.HAPROXY;
  const candidates = fromEnv ? [fromEnv] : ['/usr/sbin/haproxy', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'haproxy'))];
  const path = candidates.find((candidate) => isExecutable(candidate));
  if (path !== undefined) return { path, missing: undefined, skip: false };
  const missing = `haproxy not found (${fromEnv ? `HAPROXY=${fromEnv}` : '/usr/sbin/haproxy, PATH'}): install Debian's haproxy (scripts/ensure-tools.sh does) or set HAPROXY`;
  return { path: undefined, missing, skip: process.env.CI ? false : missing };
}

/** A running HAProxy. */
export interface Haproxy {
  /** The port its frontend listens on (127.0.0.1). */
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** The configuration it runs. */
  readonly config: string;
  readonly process: ChildProcess;
  /** Each backend server's status as HAProxy sees it (`UP`, `DOWN`, `UP 1/2`…), by name. */
  serverStates(): Promise<Map<string, string>>;
  /**
   * Resolves once every named server has the given status (`UP` or `DOWN`, whether or not in transition:
   * `UP 1/3`, not yet checked or going down, still serves); rejects after `timeout` ms.
   */
  waitForStates(want: Record<string, 'UP' | 'DOWN'>, timeout?: number): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its temp dir; also done when the test ends. */
  stop(): Promise<void>;
}

/**
 * Starts HAProxy in front of `backends` (`checkTimings` replaces the health checks' `inter … fall … rise …`,
 * by default every 100 ms, out after 1 failure, in after 1 success); stopped when the test ends. Throws naming the cause if it cannot start. */
export async function startHaproxy(t: TestContext, backends: readonly Backend[], options: { checkTimings?: string } = {}): Promise<Haproxy> {
  const found = findHaproxy();
  if (found.path === undefined) throw new Error(`${found.missing}${process.env.CI ? ' (CI is set: the test command installs it, so this fails instead of skipping)' : ''}`);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const haproxy = await launch(found.path, backends, options.checkTimings);
      t.after(() => haproxy.stop());
      return haproxy;
    } catch (err) {
      lastError = err as Error;
      if (!/cannot bind|Address already in use/i.test(lastError.message)) break; // another process took the free port: try another
    }
  }
  throw lastError;
}

async function launch(binary: string, backends: readonly Backend[], checkTimings: string | undefined): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'corows-haproxy-'));
  const port = await freePort();
  const statsSocket = join(dir, 'admin.sock');
  const config = shippedTestConfig({ bind: { host: '127.0.0.1', port }, backends, statsSocket, ...(checkTimings === undefined ? {} : { checkTimings }) });
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const stats = (command: string): Promise<string> => askStats(statsSocket, command);
  try {
    await until(async () => {
      if (!running()) throw new Error(`haproxy exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
      return stats('show info').then(
        () => true,
        () => false,
      );
    }, 'haproxy to answer on its stats socket', 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const serverStates = async (): Promise<Map<string, string>> => parseServerStates(await stats('show stat'));
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    config,
    process: child,
    serverStates,
    waitForStates: async (want, timeout = 10_000) => {
      let seen = new Map<string, string>();
      await until(
        async () => {
          seen = await serverStates();
          return Object.entries(want).every(([name, status]) => seen.get(name)?.split(' ')[0] === status);
        },
        () => `servers ${JSON.stringify(want)} (HAProxy says ${JSON.stringify(Object.fromEntries(seen))})`,
        timeout,
      );
    },
    stop,
  };
}

/** `show stat` CSV → status by server name (backend servers only). */
function parseServerStates(csv: string): Map<string, string> {
  const [header = '', ...rows] = csv.trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const name = columns.indexOf('svname');
  const status = columns.indexOf('status');
  const states = new Map<string, string>();
  for (const row of rows) {
    const cells = row.split(',');
    const server = cells[name];
    if (server !== undefined && server !== 'FRONTEND' && server !== 'BACKEND') states.set(server, cells[status] ?? '');
  }
  return states;
}

function askStats(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let answer = '';
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

/** A port free on 127.0.0.1 now (HAProxy needs a fixed one in its config). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string | (() => string), timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `haproxy -c` on a configuration file: whether it is valid, and what HAProxy said. */
export function checkConfig(binary: string, file: string): { valid: boolean; output: string } {
  const result = spawnSync(binary, ['-c', '-f', file], { encoding: 'utf8' });
  return { valid: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

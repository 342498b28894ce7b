import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The `redis-server` binary: `$REDIS_SERVER`, else the first on `PATH`, else Debian's
 * `/usr/bin/redis-server`; `undefined` if there is none (`npm test` installs Debian's `redis-server`).
 */
export function findRedisServer(): string | undefined {
  return findBinary('redis-server', process.env.REDIS_SERVER);
}

/**
 * The `redis-cli` binary (for `redis-cli --cluster create`): `$REDIS_CLI`, else the one next to
 * redis-server, else the first on `PATH`, else Debian's (package redis-tools, which redis-server needs).
 */
export function findRedisCli(): string | undefined {
  const server = findRedisServer();
  return findBinary('redis-cli', process.env.REDIS_CLI ?? (server === undefined ? undefined : join(dirname(server), 'redis-cli')));
}

function findBinary(name: string, preferred: string | undefined): string | undefined {
  const candidates = [
    preferred,
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)),
    `/usr/bin/${name}`,
  ];
  return candidates.find((file) => {
    if (file === undefined || file === '') return false;
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why a test that needs Redis is skipped, or `false` when redis-server is there. */
export const SKIP_WITHOUT_REDIS: string | false = findRedisServer() === undefined
  ? 'redis-server not found: install it (Debian: apt-get install redis-server; `npm test` does) or set REDIS_SERVER'
  : false;

/**
 * A throwaway `redis-server` on 127.0.0.1: no persistence (`--save '' --appendonly no`), so a restart
 * starts empty, like a crashed Redis without a snapshot. `kill()` stops it like a crash (SIGKILL);
 * `start()` runs it again on the same port (and with the same `extraArgs`: a cluster node keeps its
 * identity and slots in its `nodes.conf`).
 */
export class RedisProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly binary: string, readonly port: number, private readonly extraArgs: readonly string[]) {}

  /** Starts redis-server on a free port (or `port`), with `extraArgs` after the usual ones. */
  static async launch(port?: number, extraArgs: readonly string[] = []): Promise<RedisProcess> {
    const binary = findRedisServer();
    if (binary === undefined) throw new Error(SKIP_WITHOUT_REDIS as string);
    for (let attempt = 1; ; attempt++) {
      const redis = new RedisProcess(binary, port ?? (await freePort()), extraArgs);
      try {
        await redis.start();
        return redis;
      } catch (err) {
        if (port !== undefined || attempt >= 3) throw err;
      }
    }
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Runs redis-server (again) on this port; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(this.binary, [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--loglevel', 'notice', '--logfile', '', ...this.extraArgs,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const log: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        log.push(line);
        if (line.includes('Ready to accept connections')) resolve();
      });
      child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
      child.once('exit', (code, signal) => reject(new Error(`redis-server on port ${this.port} exited (${code ?? signal}):\n${log.join('\n')}`)));
    });
  }

  /** Kills redis-server at once (SIGKILL): connections drop, every key is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply, Request } from './ipc.js';

let peer = { file: fileURLToPath(new URL('./peer.ts', import.meta.url)), loader: ['--import', 'tsx'] };
const live = new Set<Child>();
let profileDir: string | undefined;
let started = 0;

/** From now on, children start from bench/src compiled into `dir` (see compile.ts), on plain Node. */
export function startChildrenFrom(dir: string): void {
  peer = { file: path.join(dir, 'peer.js'), loader: [] };
}

/** From now on, children run with `--cpu-prof` and write their profiles into `dir` when they stop. */
export function profileChildrenInto(dir: string): void {
  profileDir = dir;
}

/** A child process of the bench (a server or a load generator) that answers requests over IPC. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private exited: string | undefined;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    live.add(this);
    proc.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${name}: ${reply.error}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = `${name} exited (${signal ?? `code ${code}`})`;
      live.delete(this);
      for (const waiter of this.pending.values()) waiter.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  /** Forks `peer.ts role` and waits until it is ready to answer (at most `timeoutMs`). */
  static async start(role: string, name: string, timeoutMs = 20_000): Promise<Child> {
    const execArgv = [...peer.loader, '--expose-gc'];
    if (profileDir !== undefined) {
      // One folder per child: its main thread and the module loader's thread each write a profile.
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}/${++started}-${name.replace(/[^a-z0-9.]+/gi, '-')}`);
    }
    const proc = fork(peer.file, [role], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(name, proc);
    const ready = new Promise((resolve, reject) => child.pending.set(0, { resolve, reject }));
    await withTimeout(ready, timeoutMs, `${name} did not start within ${timeoutMs} ms`).catch((err: unknown) => {
      child.kill();
      throw err;
    });
    return child;
  }

  /** Sends `cmd` and resolves with the child's answer; rejects on its error, its exit, or after `timeoutMs`. */
  call<T>(cmd: string, args: unknown, timeoutMs: number): Promise<T> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.proc.send({ id, cmd, args } satisfies Request);
    return withTimeout(answer, timeoutMs, `${this.name}: ${cmd} took more than ${timeoutMs} ms`).finally(() => this.pending.delete(id));
  }

  /** Ends the process at once (SIGKILL); safe to call more than once. */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  /** Asks the process to exit (it does when its IPC channel closes, writing its profile if any); kills it after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    if (this.proc.connected) this.proc.disconnect();
    await withTimeout(exited, graceMs, 'slow to exit').catch(() => this.kill());
  }
}

/** Stops every child still running, and waits until they are gone; called after each row and trial. */
export async function stopAll(graceMs = 5_000): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(graceMs)));
}

/** Kills every child still running at once: on the way out, even after a failure. */
export function killAll(): void {
  for (const child of live) child.kill();
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { createWebsocketServer, type ServerConn, type ServerOptions, type WebsocketServer } from '@corows/node-server';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The command that runs the CLI from its TypeScript sources (no build needed). */
export const CLI_COMMAND: readonly string[] = [process.execPath, '--conditions=source', '--import', 'tsx', BIN];

/** A running CLI process whose output is collected as it comes. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once stdout matches `pattern` (with terminal escape codes removed), with the match. */
  waitForOutput(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `command` (the CLI, or a wrapper around it); killed when the test ends if still running. */
export function startProcess(t: TestContext, command: readonly string[]): CliProcess {
  const [file = '', ...args] = command;
  const child = spawn(file, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const watch of watchers) watch();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const waitForOutput = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(stripEscapes(out));
        if (match === null) return;
        watchers.delete(check);
        resolve(match);
      };
      watchers.add(check);
      void exited.then((code) => {
        if (!watchers.delete(check)) return;
        reject(new Error(`exited (${code}) before printing ${pattern}; stdout: ${JSON.stringify(out)}; stderr: ${JSON.stringify(err)}`));
      });
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitForOutput, exited };
}

/** Starts `corows <args>`. */
export function startCli(t: TestContext, args: readonly string[]): CliProcess {
  return startProcess(t, [...CLI_COMMAND, ...args]);
}

/** Runs `corows <args>` with `input` on stdin (then closed) and resolves once it has exited. */
export async function runCli(t: TestContext, args: readonly string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(t, args);
  cli.child.stdin?.end(input);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Text without terminal escape sequences and carriage returns, as a reader of the screen sees it. */
export function stripEscapes(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/** A corows server on 127.0.0.1 with a free port, closed when the test ends. */
export async function startServer(
  t: TestContext,
  onConn: (conn: ServerConn) => unknown,
  options?: ServerOptions,
): Promise<{ server: WebsocketServer; url: string; port: number }> {
  const server = createWebsocketServer('127.0.0.1', 0, options).whenNewConn(onConn);
  t.after(() => server.close('test over'));
  const { port } = await server.listening;
  return { server, url: `ws://127.0.0.1:${port}`, port };
}

/** Whether util-linux `script` is here, to give the CLI a pseudo-terminal. */
export const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/** A command line as one shell word each, for `script -c`. */
export function shellQuote(words: readonly string[]): string {
  return words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LINE_PREFIX } from '../peers/report.ts';

/** Lines of a process's output kept to explain its failure. */
const TAIL_LINES = 30;

/**
 * A peer of a pairing in a child process: its `CONTRACT` lines go to `onMessage`; the rest of its
 * output is kept (the last lines) to explain a failure.
 */
export class PeerProcess {
  /** What it said when it started listening (servers): `{ listening, heartbeat? }` addresses. */
  readonly listening: Promise<{ listening: string; heartbeat?: string }>;
  /** Resolves when it has exited; the reason is a sentence naming how and what it printed last. */
  readonly exited: Promise<string>;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private done = false;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    cwd: string,
    onMessage: (message: Record<string, unknown>) => void,
  ) {
    this.child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let announce!: (addresses: { listening: string; heartbeat?: string }) => void;
    let fail!: (err: Error) => void;
    this.listening = new Promise((resolve, reject) => {
      announce = resolve;
      fail = reject;
    });
    this.listening.catch(() => undefined);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.startsWith(LINE_PREFIX)) return this.keep(line);
      const message = JSON.parse(line.slice(LINE_PREFIX.length)) as Record<string, unknown>;
      if (typeof message.listening === 'string') announce(message as { listening: string; heartbeat?: string });
      if (message.done === true) this.done = true;
      onMessage(message);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.keep(line));
    this.exited = new Promise((resolve) => {
      const finish = (how: string): void => {
        const reason = `the ${label} ${how}${this.tail.length > 0 ? `; its last output:\n${this.tail.join('\n')}` : ''}`;
        fail(new Error(reason));
        resolve(reason);
      };
      this.child.once('error', (err) => finish(`could not start (${command}): ${err.message}`));
      this.child.once('exit', (code, signal) => finish(`exited (${signal ?? `code ${code}`})${this.done ? '' : ' before it had reported everything'}`));
    });
  }

  /** Whether it said it had finished its plan. */
  get finished(): boolean {
    return this.done;
  }

  /** Ends it (if it still runs) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private keep(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }
}

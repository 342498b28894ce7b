import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { connect, CONNECT_USAGE, parseConnectArgs, type ConnectCommand } from './connect.js';
import type { Io } from './io.js';
import { parseServeArgs, serve, SERVE_USAGE, type ServeOptions } from './serve.js';

/** `corows --help`. */
export const USAGE = `Usage: corows <command> [options]

Commands:
  serve     a WebSocket server that logs connections and messages (--echo: sends each one back)
  connect   a WebSocket client: interactive on a terminal, one line = one message from a pipe

Run corows <command> --help for its options. corows --version prints the version.`;

/** A command line, understood: a command to run, or text to print (help, version). */
export type Command =
  | { name: 'serve'; options: ServeOptions }
  | { name: 'connect'; options: ConnectCommand }
  | { name: 'print'; text: string };

/** Reads a command line (without `node` and the script) without running it; throws a {@link UsageError}. */
export function parseCommand(args: string[]): Command {
  const [command, ...rest] = args;
  switch (command) {
    case 'serve': {
      const options = parseServeArgs(rest);
      return options === 'help' ? { name: 'print', text: SERVE_USAGE } : { name: 'serve', options };
    }
    case 'connect': {
      const options = parseConnectArgs(rest);
      return options === 'help' ? { name: 'print', text: CONNECT_USAGE } : { name: 'connect', options };
    }
    case '--version':
    case '-v':
      return { name: 'print', text: version() };
    case '--help':
    case '-h':
    case 'help':
      return { name: 'print', text: USAGE };
    case undefined:
      throw new UsageError('corows: which command? serve or connect');
    default:
      throw new UsageError(`corows: unknown command ${JSON.stringify(command)}; the commands are serve and connect`);
  }
}

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export async function main(args: string[], io: Io): Promise<number> {
  try {
    const command = parseCommand(args);
    switch (command.name) {
      case 'serve':
        return await serve(command.options, io);
      case 'connect':
        return await connect(command.options, io);
      case 'print':
        io.stdout.write(`${command.text}\n`);
        return 0;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const help = args[0] === 'serve' || args[0] === 'connect' ? `corows ${args[0]} --help` : 'corows --help';
    io.stderr.write(`${err.message}\n(${help} shows how to use it)\n`);
    return 2;
  }
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

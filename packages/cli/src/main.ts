import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { connect } from './connect.js';
import type { Io } from './io.js';
import { serve } from './serve.js';

/** `corows --help`. */
export const USAGE = `Usage: corows <command> [options]

Commands:
  serve     a WebSocket server that logs connections and messages (--echo: sends each one back)
  connect   a WebSocket client: interactive on a terminal, one line = one message from a pipe

Run corows <command> --help for its options. corows --version prints the version.`;

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export async function main(args: string[], io: Io): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'connect':
        return await connect(rest, io);
      case '--version':
      case '-v':
        io.stdout.write(`${version()}\n`);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case undefined:
        throw new UsageError('corows: which command? serve or connect');
      default:
        throw new UsageError(`corows: unknown command ${JSON.stringify(command)}; the commands are serve and connect`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const help = command === 'serve' || command === 'connect' ? `corows ${command} --help` : 'corows --help';
    io.stderr.write(`${err.message}\n(${help} shows how to use it)\n`);
    return 2;
  }
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

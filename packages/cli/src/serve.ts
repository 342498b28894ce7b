import { closeOnSignals, createWebsocketServer, type ServerConn } from '@corows/node-server';
import { parseCommandLine, parsePort, UsageError } from './args.js';
import { formatMessage } from './format.js';
import type { Io } from './io.js';

/** `corows serve --help`. */
export const SERVE_USAGE = `Usage: corows serve [--host H] [--port P] [--echo]

A WebSocket server that logs every connection and message (to stdout).
It prints its address, ws://H:P, once listening. Ctrl-C stops it (clients get 1001).

Options:
  --host H    the interface to listen on (default 127.0.0.1; 0.0.0.0 for every IPv4 one)
  --port P    the port (default 1042; 0 picks a free one)
  --echo      send every message back to its sender, unchanged (text as text, binary as binary)
  -h, --help  this help

Example:
  corows serve --port 0 --echo`;

/** Long messages are cut in the log after this many characters or bytes. */
const LOG_LIMIT = 1000;

/** What `corows serve` was asked to do. */
export interface ServeOptions {
  host: string;
  port: number;
  echo: boolean;
}

/** Reads the arguments of `corows serve`: its options, or `'help'`. Throws a {@link UsageError}. */
export function parseServeArgs(args: string[]): ServeOptions | 'help' {
  const { values, positionals } = parseCommandLine('serve', args, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '1042' },
    echo: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) {
    throw new UsageError(`corows serve: unexpected argument ${JSON.stringify(positionals[0])}; options are --host, --port and --echo`);
  }
  return { host: values.host, port: parsePort('serve', values.port), echo: values.echo };
}

/** Runs `corows serve`; resolves with the exit code once the server has stopped. */
export async function serve(options: ServeOptions, io: Io): Promise<number> {
  const { host, port, echo } = options;
  const log = (line: string): void => void io.stdout.write(`${line}\n`);

  const server = createWebsocketServer(host, port);
  let connections = 0;
  server.whenNewConn((conn) => logConnection(conn, (connections += 1), echo, log));
  server.on('error', (err) => io.stderr.write(`corows serve: ${err.message}\n`));
  const died = new Promise<string>((resolve) => server.whenDead(resolve));

  try {
    const bound = await server.listening;
    log(`listening on ws://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}${echo ? ' (echo)' : ''}`);
  } catch {
    io.stderr.write(`corows serve: cannot listen on ${host}:${port}: ${await died}\n`);
    return 1;
  }
  closeOnSignals(server, { reason: 'corows serve stopped' });
  log(`stopped: ${await died}`);
  return 0;
}

function logConnection(conn: ServerConn, number: number, echo: boolean, log: (line: string) => void): void {
  const tag = `#${number}`;
  const protocol = conn.protocol === '' ? '' : `, protocol ${conn.protocol}`;
  log(`${tag} connected from ${conn.remoteAddress ?? 'an unknown address'}, path ${conn.url}${protocol}`);
  conn.on('close', (code, reason) => log(`${tag} closed: ${code}${reason === '' ? '' : ` ${reason}`}`));
  conn.on('error', (err) => log(`${tag} error: ${err.message}`));
  conn.whenNewMsg((msg) => {
    if (msg === null) return;
    log(`${tag} < ${formatMessage(msg, { limit: LOG_LIMIT, oneLine: true })}`);
    if (echo) void (typeof msg === 'string' ? conn.sendMessage(msg) : conn.sendBinary(msg));
  });
}

import { connectToWebsocket, type WebSocketConn } from '@corows/node-server';
import { parseCommandLine, parseHeaders, parseMilliseconds, UsageError } from './args.js';
import type { Io } from './io.js';
import { pipeSession } from './pipe-session.js';
import { terminalSession } from './terminal-session.js';

/** `corows connect --help`. */
export const CONNECT_USAGE = `Usage: corows connect <url> [-H "Name: value"]... [--protocol P]... [--wait ms] [--json]

Opens a WebSocket connection to <url> (ws:// or wss://).

On a terminal (stdin and stdout both): an interactive session. Type a line and Enter to send it as a
text message; received messages are printed as they come (binary as hex). /help lists the commands
(/json, /binary, /ping, /close, /quit); Ctrl-D or Ctrl-C closes the connection and quits.

Otherwise (stdin or stdout a pipe or a file): each line is sent as one text message and each received
message is printed on its own line to stdout; after stdin ends it waits --wait ms for answers, closes
the connection and exits 0.

A connect that fails exits 1 with the reason on stderr.

Options:
  -H, --header "Name: value"  a handshake header (repeat for several; a repeated name sends several values)
  --protocol P                a subprotocol to offer (repeat for several, in order of preference)
  --wait ms                   with stdin not a terminal: how long to wait for answers after stdin ends (default 500)
  --json                      pretty-print messages that are JSON objects or arrays
  -h, --help                  this help

Examples:
  corows connect ws://127.0.0.1:1042
  echo '{"op":"ping"}' | corows connect wss://example.com/api -H "Authorization: Bearer abc" --protocol v1`;

/** What `corows connect` was asked to do. */
export interface ConnectCommand {
  url: string;
  headers: Record<string, string[]>;
  protocols: string[];
  waitMs: number;
  json: boolean;
}

/** Reads the arguments of `corows connect`: what to do, or `'help'`. Throws a {@link UsageError}. */
export function parseConnectArgs(args: string[]): ConnectCommand | 'help' {
  const { values, positionals } = parseCommandLine('connect', args, {
    header: { type: 'string', short: 'H', multiple: true, default: [] },
    protocol: { type: 'string', multiple: true, default: [] },
    wait: { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  const [url, ...extra] = positionals;
  if (url === undefined) throw new UsageError('corows connect: which address? Give one, such as corows connect ws://127.0.0.1:1042');
  if (extra.length > 0) throw new UsageError(`corows connect: unexpected argument ${JSON.stringify(extra[0])} after the address`);
  return {
    url,
    headers: parseHeaders('connect', values.header),
    protocols: values.protocol,
    waitMs: parseMilliseconds('connect', '--wait', values.wait),
    json: values.json,
  };
}

/** Runs `corows connect`; resolves with the exit code once the session is over. */
export async function connect(command: ConnectCommand, io: Io): Promise<number> {
  let conn: WebSocketConn;
  try {
    conn = await connectToWebsocket(command.url, { headers: command.headers, protocols: command.protocols });
  } catch (err) {
    // A TypeError is a bad address, found before any network work: a usage error.
    if (err instanceof TypeError) throw new UsageError(`corows connect: ${err.message}`);
    io.stderr.write(`corows connect: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return io.stdin.isTTY === true && io.stdout.isTTY === true
    ? terminalSession(conn, io, { json: command.json })
    : pipeSession(conn, io, { json: command.json, waitMs: command.waitMs });
}

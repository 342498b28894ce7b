import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { WebSocketConn } from '@corows/node-server';
import { exitCodeAfterServerClose } from './exit-code.js';
import { formatMessage } from './format.js';
import type { Io } from './io.js';

/** How a non-interactive session behaves. */
export interface PipeOptions {
  /** Pretty-print JSON objects and arrays. */
  json: boolean;
  /** After stdin ends, how long to wait for answers before closing. */
  waitMs: number;
}

/**
 * Non-interactive `corows connect`: each line of stdin is sent as one text message, each received
 * message is printed on its own line. Once stdin ends (and every line is written) it waits
 * `waitMs` for answers, then closes. Resolves with the exit code: 0, or 1 if a send failed or the
 * server closed the connection with an error code.
 */
export async function pipeSession(conn: WebSocketConn, io: Io, options: PipeOptions): Promise<number> {
  const drained = new Promise<void>((resolve) => {
    conn.whenNewMsg((msg) => {
      if (msg === null) resolve();
      else io.stdout.write(`${formatMessage(msg, { json: options.json })}\n`);
    });
  });
  conn.on('error', (err) => io.stderr.write(`corows connect: ${err.message}\n`));
  let closedByUs = false;
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  void drained.then(() => lines.close());

  for await (const line of lines) {
    const error = await conn.sendMessage(line);
    if (error !== null) {
      if (conn.state === 'CLOSING' || conn.state === 'CLOSED') break; // reported below, with the close code
      io.stderr.write(`corows connect: cannot send a line: ${error.message}\n`);
      closedByUs = true;
      await conn.close(1011, 'corows connect: a send failed');
      await drained;
      return 1;
    }
  }

  if (conn.state === 'OPEN') {
    const waiting = new AbortController();
    const waited = delay(options.waitMs, 'waited' as const, { signal: waiting.signal }).catch(() => 'cancelled' as const);
    const answer = await Promise.race([drained.then(() => 'closed' as const), waited]);
    waiting.abort();
    if (answer === 'waited') {
      closedByUs = true;
      await conn.close();
    }
  }
  await drained;
  if (closedByUs) return 0;
  const code = conn.closeCode ?? 1006;
  const reason = conn.closeReason ?? '';
  io.stderr.write(`corows connect: the connection was closed by the server: ${code}${reason === '' ? '' : ` ${reason}`}\n`);
  return exitCodeAfterServerClose(code);
}

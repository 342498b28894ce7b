import { clearLine, createInterface, cursorTo } from 'node:readline';
import type { WebSocketConn } from '@corows/node-server';
import { runLine, type SessionState } from './commands.js';
import { exitCodeAfterServerClose } from './exit-code.js';
import { formatMessage } from './format.js';
import type { Io } from './io.js';

/**
 * Interactive `corows connect` on a terminal: a prompt where each line typed is sent (or is a
 * command, see `/help`), and received messages printed above it as they come. Ctrl-D, Ctrl-C or
 * `/quit` close the connection. Resolves with the exit code: 0, or 1 if the server closed the
 * connection with an error code.
 */
export function terminalSession(conn: WebSocketConn, io: Io, options: { json: boolean }): Promise<number> {
  const state: SessionState = { json: options.json };
  const prompt = createInterface({ input: io.stdin, output: io.stdout, prompt: '> ', terminal: true });
  let ended = false;
  let closedByUs = false;

  /** Prints above the prompt and redraws the prompt with what is typed so far. */
  const show = (text: string): void => {
    clearLine(io.stdout, 0);
    cursorTo(io.stdout, 0);
    io.stdout.write(`${text}\n`);
    if (!ended) prompt.prompt(true);
  };

  const drained = new Promise<void>((resolve) => {
    conn.whenNewMsg((msg) => {
      if (msg !== null) return show(`< ${formatMessage(msg, { json: state.json })}`);
      const reason = conn.closeReason === '' || conn.closeReason === undefined ? '' : ` ${conn.closeReason}`;
      if (!closedByUs) show(`connection closed by the server: ${conn.closeCode ?? 1006}${reason}`);
      prompt.close();
      resolve();
    });
  });
  conn.on('pong', () => show('< pong'));
  conn.on('error', (err) => show(`error: ${err.message}`));

  const quit = (): void => {
    closedByUs = conn.state !== 'CLOSED';
    void conn.close();
  };
  let queue = Promise.resolve();
  prompt.on('line', (line) => {
    // One line at a time, so that messages are sent in the order they were typed.
    queue = queue.then(async () => {
      if (line.startsWith('/close') || line.startsWith('/quit')) closedByUs = true;
      const output = await runLine(line, conn, state);
      if (conn.state === 'OPEN') closedByUs = false; // a /close that was refused (bad code)
      if (output !== undefined) show(output);
      else if (!ended) prompt.prompt();
    });
  });
  prompt.on('SIGINT', () => prompt.close());
  prompt.on('close', () => {
    ended = true;
    // Lines typed before Ctrl-D are sent first.
    void queue.then(() => {
      if (conn.state === 'OPEN' || conn.state === 'CONNECTING') quit();
    });
  });

  const protocol = conn.protocol === '' ? '' : ` (protocol ${conn.protocol})`;
  show(`connected to ${conn.url}${protocol}; type a message and press Enter to send it, /help for commands, Ctrl-D to quit`);

  return drained.then(() => {
    const code = conn.closeCode ?? 1006;
    return closedByUs ? 0 : exitCodeAfterServerClose(code);
  });
}

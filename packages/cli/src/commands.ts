import type { WebSocketConn } from '@corows/node-server';
import { parseHex } from './format.js';

/** `/help` in an interactive session. */
export const COMMANDS_HELP = `Type a line and press Enter to send it as a text message. Commands:
  /json               pretty-print received JSON objects and arrays (again: off)
  /binary 01 02 ff    send these bytes as a binary message
  /ping               send a ping (the answer shows as "< pong")
  /close [code [reason]]  close the connection (default 1000) and quit
  /quit               the same as Ctrl-D: close with 1000 and quit
  //text             send "/text" (a message that starts with a slash)`;

/** What an interactive session keeps between lines. */
export interface SessionState {
  /** Pretty-print JSON. */
  json: boolean;
}

/**
 * Handles one typed line: a command, or a text message to send. Resolves with what to print
 * (nothing for a plain send that went through).
 */
export async function runLine(line: string, conn: WebSocketConn, state: SessionState): Promise<string | undefined> {
  if (!line.startsWith('/') || line.startsWith('//')) {
    const error = await conn.sendMessage(line.startsWith('//') ? line.slice(1) : line);
    return error === null ? undefined : `cannot send: ${error.message}`;
  }
  const [command = '', ...words] = line.slice(1).trim().split(/\s+/);
  const rest = line.slice(1).trim().slice(command.length).trim();
  switch (command) {
    case 'help':
      return COMMANDS_HELP;
    case 'json':
      state.json = !state.json;
      return `JSON pretty-printing ${state.json ? 'on' : 'off'}`;
    case 'binary': {
      const bytes = parseHex(rest);
      if (bytes === undefined) return `/binary wants hex bytes, such as /binary 01 02 ff; got ${JSON.stringify(rest)}`;
      const error = await conn.sendBinary(bytes);
      return error === null ? undefined : `cannot send: ${error.message}`;
    }
    case 'ping':
      return conn.ping() ? undefined : 'cannot ping: the connection is not open';
    case 'close':
      return closeWith(conn, words);
    case 'quit':
      await conn.close();
      return undefined;
    default:
      return `unknown command /${command}; /help lists the commands (to send a message that starts with a slash, write it twice: //${line.slice(1)})`;
  }
}

async function closeWith(conn: WebSocketConn, words: string[]): Promise<string | undefined> {
  const [codeText, ...reasonWords] = words;
  const code = codeText === undefined ? 1000 : Number(codeText);
  try {
    await conn.close(code, reasonWords.join(' '));
    return undefined;
  } catch (err) {
    return `cannot close: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The part of Node's `http.IncomingMessage` that reading a refusal's body uses. */
interface ResponseLike {
  statusMessage?: string;
  setEncoding?(encoding: 'utf8'): unknown;
  on?(event: string, listener: (chunk?: unknown) => void): unknown;
}

const MAX_REASON_CHARS = 200;
const MAX_WAIT_MS = 1_000;

/**
 * Reads the short reason a server gives in the body of a refused handshake (`403 Forbidden` and
 * then "unknown token"), and passes it to `done` as one line ('' if none, or the same as the status
 * text). Gives up after 200 characters or one second, so a slow body cannot delay the error.
 */
export function readRefusalReason(response: unknown, done: (reason: string) => void): void {
  const body = response as ResponseLike;
  if (typeof body.on !== 'function') {
    done('');
    return;
  }
  let text = '';
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    const line = text.replace(/\s+/g, ' ').trim().slice(0, MAX_REASON_CHARS);
    done(line === body.statusMessage || line.startsWith('<') ? '' : line);
  };
  const timer = setTimeout(finish, MAX_WAIT_MS);
  body.setEncoding?.('utf8');
  body.on('data', (chunk) => {
    text += String(chunk);
    if (text.length >= MAX_REASON_CHARS) finish();
  });
  body.on('end', finish);
  body.on('error', finish);
  body.on('close', finish);
}

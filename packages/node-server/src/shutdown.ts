import { CloseCode, type WebSocketConn } from '@corows/core';

/** Close reasons travel in a control frame: at most 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/**
 * Graceful close of many connections: each gets 1001 (`GoingAway`) with `reason`; those that have not
 * finished the closing handshake after `drainTimeout` ms are dropped. Resolves once every one is closed.
 */
export async function drainConnections(conns: Iterable<WebSocketConn>, reason: string, drainTimeout: number): Promise<void> {
  const closing = [...conns];
  if (closing.length === 0) return;
  const frameReason = truncateUtf8(reason, MAX_REASON_BYTES);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, drainTimeout);
  });
  const closed = closing.map((conn) => conn.close(CloseCode.GoingAway, frameReason).catch(() => conn.terminate()));
  await Promise.race([Promise.all(closed), late]);
  clearTimeout(timer);
  for (const conn of closing) if (conn.state !== 'CLOSED') conn.terminate();
  await Promise.all(closed);
}

/** `text`, cut to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}

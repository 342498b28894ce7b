// Apart from prepared-message.ts, which the public declarations reach: they must not import `ws`'s types.
import type { WebSocketLike } from '@corows/core';
import type { WebSocket } from 'ws';
import type { PreparedMessage } from './prepared-message.js';

/** The parts of a `ws` server socket that writing a pre-framed message relies on (private to `ws`). */
interface WsInternals {
  _extensions?: Record<string, unknown>;
  /** `null` in Bun's `ws`, which sends through Bun's own server. */
  _sender?: {
    _state?: unknown;
    _queue?: unknown[];
    _firstFragment?: unknown;
    sendFrame?: (list: readonly Buffer[], cb?: (err?: Error) => void) => void;
  } | null;
}

/**
 * Writes `message` to an open `ws` socket: the prepared frame straight onto the socket, through the
 * sender's own write path, when nothing can interleave with it (no compression negotiated, the sender
 * idle with an empty queue and no fragmented message in progress); otherwise, or if `ws`'s internals
 * are not as expected, an ordinary `ws.send`, which frames (and compresses) for this socket alone and
 * keeps the order of earlier sends.
 */
export function writePrepared(socket: WebSocketLike, message: PreparedMessage): void {
  const ws = socket as unknown as WebSocket;
  const sender = (ws as unknown as WsInternals)._sender;
  const extensions = (ws as unknown as WsInternals)._extensions;
  const idle = typeof sender?.sendFrame === 'function' && sender._state === 0 &&
    Array.isArray(sender._queue) && sender._queue.length === 0 && sender._firstFragment === true &&
    extensions !== undefined && isEmpty(extensions);
  const frames = idle ? message.framed() : null;
  if (frames !== null) sender?.sendFrame?.(frames);
  else ws.send(message.payload, { binary: message.binary });
}

/** Whether `record` has no keys (without making an array of them, as `Object.keys` would, per socket). */
function isEmpty(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

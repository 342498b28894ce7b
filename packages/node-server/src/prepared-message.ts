import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/** `ws`'s `Sender.frame` (public since ws 2, untyped in @types/ws): frames data without sending it. */
type FrameFunction = (data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }) => Buffer[];

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

const Sender = (wsModule as unknown as { Sender?: { frame?: FrameFunction } }).Sender;

/**
 * One message for many connections, framed once (`ws`'s `Sender.frame`) and written as is to every
 * connection where that is safe; see {@link writePrepared}.
 */
export class PreparedMessage {
  /** The payload as sent on the wire. */
  readonly payload: Buffer;
  /** Binary frame (bytes) or text frame (string). */
  readonly binary: boolean;
  private frames: readonly Buffer[] | null | undefined;

  constructor(data: string | Uint8Array) {
    this.binary = typeof data !== 'string';
    this.payload = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * The unmasked, uncompressed frame, header and payload in one buffer, built on first use; `null` if
   * `ws` cannot frame. One buffer is one `write()` per socket, where `ws`'s own header + payload pair
   * is a corked `writev()` with more work in Node's stream code (about 10% of a broadcast's time).
   */
  framed(): readonly Buffer[] | null {
    if (this.frames === undefined) {
      this.frames = typeof Sender?.frame === 'function'
        ? [Buffer.concat(Sender.frame(this.payload, { fin: true, rsv1: false, opcode: this.binary ? 2 : 1, mask: false, readOnly: false }))]
        : null;
    }
    return this.frames;
  }
}

/**
 * Writes `message` to an open `ws` socket: the prepared frame straight onto the socket, through the
 * sender's own write path, when nothing can interleave with it (no compression negotiated, the sender
 * idle with an empty queue and no fragmented message in progress); otherwise, or if `ws`'s internals
 * are not as expected, an ordinary `ws.send`, which frames (and compresses) for this socket alone and
 * keeps the order of earlier sends.
 */
export function writePrepared(ws: WebSocket, message: PreparedMessage): void {
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

import * as wsModule from 'ws';

/** `ws`'s `Sender.frame` (public since ws 2, untyped in @types/ws): frames data without sending it. */
type FrameFunction = (data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }) => Buffer[];

const Sender = (wsModule as unknown as { Sender?: { frame?: FrameFunction } }).Sender;

/**
 * One message for many connections, framed once (`ws`'s `Sender.frame`) and written as is to every
 * connection where that is safe; see `writePrepared`.
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

import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { createWebsocketServer, type ServerConn, type ServerOptions, type WebSocketConn, type WebsocketServer } from '../src/index.js';

/** A server on 127.0.0.1 with a free port, closed when the test ends. */
export async function startServer<Data = Record<string, unknown>>(
  t: TestContext,
  onConn?: (conn: ServerConn<Data>) => unknown,
  options?: ServerOptions<Data>,
): Promise<{ server: WebsocketServer<Data>; url: string; port: number }> {
  const server = createWebsocketServer<Data>('127.0.0.1', 0, options);
  if (onConn !== undefined) server.whenNewConn(onConn);
  t.after(() => server.close('test over'));
  const { port } = await server.listening;
  return { server, url: `ws://127.0.0.1:${port}`, port };
}

/** A promise with its resolve function outside, for waiting on one event. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves with the next connection the server accepts. */
export function nextConn<Data>(server: WebsocketServer<Data>): Promise<ServerConn<Data>> {
  return new Promise((resolve) => server.whenNewConn(resolve));
}

/** Resolves with the close code once `conn` has closed (at once if it already has). */
export function closed(conn: WebSocketConn): Promise<number> {
  if (conn.state === 'CLOSED') return Promise.resolve(conn.closeCode ?? 1006);
  return new Promise((resolve) => conn.once('close', (code) => resolve(code)));
}

/** Resolves with the code and reason a connection closes with (at once if it already has). */
export function closedWith(conn: WebSocketConn): Promise<{ code: number; reason: string }> {
  if (conn.state === 'CLOSED') return Promise.resolve({ code: conn.closeCode ?? 0, reason: conn.closeReason ?? '' });
  return new Promise((resolve) => conn.once('close', (code, reason) => resolve({ code, reason })));
}

/** Polls `check` until it returns true, failing with `what` after `timeout` ms. */
export async function waitFor(check: () => boolean, what: string, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw TCP socket to the server, destroyed when the test ends. */
export function rawSocket(t: TestContext, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    t.after(() => socket.destroy());
  });
}

/** A valid WebSocket upgrade request for `path`. */
export function upgradeRequest(path = '/', extra: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

/**
 * A raw socket that completed the handshake: `received()` is everything the server sent after the 101
 * response, and `ended` resolves when the server closes the socket.
 */
export async function rawWebSocket(t: TestContext, port: number, path = '/'): Promise<RawPeer> {
  const socket = await rawSocket(t, port);
  const peer = new RawPeer(socket);
  socket.write(upgradeRequest(path));
  await peer.waitForHandshake();
  return peer;
}

/** Both ends of a raw TCP exchange, as bytes. */
export class RawPeer {
  private data = Buffer.alloc(0);
  private headerEnd = -1;
  readonly ended: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      if (this.headerEnd < 0) {
        const end = this.data.indexOf('\r\n\r\n');
        if (end >= 0) this.headerEnd = end + 4;
      }
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** The HTTP response head, once received. */
  get head(): string {
    return this.headerEnd < 0 ? this.data.toString('latin1') : this.data.subarray(0, this.headerEnd).toString('latin1');
  }

  /** Bytes after the HTTP response head. */
  received(): Buffer {
    return this.headerEnd < 0 ? Buffer.alloc(0) : this.data.subarray(this.headerEnd);
  }

  async waitForHandshake(): Promise<void> {
    await waitFor(() => this.headerEnd >= 0, 'the HTTP response');
    if (!this.head.startsWith('HTTP/1.1 101')) throw new Error(`no upgrade: ${this.head}`);
  }

  /** The close code of the first close frame the server sent, if any. */
  closeCode(): number | undefined {
    for (const frame of parseFrames(this.received())) {
      if (frame.opcode === 0x8) return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
    }
    return undefined;
  }
}

/** One frame as a server writes it (unmasked). */
export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Splits unmasked server frames; stops at an incomplete one. */
export function parseFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const b0 = bytes[at] as number;
    let length = (bytes[at + 1] as number) & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (offset + 2 > bytes.length) break;
      length = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (offset + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > bytes.length) break;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: bytes.subarray(offset, offset + length) });
    at = offset + length;
  }
  return frames;
}

/** Builds a client frame; masked unless told otherwise, as the protocol requires. */
export function clientFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; mask?: boolean; rsv?: number; declaredLength?: bigint } = {},
): Buffer {
  const { fin = true, mask = true, rsv = 0 } = options;
  const length = options.declaredLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) {
    head.push(maskBit | Number(length));
  } else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), extended, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), extended, key, masked]);
}

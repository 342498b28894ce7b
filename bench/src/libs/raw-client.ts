import { connect, type Socket } from 'node:net';
import { SOCKET_IO_EVENT } from './lean-client.js';

/**
 * The cheapest WebSocket client the bench can make, for load generators that hold 10,000s of
 * connections or must outrun the server they load: a raw TCP socket that writes a prepared upgrade
 * request, reads the server's unmasked frames without decoding their payload, answers pings, and sends
 * frames masked with the all-zero key (RFC 6455 §5.3 lets the client pick any key; a zero key leaves
 * the payload as is, so a frame is encoded once and written many times). A bench tool: it trusts
 * the server it talks to (no extensions, no subprotocols, no UTF-8 checks).
 *
 * `websocket`: plain WebSocket messages (corows, raw `ws`, uWS.js). `socket.io`: engine.io v4 packets
 * in WebSocket frames: `0{…}` open → `40` sent (join `/`) → `40{…}` joined; `2` ping → `3`; `42[…]` an
 * event.
 */
export type RawWire = 'websocket' | 'socket.io';

/** What a raw connection reports. */
export interface RawHooks {
  /** Each application message, by its first character's code (for Socket.IO: the first of the event's string). */
  onMessage(tag: number): void;
  /** Each heartbeat from the server: a WebSocket ping, or Socket.IO's `2` packet. */
  onPing?: () => void;
  /** The TCP connection ended after the handshake. */
  onClose?: () => void;
}

/** One raw connection, open (for Socket.IO: joined to the main namespace). */
export interface RawConn {
  readonly socket: Socket;
}

/** Sent by every raw client (any 16 bytes in base64 will do) and the server's answer to it (RFC 6455 §1.3). */
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const HANDSHAKE_TIMEOUT_MS = 60_000;
const EVENT_PREFIX = Buffer.from(`42${JSON.stringify([SOCKET_IO_EVENT, ''])}`.slice(0, -2));
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;

/** `payload` as one client frame (FIN, `opcode`, masked with the zero key). */
export function clientFrame(payload: Buffer | string, opcode = OP_TEXT): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = body.length < 126 ? 2 : body.length < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(head + 4 + body.length);
  frame[0] = 0x80 | opcode;
  if (head === 2) frame[1] = 0x80 | body.length;
  else if (head === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(body.length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(body.length), 2);
  }
  body.copy(frame, head + 4);
  return frame;
}

/** The text one application message travels as on `wire` (for Socket.IO: an `m` event carrying it). */
export function wireText(wire: RawWire, text: string): string {
  return wire === 'websocket' ? text : `42${JSON.stringify([SOCKET_IO_EVENT, text])}`;
}

const SOCKET_IO_PONG = clientFrame('3');
const SOCKET_IO_JOIN = clientFrame('40');

/** The upgrade request, as bytes, for `port` and `path`. */
function upgradeRequest(port: number, path: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`, 'latin1');
}

const requests = new Map<string, Buffer>();

/**
 * Opens a raw connection to 127.0.0.1:`port` from `localAddress`; `query` goes into the URL (such as
 * `room=hot`). Rejects on a refused handshake with `Unexpected server response: <status>` (as `ws`
 * does, so callers may retry 408 and 503), on an error, or after 60 s.
 */
export function openRaw(port: number, wire: RawWire, localAddress: string, hooks: RawHooks, query = ''): Promise<RawConn> {
  const path = wire === 'websocket' ? `/${query === '' ? '' : `?${query}`}` : `/socket.io/?EIO=4&transport=websocket${query === '' ? '' : `&${query}`}`;
  const id = `${port} ${path}`;
  let request = requests.get(id);
  if (request === undefined) requests.set(id, (request = upgradeRequest(port, path)));
  const socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
  socket.write(request);
  socket.setTimeout(HANDSHAKE_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    let head: Buffer | undefined = Buffer.alloc(0);
    let rest: Buffer | undefined;
    let open = false;
    const conn: RawConn = { socket };
    const opened = (): void => {
      open = true;
      socket.setTimeout(0);
      resolve(conn);
    };
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.on('timeout', () => fail(new Error(`no handshake within ${HANDSHAKE_TIMEOUT_MS} ms`)));
    socket.on('error', (err) => (open ? undefined : fail(err)));
    socket.on('close', () => (open ? hooks.onClose?.() : fail(new Error('closed before open'))));
    /** One whole frame from the server: `buf[start, end)` is its payload. */
    const frame = (opcode: number, buf: Buffer, start: number, end: number): void => {
      if (opcode === OP_PING) {
        socket.write(clientFrame(buf.subarray(start, end), 0xa));
        return hooks.onPing?.();
      }
      if (opcode === OP_CLOSE) return void socket.end();
      if (opcode !== OP_TEXT && opcode !== OP_BINARY) return; // pongs; continuations were counted at their start
      if (end === start) return hooks.onMessage(0);
      if (wire === 'websocket') return hooks.onMessage(buf[start] as number);
      const type = buf[start];
      if (type === 0x34 && buf[start + 1] === 0x32) {
        // `42…`: an event; its tag is the first character of its string.
        const tagAt = start + EVENT_PREFIX.length;
        hooks.onMessage(tagAt < end && buf.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, start, tagAt) === 0 ? (buf[tagAt] as number) : 0);
      } else if (type === 0x32 && end - start === 1) {
        socket.write(SOCKET_IO_PONG);
        hooks.onPing?.();
      } else if (type === 0x34 && buf[start + 1] === 0x30) {
        if (!open) opened();
      } else if (type === 0x30) socket.write(SOCKET_IO_JOIN);
    };
    const frames = (chunk: Buffer): void => {
      const buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
      let at = 0;
      while (buf.length - at >= 2) {
        const second = buf[at + 1] as number;
        let length = second & 0x7f;
        let start = at + 2;
        if (length === 126) {
          if (buf.length - at < 4) break;
          length = buf.readUInt16BE(at + 2);
          start = at + 4;
        } else if (length === 127) {
          if (buf.length - at < 10) break;
          length = Number(buf.readBigUInt64BE(at + 2));
          start = at + 10;
        }
        if (buf.length < start + length) break;
        frame((buf[at] as number) & 0x0f, buf, start, start + length);
        at = start + length;
      }
      rest = at === buf.length ? undefined : buf.subarray(at);
    };
    socket.on('data', (chunk: Buffer) => {
      if (head === undefined) return frames(chunk);
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const response = head.toString('latin1', 0, end);
      const after = head.subarray(end + 4);
      head = undefined;
      const status = /^HTTP\/1\.1 (\d+)/.exec(response)?.[1];
      if (status !== '101') return fail(new Error(`Unexpected server response: ${status ?? response.slice(0, 40)}`));
      if (!response.includes(ACCEPT)) return fail(new Error('the server answered with a wrong Sec-WebSocket-Accept'));
      if (wire === 'websocket') opened();
      if (after.length > 0) frames(after);
    });
  });
}

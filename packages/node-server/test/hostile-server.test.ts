import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { connectToWebsocket, DEFAULT_MAX_PAYLOAD } from '../src/index.js';
import { clientFrame, closedWith, startServer } from './helpers.js';

/**
 * A hand-written WebSocket server on raw TCP: it completes the handshake and then runs `attack` on
 * the socket. `closeFrame` resolves with the code and reason of the close frame the client sends.
 */
async function hostileServer(
  t: TestContext,
  attack: (socket: Socket) => void,
): Promise<{ url: string; closeFrame: Promise<{ code: number; reason: string }> }> {
  let onClose!: (frame: { code: number; reason: string }) => void;
  const closeFrame = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key: *(\S+)/i.exec(buffered.subarray(0, end).toString())?.[1] ?? '';
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        attack(socket);
      }
      // The client's frames are masked: unmask the close frame's payload.
      if (buffered.length >= 6 && ((buffered[0] as number) & 0x0f) === 0x8) {
        const length = (buffered[1] as number) & 0x7f;
        if (buffered.length < 6 + length) return;
        const key = buffered.subarray(2, 6);
        const payload = Buffer.from(buffered.subarray(6, 6 + length).map((byte, i) => byte ^ (key[i % 4] as number)));
        onClose({ code: payload.readUInt16BE(0), reason: payload.subarray(2).toString() });
      }
    });
  });
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`, closeFrame };
}

/** An unmasked server frame. */
function serverFrame(opcode: number, payload: Buffer, fin: boolean, declaredLength?: bigint): Buffer {
  return clientFrame(opcode, payload, { fin, mask: false, declaredLength });
}

const REASON = /^message too big: at least (\d+) bytes, over the limit of 1048576 bytes \(maxPayload\)$/;

test('a client refuses a 1 GiB frame from its header: close 1009 with the size and the limit, both ends', async (t) => {
  const { url, closeFrame } = await hostileServer(t, (socket) => {
    socket.write(serverFrame(0x2, Buffer.alloc(16), true, 1n << 30n)); // announces 1 GiB, sends 16 bytes
  });
  const conn = await connectToWebsocket(url);
  const { code, reason } = await closedWith(conn);
  assert.equal(code, 1009);
  assert.equal(REASON.exec(reason)?.[1], String(2 ** 30));
  const sent = await closeFrame;
  assert.equal(sent.code, 1009);
  assert.match(sent.reason, REASON);
});

test('a message whose fragments never end is refused once it passes the limit, and memory stays bounded', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const rssBefore = process.memoryUsage().rss;
  const { url, closeFrame } = await hostileServer(t, (socket) => {
    socket.write(serverFrame(0x1, chunk, false));
    const more = (): void => {
      // Continuation frames, never FIN, until the client closes (bounded: 64 MiB at most).
      while (!socket.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!socket.write(serverFrame(0x0, chunk, false))) return void socket.once('drain', more);
      }
    };
    more();
  });
  const conn = await connectToWebsocket(url);
  const { code, reason } = await closedWith(conn);
  assert.equal(code, 1009);
  const size = Number(REASON.exec(reason)?.[1]);
  assert.ok(size > DEFAULT_MAX_PAYLOAD && size <= DEFAULT_MAX_PAYLOAD + chunk.length, `the size named is the message's so far: ${reason}`);
  assert.equal((await closeFrame).code, 1009);
  assert.ok(process.memoryUsage().rss - rssBefore < 48 * 1024 * 1024, 'the client did not buffer the endless message');
});

test('maxPayload on the client: a smaller limit applies, and a bad value is named', async (t) => {
  const { url } = await startServer(t, (conn) => void conn.sendMessage('x'.repeat(2000)));
  const conn = await connectToWebsocket(url, { maxPayload: 1000 });
  const { code, reason } = await closedWith(conn);
  assert.equal(code, 1009);
  assert.match(reason, /at least 2000 bytes, over the limit of 1000 bytes/);
  await assert.rejects(connectToWebsocket(url, { maxPayload: '5' as unknown as number }), /maxPayload must be a whole number of bytes, at least 1, got "5"/);
});

test('the server names the size and the limit in its 1009 too', async (t) => {
  const { url } = await startServer(t, undefined, { maxPayload: 100 });
  const conn = await connectToWebsocket(url);
  void conn.sendMessage('y'.repeat(500));
  const { code, reason } = await closedWith(conn);
  assert.equal(code, 1009);
  assert.match(reason, /^message too big: at least 500 bytes, over the limit of 100 bytes \(maxPayload\)$/);
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { connectToWebsocket } from '../src/index.js';
import { clientFrame, rawSocket, rawWebSocket, RawPeer, startServer, upgradeRequest, waitFor } from './helpers.js';

/**
 * Fuzzing over raw TCP on loopback: malformed handshakes, protocol violations with a known close code,
 * and random bytes, a bounded number of each, a few sockets at a time, while a healthy client keeps
 * talking to the same server. Set COROWS_FUZZ_SEED to replay a run.
 */
const SEED = Number(process.env.COROWS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_PAYLOAD = 64 * 1024;
const CONCURRENCY = 8;

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const random = prng(SEED);
const int = (n: number): number => Math.floor(random() * n);
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
const text = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => String.fromCharCode(32 + int(90))).join(''));
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

/** Byte sequences that are never valid UTF-8. */
const BAD_UTF8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]].map((b) => Buffer.from(b));

function invalidUtf8(): Buffer {
  return Buffer.concat([text(int(20)), pick(BAD_UTF8), text(int(20))]);
}

function closeBody(code: number, reason: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return Buffer.concat([body, reason]);
}

/** A protocol violation after a valid handshake, and the close code RFC 6455 asks for. */
interface Violation {
  name: string;
  bytes: () => Buffer;
  code: 1002 | 1007 | 1009;
}

const VIOLATIONS: Violation[] = [
  { name: 'text frame with invalid UTF-8', code: 1007, bytes: () => clientFrame(0x1, invalidUtf8()) },
  { name: 'invalid UTF-8 split across fragments', code: 1007, bytes: () => Buffer.concat([clientFrame(0x1, Buffer.from([0x61, 0xe2]), { fin: false }), clientFrame(0x0, Buffer.from([0x28, 0xa1]))]) },
  { name: 'close frame with an invalid UTF-8 reason', code: 1007, bytes: () => clientFrame(0x8, closeBody(1000, invalidUtf8().subarray(0, 100))) },
  { name: 'unmasked client frame', code: 1002, bytes: () => clientFrame(0x1, text(1 + int(50)), { mask: false }) },
  { name: 'reserved data opcode', code: 1002, bytes: () => clientFrame(3 + int(5), bytes(int(30))) },
  { name: 'reserved control opcode', code: 1002, bytes: () => clientFrame(0xb + int(5), bytes(int(30))) },
  { name: 'RSV bits without an extension', code: 1002, bytes: () => clientFrame(0x1, text(10), { rsv: 1 + int(7) }) },
  { name: 'control frame over 125 bytes', code: 1002, bytes: () => clientFrame(0x9, bytes(126 + int(100))) },
  { name: 'fragmented control frame', code: 1002, bytes: () => clientFrame(0x9, bytes(int(10)), { fin: false }) },
  { name: 'continuation without a start', code: 1002, bytes: () => clientFrame(0x0, text(10)) },
  { name: 'new message inside a fragmented one', code: 1002, bytes: () => Buffer.concat([clientFrame(0x1, text(5), { fin: false }), clientFrame(0x2, bytes(5))]) },
  { name: 'close frame with a forbidden code', code: 1002, bytes: () => clientFrame(0x8, closeBody(pick([0, 999, 1004, 1005, 1006, 1015, 2000, 5000]))) },
  { name: 'close frame with a 1-byte body', code: 1002, bytes: () => clientFrame(0x8, Buffer.from([3])) },
  { name: 'huge 64-bit length header', code: 1009, bytes: () => clientFrame(0x2, Buffer.alloc(0), { declaredLength: 2n ** 40n + BigInt(int(1000)) }) },
  { name: 'length past 2^53', code: 1009, bytes: () => clientFrame(0x2, Buffer.alloc(0), { declaredLength: 2n ** 63n + BigInt(int(1000)) }) },
  { name: 'message over maxPayload', code: 1009, bytes: () => clientFrame(0x2, Buffer.alloc(0), { declaredLength: BigInt(MAX_PAYLOAD + 1 + int(1000)) }) },
  { name: 'fragments adding up past maxPayload', code: 1009, bytes: () => Buffer.concat([clientFrame(0x2, bytes(MAX_PAYLOAD - 10), { fin: false }), clientFrame(0x0, bytes(20))]) },
];

/** Handshakes that are not WebSocket handshakes: the server must answer with an HTTP error or hang up. */
const BROKEN_HANDSHAKES: [string, () => Buffer][] = [
  ['a malformed key', () => Buffer.from(upgradeRequest('/', { 'Sec-WebSocket-Key': 'not-a-key' }))],
  ['an unknown version', () => Buffer.from(upgradeRequest('/', { 'Sec-WebSocket-Version': pick(['0', '7', '9', '12', '14', 'x']) }))],
  ['a method other than GET', () => Buffer.from(upgradeRequest('/').replace('GET', pick(['POST', 'PUT', 'DELETE'])))],
  ['no key', () => Buffer.from(upgradeRequest('/').replace(/Sec-WebSocket-Key: .*\r\n/, ''))],
  ['another Upgrade', () => Buffer.from(upgradeRequest('/', { Upgrade: 'h2c' }))],
  ['a malformed subprotocol list', () => Buffer.from(upgradeRequest('/', { 'Sec-WebSocket-Protocol': ',,,bad protocol,' }))],
  ['a huge header', () => Buffer.from(upgradeRequest('/', { 'X-Huge': 'h'.repeat(20_000) }))],
  ['an unknown HTTP version', () => Buffer.from(upgradeRequest('/').replace('HTTP/1.1', 'HTTP/9.9'))],
  ['a truncated request', () => Buffer.from(upgradeRequest('/').slice(0, 10 + int(60)))],
  ['garbage headers', () => Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), bytes(10 + int(200)), Buffer.from('\r\n\r\n')])],
  ['random bytes', () => bytes(1 + int(300))],
];

/** Runs `cases` a few at a time. */
async function runBounded(cases: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < cases.length) await (cases[next++] as () => Promise<void>)();
  }));
}

async function ended(peer: RawPeer, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: the server did not close the socket (seed ${SEED})`)), 5_000);
  });
  try {
    await Promise.race([peer.ended, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Messages the server delivered to its handler. */
const delivered = new Set<string>();

async function violationCase(t: TestContext, port: number, violation: Violation): Promise<void> {
  const peer = await rawWebSocket(t, port);
  // A valid message pipelined in the same TCP write, before the violation, must still be delivered.
  const marker = int(2) === 0 ? `pipelined ${randomBytes(6).toString('hex')}` : undefined;
  const valid = marker === undefined ? Buffer.alloc(0) : clientFrame(0x1, Buffer.from(marker));
  peer.socket.write(Buffer.concat([valid, violation.bytes()]));
  await ended(peer, violation.name);
  assert.equal(peer.closeCode(), violation.code, `${violation.name}: close code (seed ${SEED})`);
  if (marker !== undefined) assert.ok(delivered.has(marker), `${violation.name}: the valid message before it was lost (seed ${SEED})`);
}

async function randomAfterHandshake(t: TestContext, port: number): Promise<void> {
  const peer = await rawWebSocket(t, port);
  const garbage = bytes(1 + int(2_000));
  peer.socket.end(garbage); // an incomplete frame would otherwise wait for more
  await ended(peer, 'random bytes after the handshake');
  const code = peer.closeCode();
  assert.ok(code === undefined || [1000, 1002, 1007, 1009].includes(code), `random bytes: close code ${code} (seed ${SEED})`);
}

async function brokenHandshake(t: TestContext, port: number, [name, make]: [string, () => Buffer]): Promise<void> {
  const peer = new RawPeer(await rawSocket(t, port));
  peer.socket.end(make());
  await ended(peer, `a handshake with ${name}`);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(peer.head)?.[1];
  assert.ok(status === undefined || (Number(status) >= 400 && Number(status) < 500), `a handshake with ${name} was answered ${peer.head.slice(0, 40)} (seed ${SEED})`);
}

test(`fuzz: malformed bytes over raw TCP never crash the server, get the right close codes, and never hurt a healthy client (seed ${SEED})`, async (t) => {
  const { server, url, port } = await startServer(t, (conn) => {
    conn.whenNewMsg((msg) => {
      if (typeof msg === 'string') delivered.add(msg);
      if (msg !== null) void conn.sendMessage(`echo: ${typeof msg === 'string' ? msg : `${msg.length} bytes`}`);
    });
  }, { maxPayload: MAX_PAYLOAD, handshakeTimeout: 2_000, closeTimeout: 1_000 });
  const errors: Error[] = [];
  server.on('error', (err) => errors.push(err));

  const healthy = await connectToWebsocket(url);
  t.after(() => healthy.close());
  let healthyRounds = 0;
  let fuzzing = true;
  const healthyLoop = (async () => {
    while (fuzzing) {
      const word = randomBytes(6).toString('hex');
      await healthy.sendMessage(word);
      assert.equal(await healthy.receiveMessage({ timeout: 5_000 }), `echo: ${word}`);
      healthyRounds++;
    }
  })();

  const cases: (() => Promise<void>)[] = [];
  for (const violation of VIOLATIONS) for (let i = 0; i < 6; i++) cases.push(() => violationCase(t, port, violation));
  for (let i = 0; i < 40; i++) cases.push(() => randomAfterHandshake(t, port));
  for (const broken of BROKEN_HANDSHAKES) for (let i = 0; i < 3; i++) cases.push(() => brokenHandshake(t, port, broken));
  for (let i = cases.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [cases[i], cases[j]] = [cases[j] as () => Promise<void>, cases[i] as () => Promise<void>];
  }
  try {
    await runBounded(cases);
  } finally {
    fuzzing = false;
    await healthyLoop;
  }

  assert.ok(healthyRounds > 0);
  assert.equal(healthy.state, 'OPEN');
  await waitFor(() => server.connections.size === 1, 'only the healthy connection to remain');
  assert.equal(server.metrics.connectionsOpen, 1);
  assert.deepEqual(errors, []);
  const closes = server.metrics.closes;
  for (const code of ['1002', '1007', '1009']) assert.ok((closes[code] ?? 0) > 0, `closes counted by code: ${JSON.stringify(closes)}`);
  const late = await connectToWebsocket(url);
  await late.close();
});

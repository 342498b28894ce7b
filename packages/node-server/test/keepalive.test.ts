import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket as WhatwgWebSocket } from 'undici';
import { WebSocket as WsClient, WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { connectToWebsocket, CorowsError, WebSocketConn, type NodeWebSocketLike, type WebSocketConstructor } from '../src/index.js';
import { startChildServer } from './child-server.js';
import { nextEvent, until } from './events.js';
import { deferred, nextConn, startServer } from './helpers.js';
import { startProxy } from './tcp-tools.js';

/** undici's WHATWG WebSocket drives corows' browser code path from Node. */
const browserLike = WhatwgWebSocket as unknown as WebSocketConstructor;

/** A plain `ws` server (not corows) that records what it receives; `handleProtocols` as given. */
async function startPlainServer(t: import('node:test').TestContext, handleProtocols?: (offered: Set<string>) => string | false) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...(handleProtocols ? { handleProtocols } : {}) });
  t.after(() => {
    for (const client of wss.clients) client.terminate();
    return new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: Array<{ data: string; binary: boolean }> = [];
  const sockets: WsSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data, binary) => received.push({ data: String(data), binary }));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, received, sockets };
}

const LIMIT = { timeout: 20_000 };

/** A quick heartbeat with a lenient timeout, for tests where the peer is alive (2 busy cores). */
const QUICK_ALIVE = { interval: 40, timeout: 500 };

/**
 * Freezes the peer of `conn` with `freeze()` and checks that `conn` declares it dead: closed with 1006
 * and a heartbeat reason, no sooner than `timeout` and within `interval + timeout` (plus slack for two
 * busy cores).
 */
async function expectDeclaredDead(conn: WebSocketConn, freeze: () => void, { interval, timeout }: { interval: number; timeout: number }): Promise<void> {
  const closed = nextEvent(conn, 'close');
  const frozenAt = Date.now();
  freeze();
  const [code, reason] = await closed;
  const elapsed = Date.now() - frozenAt;
  assert.equal(code, 1006);
  assert.match(reason, new RegExp(`^heartbeat timeout: no answer from the peer within ${timeout} ms`));
  assert.ok(elapsed >= timeout - 10 && elapsed < interval + timeout + 1500, `declared dead after ${elapsed} ms (bound ${interval + timeout} ms)`);
  assert.equal(conn.state, 'CLOSED');
  assert.equal(conn.closeCode, 1006);
}

/** Waits `ms` of real time: only to show that something does NOT happen within it. */
const quietFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('keepAlive, Node client (WebSocket pings)', () => {
  test('a frozen server (SIGSTOP) is declared dead within interval + timeout', LIMIT, async (t) => {
    const server = await startChildServer(t, 0, { KEEP_ALIVE: '0' });
    const conn = await connectToWebsocket(server.url, { keepAlive: { interval: 150, timeout: 150 } });
    t.after(() => conn.terminate());
    assert.match(String(await conn.receiveMessage()), /^hello from/);
    assert.equal(conn.heartbeat, 'protocol'); // once the keep-alive module has loaded, if this test runs first
    const ended = deferred<null>();
    conn.whenNewMsg((msg) => msg === null && ended.resolve(null));
    await expectDeclaredDead(conn, () => server.freeze(), { interval: 150, timeout: 150 });
    await ended.promise;
    assert.equal(await conn.receiveMessage(), null);
  });

  test('a ws socket wrapped once open (its TCP socket unknown) judges by pongs: kept while they come, dead when frozen', LIMIT, async (t) => {
    const server = await startChildServer(t, 0, { KEEP_ALIVE: '0' });
    const ws = new WsClient(server.url);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const conn = new WebSocketConn(ws as unknown as NodeWebSocketLike, { keepAlive: { interval: 150, timeout: 150 } });
    t.after(() => conn.terminate());
    assert.match(String(await conn.receiveMessage()), /^hello from/);
    assert.equal(conn.heartbeat, 'protocol'); // once the keep-alive module has loaded, if this test runs first
    await quietFor(600); // four rounds with nothing but pongs
    assert.equal(conn.state, 'OPEN');
    await expectDeclaredDead(conn, () => server.freeze(), { interval: 150, timeout: 150 });
  });

  test('a live, quiet server is never declared dead', LIMIT, async (t) => {
    const { url } = await startServer(t);
    const conn = await connectToWebsocket(url, { keepAlive: QUICK_ALIVE });
    t.after(() => conn.close());
    let pongs = 0;
    conn.on('pong', () => pongs++);
    await quietFor(300);
    assert.equal(conn.state, 'OPEN');
    assert.ok(pongs >= 3, `pongs: ${pongs}`);
  });
});

describe('keepAlive, server side', () => {
  test('the server drops a frozen client within interval + timeout', LIMIT, async (t) => {
    const { server, port } = await startServer(t, undefined, { keepAlive: { interval: 100, timeout: 100 }, closeTimeout: 100 });
    const proxy = await startProxy(t, port);
    const accepted = nextConn(server);
    const client = await connectToWebsocket(proxy.url);
    t.after(() => client.terminate());
    const conn = await accepted;
    assert.equal(conn.heartbeat, 'protocol');
    await expectDeclaredDead(conn, () => proxy.freeze(), { interval: 100, timeout: 100 });
    assert.equal(server.connections.size, 0);
  });

  test('a client that is not corows (plain ws) is kept alive by its automatic pongs and gets no message', LIMIT, async (t) => {
    const { server, url } = await startServer(t, undefined, { keepAlive: QUICK_ALIVE });
    const accepted = nextConn(server);
    const { WebSocket } = await import('ws');
    const plain = new WebSocket(url);
    t.after(() => plain.terminate());
    const messages: unknown[] = [];
    let pings = 0;
    plain.on('message', (data) => messages.push(data));
    plain.on('ping', () => pings++);
    const conn = await accepted;
    await quietFor(300);
    assert.equal(conn.state, 'OPEN');
    assert.ok(pings >= 3, `pings: ${pings}`);
    assert.deepEqual(messages, []);
  });

  // The server judges a client alive by any byte it reads after a ping (see ServerConn.bytesReceived).
  test('a client that never answers pings but sends messages is kept; once it goes quiet it is dropped', LIMIT, async (t) => {
    const { server, url } = await startServer(t, undefined, { keepAlive: { interval: 50, timeout: 200 } });
    const accepted = nextConn(server);
    const { WebSocket } = await import('ws');
    const mute = new WebSocket(url, { autoPong: false });
    t.after(() => mute.terminate());
    let pings = 0;
    mute.on('ping', () => pings++);
    const conn = await accepted;
    conn.whenNewMsg(() => undefined);
    const talking = setInterval(() => mute.send('still here'), 20);
    t.after(() => clearInterval(talking));
    await until('8 pings', () => pings >= 8);
    assert.equal(conn.state, 'OPEN', 'a client that sends data is alive, pong or not');
    clearInterval(talking);
    const [code, reason] = await nextEvent(conn, 'close');
    assert.equal(code, 1006);
    assert.match(reason, /^heartbeat timeout/);
  });

  test('a server connection still fires `pong` for the answers to its pings when listened to', LIMIT, async (t) => {
    const { server, url } = await startServer(t, undefined, { keepAlive: QUICK_ALIVE });
    const accepted = nextConn(server);
    const client = await connectToWebsocket(url, { keepAlive: false });
    t.after(() => client.close());
    const conn = await accepted;
    let pongs = 0;
    conn.on('pong', () => pongs++);
    await until('3 pongs', () => pongs >= 3);
    const answered = nextEvent(conn, 'pong');
    assert.equal(conn.ping(), true);
    await answered;
    assert.equal(conn.state, 'OPEN');
  });

  test('a WHATWG WebSocket that is not corows gets no heartbeat message either', LIMIT, async (t) => {
    const { server, url } = await startServer(t, undefined, { keepAlive: QUICK_ALIVE });
    const accepted = nextConn(server);
    const plain = new WhatwgWebSocket(url, ['chat']);
    t.after(() => plain.close());
    const messages: unknown[] = [];
    plain.onmessage = (ev) => messages.push(ev.data);
    const conn = await accepted;
    assert.equal(conn.protocol, 'chat');
    await quietFor(300);
    assert.equal(conn.state, 'OPEN');
    assert.deepEqual(messages, []);
  });
});

describe('keepAlive, browser code path (WHATWG WebSocket: corows heartbeat messages)', () => {
  test('with a corows server: heartbeats agreed, answered, never delivered; frozen server detected within ~2 intervals', LIMIT, async (t) => {
    const { server, port } = await startServer(t, undefined, { keepAlive: false, closeTimeout: 100 });
    const proxy = await startProxy(t, port);
    const accepted = nextConn(server);
    const conn = await connectToWebsocket(proxy.url, { keepAlive: { interval: 100, timeout: 100 }, webSocketImpl: browserLike });
    t.after(() => conn.terminate());
    const serverConn = await accepted;
    assert.equal(conn.heartbeat, 'message');
    assert.equal(conn.protocol, '');
    assert.equal(serverConn.protocol, '');
    const serverSaw: unknown[] = [];
    serverConn.on('message', (msg) => serverSaw.push(msg));
    let pongs = 0;
    conn.on('pong', () => pongs++);
    await quietFor(350);
    assert.ok(pongs >= 2, `pongs: ${pongs}`);
    await serverConn.sendMessage('from server');
    await conn.sendMessage('from browser');
    assert.equal(await conn.receiveMessage(), 'from server');
    assert.equal(await serverConn.receiveMessage(), 'from browser');
    assert.deepEqual(serverSaw, ['from browser'], 'heartbeats never reach the application');
    assert.equal(await conn.sendBinary(new Uint8Array(0)), null, 'an empty binary message is the application\'s');
    assert.equal((await serverConn.receiveMessage() as Uint8Array).byteLength, 0);

    // Frozen right after an answer: the next beat goes after the freeze, so the verdict takes at least `timeout`.
    await nextEvent(conn, 'pong');
    await expectDeclaredDead(conn, () => proxy.freeze(), { interval: 100, timeout: 100 });
  });

  test('application subprotocols still work, on both ends', LIMIT, async (t) => {
    const { server, url } = await startServer(t);
    const accepted = nextConn(server);
    const conn = await connectToWebsocket(url, { keepAlive: 100, protocols: ['chat', 'v2'], webSocketImpl: browserLike });
    t.after(() => conn.close());
    const serverConn: WebSocketConn = await accepted;
    assert.equal(conn.heartbeat, 'message');
    assert.equal(conn.protocol, 'chat');
    assert.equal(serverConn.protocol, 'chat');
  });

  test("the server's protocols option picks among the application's offers; the heartbeat rides along", LIMIT, async (t) => {
    const seen: Array<readonly string[]> = [];
    const { server, url } = await startServer(t, undefined, {
      protocols: ['v2', 'chat'],
      verify: (request) => {
        seen.push(request.protocols);
        return true;
      },
    });
    const accepted = nextConn(server);
    const conn = await connectToWebsocket(url, { keepAlive: 100, protocols: ['chat', 'v2'], webSocketImpl: browserLike });
    t.after(() => conn.close());
    const serverConn: WebSocketConn = await accepted;
    assert.deepEqual(seen, [['chat', 'v2']], 'verify sees only the application subprotocols');
    assert.equal(conn.heartbeat, 'message');
    assert.equal(conn.protocol, 'v2');
    assert.equal(serverConn.protocol, 'v2');
  });

  test('with a plain ws server that takes the first offer: no heartbeat, and it never receives one', LIMIT, async (t) => {
    const plain = await startPlainServer(t);
    const conn = await connectToWebsocket(plain.url, { keepAlive: 50, webSocketImpl: browserLike });
    t.after(() => conn.close());
    assert.equal(conn.heartbeat, 'off');
    assert.equal(conn.protocol, '', 'the decoy offer is not shown as a subprotocol');
    await conn.sendMessage('a');
    await quietFor(300);
    await conn.sendMessage('b');
    await until('the plain server receives b', () => plain.received.length >= 2);
    assert.deepEqual(plain.received, [{ data: 'a', binary: false }, { data: 'b', binary: false }]);
    assert.equal(conn.state, 'OPEN');
  });

  test('with a plain ws server that picks the application subprotocol: no heartbeat, protocol kept', LIMIT, async (t) => {
    const plain = await startPlainServer(t, (offered) => (offered.has('chat') ? 'chat' : false));
    const conn = await connectToWebsocket(plain.url, { keepAlive: 50, protocols: 'chat', webSocketImpl: browserLike });
    t.after(() => conn.close());
    assert.equal(conn.heartbeat, 'off');
    assert.equal(conn.protocol, 'chat');
    await quietFor(200);
    assert.deepEqual(plain.received, []);
  });

  test('without keepAlive, against a plain server that picks the first offer: the application\'s subprotocol, no heartbeat', LIMIT, async (t) => {
    const plain = await startPlainServer(t);
    const conn = await connectToWebsocket(plain.url, { protocols: ['chat'], webSocketImpl: browserLike });
    t.after(() => conn.close());
    assert.equal(conn.protocol, 'chat');
    assert.equal(plain.sockets[0]?.protocol, 'chat');
    assert.equal(conn.heartbeat, 'off');
  });
});

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import { WebSocket as WhatwgWebSocket } from 'undici';
import {
  CloseCode,
  ConnectError,
  ConnectionClosedError,
  connectToWebsocket,
  createWebsocketServer,
  OutboxFullError,
  type ReconnectCause,
  type WebSocketConn,
  type WebSocketConstructor,
} from '../src/index.js';
import { startChildServer } from './child-server.js';
import { nextEvent, until } from './events.js';
import { deferred, nextConn, startServer } from './helpers.js';
import { startProxy } from './tcp-tools.js';

const LIMIT = { timeout: 20_000 };

/** Quick retries for tests. */
const FAST = { initialDelay: 20, maxDelay: 200 };

/** A server on `port` (a fixed one, to come back where the client expects it), closed at the end. */
async function serverOn(t: import('node:test').TestContext, port: number, onConn?: (conn: WebSocketConn) => unknown) {
  const server = createWebsocketServer('127.0.0.1', port, { closeTimeout: 200 });
  if (onConn) server.whenNewConn(onConn);
  t.after(() => server.close('test over'));
  await server.listening;
  return server;
}

describe('reconnect', () => {
  test('the server process is killed mid-stream and restarted: offline sends arrive in order, no duplicates', LIMIT, async (t) => {
    const first = await startChildServer(t);
    const conn = await connectToWebsocket(first.url, { reconnect: FAST, keepAlive: 200 });
    t.after(() => conn.terminate());
    assert.match(String(await conn.receiveMessage()), /^hello from/);
    const handled: unknown[] = [];
    conn.whenNewMsg((msg) => handled.push(msg));
    const reconnecting: number[] = [];
    conn.on('reconnecting', (attempt) => reconnecting.push(attempt));

    let n = 0;
    const offline = new Map<number, Promise<Error | null>>();
    const send = (): Promise<Error | null> => {
      const i = ++n;
      const result = conn.sendMessage(String(i));
      if (conn.state !== 'OPEN') offline.set(i, result);
      return result;
    };

    // Mid-stream: messages keep going while the server dies.
    for (let i = 0; i < 20; i++) await send();
    await first.receivedCount(20);
    const streaming = (async () => {
      while (reconnecting.length === 0) {
        void send();
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await first.kill();
    await streaming;
    assert.equal(conn.state, 'CONNECTING');
    for (let i = 0; i < 5; i++) void send();
    await until('the handler has taken every echo of the first server', () => conn.queuedMessages === 0);
    const waitingReceive = conn.receiveMessage();

    const second = await startChildServer(t, first.port);
    await nextEvent(conn, 'open');
    assert.equal(conn.state, 'OPEN');
    void send();
    const sentInAll = n;

    assert.ok(offline.size >= 5, `${offline.size} sends made while down`);
    for (const [i, result] of offline) assert.equal(await result, null, `offline send ${i} was written after the reconnect`);
    // receiveMessage() waited across the reconnect (no null) and got the new server's first message.
    assert.equal(await waitingReceive, `hello from ${second.process.pid}`);
    assert.ok(!handled.includes(null), 'the handler never saw the end of the connection');

    await until('the new server receives the last message', () => second.received.at(-1) === String(sentInAll));
    const numbers = [...first.received, ...second.received].map(Number);
    for (let i = 1; i < numbers.length; i++) {
      assert.ok((numbers[i] as number) > (numbers[i - 1] as number), `in order, no duplicate: ${numbers[i - 1]} then ${numbers[i]}`);
    }
    for (const i of offline.keys()) assert.ok(second.received.includes(String(i)), `offline message ${i} reached the new server`);
    const firstOffline = Math.min(...offline.keys());
    assert.deepEqual(second.received.slice(0, sentInAll - firstOffline + 1).map(Number), numbers.filter((x) => x >= firstOffline));
  });

  test('backoff delays grow and are jittered; after maxAttempts the connection closes for good', LIMIT, async (t) => {
    const { server, url } = await startServer(t);
    const conn = await connectToWebsocket(url, { reconnect: { initialDelay: 40, factor: 2, maxDelay: 10_000, jitter: 0.5, maxAttempts: 4 } });
    const events: Array<[number, number, ReconnectCause]> = [];
    conn.on('reconnecting', (...args) => events.push(args));
    const errors: Error[] = [];
    conn.on('error', (err) => errors.push(err));
    const ended = nextEvent(conn, 'close');
    await server.close('going away');
    const offlineSend = conn.sendMessage('never sent');
    const [code, reason] = await ended;

    assert.deepEqual(events.map(([attempt]) => attempt), [1, 2, 3, 4]);
    assert.deepEqual(events[0]?.[2], { code: CloseCode.GoingAway, reason: 'going away' });
    assert.match(events[1]?.[2].reason ?? '', /ECONNREFUSED/);
    const delays = events.map(([, delay]) => delay);
    delays.forEach((delay, i) => {
      const full = 40 * 2 ** i;
      assert.ok(delay >= full / 2 && delay <= full, `attempt ${i + 1}: ${delay} ms within [${full / 2}, ${full}]`);
    });
    for (let i = 1; i < delays.length; i++) assert.ok((delays[i] as number) >= (delays[i - 1] as number), `delays grow: ${delays.join(', ')}`);
    assert.ok(delays.some((delay, i) => delay !== 40 * 2 ** i), `jittered: ${delays.join(', ')}`);
    assert.equal(errors.length, 4, 'each failed attempt is reported through the error event');

    assert.equal(code, CloseCode.GoingAway);
    assert.match(reason, /^gave up reconnecting after 4 attempts; the last failed with: .*ECONNREFUSED/);
    assert.equal(conn.state, 'CLOSED');
    assert.equal(await conn.receiveMessage(), null);
    assert.ok((await offlineSend) instanceof ConnectionClosedError);
  });

  test('close() while reconnecting stops for good: no more attempts, receives end, held sends fail', LIMIT, async (t) => {
    const { server, url } = await startServer(t);
    const conn = await connectToWebsocket(url, { reconnect: { initialDelay: 30, maxDelay: 30 } });
    let attempts = 0;
    conn.on('reconnecting', () => attempts++);
    const pending = conn.receiveMessage();
    const first = nextEvent(conn, 'reconnecting');
    await server.close();
    await first;
    const held = conn.sendMessage('held');
    await conn.close();
    assert.equal(conn.state, 'CLOSED');
    assert.equal(conn.closeCode, 1000);
    assert.equal(await pending, null);
    assert.ok((await held) instanceof ConnectionClosedError);
    const seen = attempts;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(attempts, seen, 'no attempt after close()');
  });

  test('the outbox is bounded: a send past maxOutbox resolves an OutboxFullError, the rest arrive in order', LIMIT, async (t) => {
    const { server, port, url } = await startServer(t);
    const conn = await connectToWebsocket(url, { reconnect: { ...FAST, maxOutbox: 2 } });
    t.after(() => conn.terminate());
    const down = nextEvent(conn, 'reconnecting');
    await server.close();
    await down;
    const kept = [conn.sendMessage('one'), conn.send({ two: 2 })];
    const refused = await conn.sendMessage('three');
    assert.ok(refused instanceof OutboxFullError, String(refused));
    assert.equal(refused.code, 'ERR_OUTBOX_FULL');

    const received: unknown[] = [];
    const all = deferred();
    await serverOn(t, port, (c) => c.whenNewMsg((msg) => {
      received.push(msg);
      if (received.length === 2) all.resolve();
    }));
    assert.deepEqual(await Promise.all(kept), [null, null]);
    await all.promise;
    assert.deepEqual(received, ['one', '{"two":2}']);
  });

  test('a close code that is not retryable ends the connection without reconnecting', LIMIT, async (t) => {
    const { server, url } = await startServer(t);
    const accepted = nextConn(server);
    const conn = await connectToWebsocket(url, { reconnect: FAST });
    let attempts = 0;
    conn.on('reconnecting', () => attempts++);
    const closed = nextEvent(conn, 'close');
    await (await accepted).close(CloseCode.PolicyViolation, 'banned');
    assert.deepEqual(await closed, [CloseCode.PolicyViolation, 'banned']);
    assert.equal(attempts, 0);
    assert.equal(await conn.receiveMessage(), null);
  });

  test('a heartbeat timeout reconnects, and messages already received stay in the inbox, in order', LIMIT, async (t) => {
    const { server, port } = await startServer(t, (conn) => void conn.sendMessage(`welcome ${server.connections.size}`), { closeTimeout: 100 });
    const proxy = await startProxy(t, port);
    const conn = await connectToWebsocket(proxy.url, { reconnect: FAST, keepAlive: { interval: 100, timeout: 100 } });
    t.after(() => conn.terminate());
    const reconnecting = nextEvent(conn, 'reconnecting');
    const reopened = nextEvent(conn, 'open');
    await until('the welcome is in the inbox', () => conn.queuedMessages === 1);
    proxy.freeze();
    const [attempt, , cause] = await reconnecting;
    assert.equal(attempt, 1);
    assert.equal(cause.code, 1006);
    assert.match(cause.reason, /^heartbeat timeout/);
    assert.equal(conn.state, 'CONNECTING');
    await reopened;
    assert.equal(await conn.receiveMessage(), 'welcome 1');
    assert.match(String(await conn.receiveMessage()), /^welcome \d$/);
  });

  test('an attempt answered with HTTP 403 is not retried: the connection closes for good', LIMIT, async (t) => {
    const { server, port, url } = await startServer(t);
    const conn = await connectToWebsocket(url, { reconnect: FAST });
    const errors: Error[] = [];
    conn.on('error', (err) => errors.push(err));
    const closed = nextEvent(conn, 'close');
    await server.close('restarting');
    const refusing = createServer((_req, res) => res.writeHead(403).end());
    refusing.on('upgrade', (_req, socket: Duplex) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    t.after(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
    await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', resolve));
    const [code, reason] = await closed;
    assert.equal(code, CloseCode.GoingAway);
    assert.match(reason, /^gave up reconnecting: could not connect to .*: the server answered HTTP 403/);
    const last = errors.at(-1);
    assert.ok(last instanceof ConnectError && last.status === 403, String(last));
  });

  test('browser code path (WHATWG WebSocket): reconnects after a server restart and sends what was queued, in order', LIMIT, async (t) => {
    const { server, port, url } = await startServer(t, undefined, { closeTimeout: 100 });
    const conn = await connectToWebsocket(url, {
      reconnect: FAST,
      keepAlive: 200,
      webSocketImpl: WhatwgWebSocket as unknown as WebSocketConstructor,
    });
    t.after(() => conn.terminate());
    assert.equal(conn.heartbeat, 'message');
    const down = nextEvent(conn, 'reconnecting');
    await server.close();
    await down;
    const queued = ['q1', 'q2', 'q3'].map((text) => conn.sendMessage(text));
    const received: unknown[] = [];
    const all = deferred();
    const reopened = nextEvent(conn, 'open');
    await serverOn(t, port, (c) => {
      void c.sendMessage('welcome back');
      c.whenNewMsg((msg) => {
        received.push(msg);
        if (received.length === 3) all.resolve();
      });
    });
    await reopened;
    assert.deepEqual(await Promise.all(queued), [null, null, null]);
    await all.promise;
    assert.deepEqual(received, ['q1', 'q2', 'q3']);
    assert.equal(await conn.receiveMessage(), 'welcome back');
    assert.equal(conn.heartbeat, 'message');
  });

  test('a refused first connect rejects at once, even with reconnect', LIMIT, async (t) => {
    const { server, url } = await startServer(t);
    await server.close();
    await assert.rejects(connectToWebsocket(url, { reconnect: true }), /ECONNREFUSED/);
  });
});

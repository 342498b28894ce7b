import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { connectToWebsocket, type WebSocketConn } from '@corows/core';
import WebSocket, { WebSocketServer } from 'ws';
import type { ServerConn } from '../src/index.js';
import { deferred, startServer, waitFor } from './helpers.js';
import { startProxy } from './tcp-tools.js';
import { ChaosProxy } from './support/chaos-proxy.js';

const LIMIT = { timeout: 30_000 };
const FAST = { initialDelay: 5, maxDelay: 20, maxAttempts: 200 };

/** A hand-written protocol peer: `ws` with a routing id, speaking §5 by hand (and never acknowledging). */
async function rawPeer(t: TestContext, url: string, id: string): Promise<{ ws: WebSocket; frames: unknown[]; texts: string[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${url}/?corows_session=${id}`, { headers: { 'Corows-Protocol': '1' } });
  t.after(() => ws.terminate());
  const frames: unknown[] = [];
  const texts: string[] = [];
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    if (text.startsWith('\u0000')) frames.push(JSON.parse(text.slice(1)));
    else texts.push(text);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames, texts, closed };
}

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

test('a session carries numbered messages both ways across links cut at random (FIN, RST, black hole, mid-handshake): none lost, duplicated or reordered', LIMIT, async (t) => {
  const TOTAL = 3000;
  const conns: ServerConn[] = [];
  const serverGot: number[] = [];
  let serverSawNull = false;
  const serverDone = deferred();
  const { port } = await startServer(t, async (conn) => {
    conns.push(conn);
    void (async () => {
      for (let i = 1; i <= TOTAL; i += 1) {
        await conn.sendMessage(`s${i}`);
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    while (serverGot.length < TOTAL) {
      const msg = await conn.receiveMessage();
      if (msg === null) {
        serverSawNull = true;
        return;
      }
      serverGot.push(Number(String(msg).slice(1)));
    }
    serverDone.resolve();
  }, { resume: true, keepAlive: { interval: 100, timeout: 100 } });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  // Links are cut every 40 ms, so none lives to `stableAfter`: each reconnect counts as one more failed attempt.
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: { ...FAST, maxAttempts: 100_000 }, keepAlive: { interval: 100, timeout: 100 } });
  t.after(() => client.terminate());
  const gaveUp = new Promise<never>((_, reject) => client.once('close', (code, reason) => reject(new Error(`the client closed: ${code} ${reason} (seed ${SEED})`))));
  gaveUp.catch(() => undefined); // the race below reports it; after the test, the close is ours
  assert.notEqual(client.session, null, 'the server offered a session');
  let resumed = 0;
  client.on('resumed', () => (resumed += 1));
  let resets = 0;
  client.on('reset', () => (resets += 1));
  const clientGot: number[] = [];
  const clientDone = deferred();
  client.whenNewMsg((msg) => {
    if (msg === null) return;
    clientGot.push(Number(String(msg).slice(1)));
    if (clientGot.length === TOTAL) clientDone.resolve();
  });
  const run = proxy.cutRandomly({ seed: SEED, everyMs: 40, modes: ['fin', 'rst', 'blackhole'], handshakeFaults: 0.2 });
  t.after(() => run.stop());
  for (let i = 1; i <= TOTAL; i += 1) {
    await client.sendMessage(`c${i}`);
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.race([Promise.all([serverDone.promise, clientDone.promise]), gaveUp]);
  run.stop();
  const cuts = run.log.length;
  assert.ok(cuts >= 5, `links were cut (${cuts}; seed ${SEED})`);
  assert.ok(resumed >= 3, `the client resumed (${resumed})`);
  assert.equal(resets, 0);
  assert.deepEqual(serverGot, Array.from({ length: TOTAL }, (_, i) => i + 1));
  assert.deepEqual(clientGot, Array.from({ length: TOTAL }, (_, i) => i + 1));
  assert.equal(conns.length, 1, 'one whenNewConn for the session');
  assert.equal(serverSawNull, false);
  client.terminate();
});

test('while the client is away the server connection waits (CONNECTING), holds its sends, and both ends emit resumed', LIMIT, async (t) => {
  const { server, port } = await startServer(t, undefined, { resume: true, keepAlive: false });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const first = deferred<ServerConn>();
  let conns = 0;
  server.whenNewConn((conn) => {
    conns += 1;
    first.resolve(conn);
  });
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  const conn = await first.promise;
  assert.equal(conn.session?.id, client.session?.id, 'both ends name the same session');
  assert.match(String(client.session?.id), /^[A-Za-z0-9_-]{22}$/);
  proxy.failNewLinks('refuse');
  proxy.cut('rst');
  await waitFor(() => conn.state === 'CONNECTING', 'the server connection to wait');
  assert.equal(await conn.sendMessage('held by the server'), null);
  assert.equal(await client.sendMessage('held by the client'), null);
  const serverResumed = new Promise<void>((resolve) => conn.once('resumed', resolve));
  const clientResumed = new Promise<void>((resolve) => client.once('resumed', resolve));
  await proxy.acceptNewLinks();
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'held by the server');
  assert.equal(await conn.receiveMessage({ timeout: 5000 }), 'held by the client');
  await Promise.all([serverResumed, clientResumed]);
  assert.equal(conn.state, 'OPEN');
  assert.equal(conns, 1);
  assert.equal(client.session?.resumes, 1);
  client.terminate();
});

test('a window that passes ends the session: the server connection closes with the reason; the client resets and goes on as a new session', LIMIT, async (t) => {
  const { server, port } = await startServer(t, undefined, { resume: { window: 150 }, keepAlive: false });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const conns: ServerConn[] = [];
  server.whenNewConn((conn) => void conns.push(conn));
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  await waitFor(() => conns.length === 1, 'the first connection');
  const firstId = client.session?.id;
  const old = conns[0] as ServerConn;
  proxy.failNewLinks('refuse');
  proxy.cut('fin');
  await client.sendMessage('sent while away, in the old session');
  const ended = await new Promise<{ code: number; reason: string }>((resolve) => old.once('close', (code, reason) => resolve({ code, reason })));
  assert.equal(ended.code, 1006);
  assert.match(ended.reason, /session expired: the client did not come back within 150 ms/);
  assert.equal(await old.receiveMessage(), null, 'its coroutine gets null');
  const reset = new Promise<[string, number]>((resolve) => client.once('reset', (reason, missing) => resolve([reason, missing])));
  await proxy.acceptNewLinks();
  const [reason, missing] = await reset;
  assert.match(reason, /session expired/);
  assert.equal(missing, 1, 'the message sent while away may be missing');
  await waitFor(() => conns.length === 2, 'a new session on the server');
  await waitFor(() => client.session !== null, 'the new session on the client');
  assert.notEqual(client.session?.id, firstId, 'a new routing id');
  await client.sendMessage('new session');
  assert.equal(await (conns[1] as ServerConn).receiveMessage({ timeout: 5000 }), 'new session');
  assert.equal(server.connections.size, 1, 'the old session is gone');
  client.terminate();
});

test('a peer that never acknowledges ends the session at the bound: 1008 with the reason, memory bounded', LIMIT, async (t) => {
  const first = deferred<ServerConn>();
  const { url } = await startServer(t, (conn) => first.resolve(conn), { resume: { maxUnacked: 10 }, keepAlive: false });
  const peer = await rawPeer(t, url, 'A'.repeat(22));
  peer.ws.send(`\u0000${JSON.stringify({ t: 'hello' })}`);
  const conn = await first.promise;
  const results: (Error | null)[] = [];
  for (let i = 0; i < 11; i += 1) results.push(await conn.sendMessage(`m${i}`));
  assert.deepEqual(results.slice(0, 10), Array(10).fill(null));
  assert.match(String(results[10]), /session bound exceeded: more than 10 messages unacknowledged/);
  const closed = await new Promise<{ code: number; reason: string }>((resolve) => conn.once('close', (code, reason) => resolve({ code, reason })));
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /session bound exceeded/);
  const seen = await peer.closed;
  assert.equal(seen.code, 1008);
  assert.equal(peer.texts.length, 10);
  assert.deepEqual((peer.frames as { t: string }[]).map((frame) => frame.t), ['welcome', 'refused']);
});

test('a wrong or borrowed secret is refused and the real session goes on untouched', LIMIT, async (t) => {
  const { server, port, url } = await startServer(t, undefined, { resume: true, keepAlive: false });
  const conns: ServerConn[] = [];
  server.whenNewConn((conn) => void conns.push(conn));
  const client = await connectToWebsocket(`ws://127.0.0.1:${port}`, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  await waitFor(() => conns.length === 1, 'the session');
  const id = client.session?.id as string;
  let resumed = 0;
  (conns[0] as ServerConn).on('resumed', () => (resumed += 1));
  const other = await rawPeer(t, url, 'B'.repeat(22));
  other.ws.send(`\u0000${JSON.stringify({ t: 'hello' })}`);
  await waitFor(() => other.frames.length === 1, 'the other session');
  const borrowed = (other.frames[0] as { secret: string }).secret;
  for (const hello of [{ t: 'hello', secret: 'x'.repeat(22), received: 0 }, { t: 'hello', secret: borrowed, received: 0 }, { t: 'hello' }]) {
    const attacker = await rawPeer(t, url, id);
    attacker.ws.send(`\u0000${JSON.stringify(hello)}`);
    const closed = await attacker.closed;
    assert.equal(closed.code, 1008);
    const refused = attacker.frames[0] as { t: string; code: string };
    assert.equal(refused.t, 'refused');
    assert.equal(refused.code, hello.secret === undefined ? 'in-use' : 'secret');
  }
  await client.sendMessage('still here');
  assert.equal(await (conns[0] as ServerConn).receiveMessage({ timeout: 5000 }), 'still here');
  await (conns[0] as ServerConn).sendMessage('and here');
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'and here');
  assert.equal(resumed, 0);
  assert.equal(conns.length, 2, 'the real session and the other one only');
  client.terminate();
});

test('verify runs on every link of a session, resumes included', LIMIT, async (t) => {
  let verified = 0;
  const { server, port } = await startServer(t, undefined, { resume: true, keepAlive: false, verify: () => (verified += 1) > 0 });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const first = deferred<ServerConn>();
  server.whenNewConn((conn) => first.resolve(conn));
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  const conn = await first.promise;
  for (let cut = 1; cut <= 3; cut += 1) {
    const resumed = new Promise<void>((resolve) => conn.once('resumed', resolve));
    proxy.cut('rst');
    await resumed;
  }
  assert.equal(verified, 4);
  client.terminate();
});

test('a plain ws client gets plain WebSocket behaviour from a resume server', LIMIT, async (t) => {
  const { url } = await startServer(t, async (conn) => {
    for await (const msg of conn) await conn.sendMessage(`echo ${String(msg)}`);
  }, { resume: true });
  const ws = new WebSocket(url);
  t.after(() => ws.terminate());
  await new Promise((resolve) => ws.once('open', resolve));
  const answer = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
  ws.send('hi');
  assert.equal(await answer, 'echo hi');
});

test('a client that closes ends its session at once; a server that closes ends it too', LIMIT, async (t) => {
  const { server, url } = await startServer(t, undefined, { resume: true, keepAlive: false });
  const conns: ServerConn[] = [];
  server.whenNewConn((conn) => void conns.push(conn));
  const client = await connectToWebsocket(url, { resume: true, reconnect: FAST });
  await waitFor(() => conns.length === 1, 'the session');
  const serverSide = conns[0] as ServerConn;
  const serverClosed = new Promise<number>((resolve) => serverSide.once('close', (code) => resolve(code)));
  await client.close(1000, 'bye');
  assert.equal(await serverClosed, 1000);
  assert.equal(serverSide.state, 'CLOSED');
  const second = await connectToWebsocket(url, { resume: true, reconnect: FAST });
  await waitFor(() => conns.length === 2, 'the second session');
  const secondClosed = new Promise<number>((resolve) => second.once('close', (code) => resolve(code)));
  await (conns[1] as ServerConn).close(4000, 'done');
  assert.equal(await secondClosed, 4000, 'the client does not try to resume a session the server closed');
});

test('a link gone silent (a black hole) is found by the heartbeat and the session resumes on a new link', LIMIT, async (t) => {
  const { server, port } = await startServer(t, undefined, { resume: true, keepAlive: { interval: 100, timeout: 100 } });
  const proxy = await startProxy(t, port);
  const first = deferred<ServerConn>();
  server.whenNewConn((conn) => first.resolve(conn));
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: FAST, keepAlive: { interval: 100, timeout: 100 } });
  const conn = await first.promise;
  proxy.freeze();
  await conn.sendMessage('across the black hole');
  await client.sendMessage('the other way');
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'across the black hole');
  assert.equal(await conn.receiveMessage({ timeout: 5000 }), 'the other way');
  assert.equal(client.session?.resumes, 1);
  client.terminate();
});

test('resume against a plain WebSocket server: a plain reconnecting connection, conn.session null, nothing corows on the wire', LIMIT, async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.after(() => {
    for (const ws of wss.clients) ws.terminate();
    return new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const seen: string[] = [];
  wss.on('connection', (ws, req) => {
    seen.push(String(req.url));
    ws.on('message', (data) => ws.send(`echo ${String(data)}`));
  });
  const client = await connectToWebsocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  assert.equal(client.session, null);
  await client.sendMessage('\u0000hi');
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'echo \u0000hi', 'not escaped, no hello before it');
  const reopened = new Promise<void>((resolve) => client.once('open', resolve));
  for (const ws of wss.clients) ws.terminate();
  await reopened;
  await client.sendMessage('again');
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'echo again');
  assert.equal(client.session, null);
  assert.doesNotMatch(seen.slice(1).join(' '), /corows_session/, 'after the first link, no routing id either');
  client.terminate();
});

test('resume against a corows server without resume: refused (disabled), a plain reconnecting connection that still speaks corows', LIMIT, async (t) => {
  const { url } = await startServer(t, async (conn) => {
    conn.whenRequest((value) => `re: ${String(value)}`);
    for await (const msg of conn) await conn.sendMessage(`echo ${String(msg)}`);
  });
  const client = await connectToWebsocket(url, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  assert.equal(client.session, null);
  await client.sendMessage('hi');
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'echo hi', 'the hello never reached the application');
  assert.equal(await client.request('q'), 're: q');
  client.terminate();
});

test('requests and replies are units of the session: a reply in flight when the link drops arrives after the resume', LIMIT, async (t) => {
  const { server, port } = await startServer(t, undefined, { resume: true, keepAlive: false });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const asked = deferred<(reply: string) => void>();
  server.whenNewConn((conn) => {
    conn.whenRequest((value) => new Promise<string>((resolve) => asked.resolve((reply) => resolve(`${String(value)} → ${reply}`))));
  });
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: FAST });
  const reply = client.request('question', { timeout: 10_000 });
  const answer = await asked.promise;
  await proxy.failNewLinks('refuse');
  proxy.cut('rst');
  await waitFor(() => client.state === 'CONNECTING', 'the client to notice');
  answer('answer given while the client was away');
  await proxy.acceptNewLinks();
  assert.equal(await reply, 'question → answer given while the client was away');
  client.terminate();
});

test('a server whose bound is exceeded on a live link ends the session; the client resets with the reason and goes on', LIMIT, async (t) => {
  const conns: ServerConn[] = [];
  const { url } = await startServer(t, (conn) => {
    conns.push(conn);
    const burst = (): void => {
      for (let i = 1; i <= 6; i += 1) void conn.sendMessage(`m${i}`); // in one tick: no ack can come between
    };
    if (conns.length === 1) setTimeout(burst, 50); // once the client listens for reset
  }, { resume: { maxUnacked: 5 }, keepAlive: false });
  const client = await connectToWebsocket(url, { resume: true, reconnect: FAST });
  t.after(() => client.terminate());
  const firstId = client.session?.id;
  const [reason, missing] = await new Promise<[string, number]>((resolve) => client.once('reset', (r, m) => resolve([r, m])));
  assert.match(reason, /session bound exceeded: more than 5 messages unacknowledged/);
  assert.equal(missing, 0);
  const first = conns[0] as ServerConn;
  await waitFor(() => first.state === 'CLOSED', 'the first session to end');
  assert.equal(first.closeCode, 1008);
  await waitFor(() => conns.length === 2 && client.session !== null, 'the new session');
  assert.notEqual(client.session?.id, firstId);
  await client.sendMessage('on the new session');
  assert.equal(await (conns[1] as ServerConn).receiveMessage({ timeout: 5000 }), 'on the new session');
  client.terminate();
});

test('a resume drops the session’s old link if the server still has it (half-open)', LIMIT, async (t) => {
  const { server, port } = await startServer(t, undefined, { resume: true, keepAlive: false });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const first = deferred<ServerConn>();
  server.whenNewConn((conn) => first.resolve(conn));
  const client = await connectToWebsocket(proxy.url, { resume: true, reconnect: FAST, keepAlive: { interval: 100, timeout: 100 } });
  const conn = await first.promise;
  const socketOf = (c: ServerConn): WebSocket => (c as unknown as { link: { socket: WebSocket } }).link.socket; // test-only peek
  const old = socketOf(conn);
  const resumed = new Promise<void>((resolve) => conn.once('resumed', resolve));
  proxy.cut('blackhole'); // the server, without a heartbeat, never notices
  await resumed;
  assert.notEqual(socketOf(conn), old);
  await waitFor(() => old.readyState === WebSocket.CLOSED, 'the old socket to be dropped');
  await conn.sendMessage('on the new link');
  assert.equal(await client.receiveMessage({ timeout: 5000 }), 'on the new link');
  client.terminate();
});

test('in a session, a malformed control message is refused, never taken: the link closes with 1002 and the reason, and the application never sees it', LIMIT, async (t) => {
  const conns: ServerConn[] = [];
  const { url } = await startServer(t, (conn) => void conns.push(conn), { resume: true, keepAlive: false });
  const cases = [
    ['\u0000not json', /corows protocol: a control message is not JSON/],
    ['\u0000{"n":1}', /corows protocol: a control message is not a JSON object with a string "t"/],
    ['\u0000["req"]', /corows protocol: a control message is not a JSON object with a string "t"/],
  ] as const;
  for (const [index, [bad, expected]] of cases.entries()) {
    const peer = await rawPeer(t, url, String.fromCharCode(65 + index).repeat(22));
    peer.ws.send(`\u0000${JSON.stringify({ t: 'hello' })}`);
    await waitFor(() => peer.frames.length === 1 && conns.length === index + 1, 'the welcome');
    const conn = conns[index] as ServerConn;
    const seen: unknown[] = [];
    conn.on('message', (msg) => seen.push(msg));
    const errors: { code?: string; message: string }[] = [];
    conn.on('error', (err) => errors.push(err as { code?: string; message: string }));
    peer.ws.send('before');
    peer.ws.send(bad);
    peer.ws.send('after');
    const closed = await peer.closed;
    assert.equal(closed.code, 1002, `${JSON.stringify(bad)}: closed with 1002`);
    assert.match(closed.reason, expected);
    assert.equal(errors[0]?.code, 'ERR_PROTOCOL', `${JSON.stringify(bad)}: reported through the error event`);
    assert.match(errors[0]?.message ?? '', expected);
    // What arrived with it may still be delivered before the link closes (the control plane's module loads on first use).
    assert.deepEqual(seen.filter((msg) => msg !== 'after'), ['before'], `${JSON.stringify(bad)}: the application never saw it`);
  }
});

test('in a session, only requests, replies and cancels count as units among control messages: a type this end does not know is ignored, not counted', LIMIT, async (t) => {
  const first = deferred<ServerConn>();
  const { url } = await startServer(t, (conn) => first.resolve(conn), { resume: true, keepAlive: false });
  const peer = await rawPeer(t, url, 'F'.repeat(22));
  peer.ws.send(`\u0000${JSON.stringify({ t: 'hello', maxUnacked: 4, maxUnackedBytes: 1 << 20 })}`); // acknowledged one by one
  const conn = await first.promise;
  peer.ws.send(`\u0000${JSON.stringify({ t: 'later-version', n: 1 })}`); // PROTOCOL.md §6: ignored by an end that does not know it
  peer.ws.send('m1');
  peer.ws.send('m2');
  assert.equal(await conn.receiveMessage({ timeout: 5000 }), 'm1');
  assert.equal(await conn.receiveMessage({ timeout: 5000 }), 'm2');
  await conn.sendMessage('done'); // written after the acknowledgement of m2
  await waitFor(() => peer.texts.includes('done'), 'the server’s message');
  const counts = (peer.frames as { t: string; n?: number }[]).filter((frame) => frame.t === 'ack').map((frame) => frame.n ?? -1);
  assert.equal(Math.max(...counts), 2, `the server counts the peer's 2 units, never more: acks ${JSON.stringify(counts)}`);
  assert.equal(conn.state, 'OPEN');
});

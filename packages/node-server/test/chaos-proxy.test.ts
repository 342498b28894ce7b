import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { ConnectError, connectToWebsocket, type ServerConn } from '../src/index.js';
import { nextEvent } from './events.js';
import { closed, deferred, nextConn, startServer, waitFor } from './helpers.js';
import { ChaosProxy } from './support/chaos-proxy.js';

const LIMIT = { timeout: 20_000 };
const FAST = { initialDelay: 20, maxDelay: 100 };

function echo(conn: ServerConn): void {
  conn.whenNewMsg((msg) => {
    if (msg !== null) void conn.sendMessage(String(msg));
  });
}

/** An echo server and a chaos proxy in front of it, both closed when the test ends. */
async function setUp(t: TestContext, onConn: (conn: ServerConn) => unknown = echo) {
  const started = await startServer(t, onConn, { closeTimeout: 100 });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port: started.port } });
  return { ...started, proxy };
}

/** A plain `ws` client, with what its TCP socket saw: a clean end, errors. */
function plainClient(t: TestContext, url: string) {
  const ws = new WebSocket(url);
  t.after(() => ws.terminate());
  const tcp = { ended: false, errors: [] as NodeJS.ErrnoException[] };
  const errors: Error[] = [];
  ws.on('error', (err) => errors.push(err));
  ws.on('upgrade', (response) => {
    const socket = response.socket as Socket;
    socket.on('end', () => (tcp.ended = true));
    socket.on('error', (err) => tcp.errors.push(err));
  });
  const messages: string[] = [];
  ws.on('message', (data) => messages.push(String(data)));
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const closedWith = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, tcp, errors, messages, opened, closed: closedWith };
}

/** Resolves with the reply to `text`, sent by a plain client. */
function roundTrip(ws: WebSocket, text: string): Promise<string> {
  const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send(text);
  return reply;
}

describe('chaos proxy: cuts, as a WebSocket client sees them', () => {
  test('forwards both ways and counts what it carries', LIMIT, async (t) => {
    const { proxy } = await setUp(t);
    const linked = proxy.nextLink();
    const client = plainClient(t, proxy.url);
    await client.opened;
    assert.equal(await roundTrip(client.ws, 'hello'), 'hello');
    const link = await linked;
    assert.deepEqual(proxy.links, [link]);
    assert.ok(link.bytesUp > 100 && link.bytesDown > 100, `up ${link.bytesUp}, down ${link.bytesDown}`);
    assert.equal(proxy.counters.opened, 1);
  });

  test('FIN: the client sees a clean TCP end and closes (1006, no close frame), without an error; so does the server', LIMIT, async (t) => {
    const { server, proxy } = await setUp(t);
    const accepted = nextConn(server);
    const client = plainClient(t, proxy.url);
    await client.opened;
    const conn = await accepted;
    assert.equal(proxy.cut('fin'), 1);
    assert.equal(await client.closed, 1006);
    assert.equal(client.tcp.ended, true);
    assert.deepEqual(client.tcp.errors, []);
    assert.equal(await closed(conn), 1006);
    assert.deepEqual(proxy.links, []);
    assert.equal(proxy.counters.cut.fin, 1);
  });

  test('RST: the client gets ECONNRESET and closes with 1006; so does the server', LIMIT, async (t) => {
    const { server, proxy } = await setUp(t);
    const accepted = nextConn(server);
    const client = plainClient(t, proxy.url);
    await client.opened;
    const conn = await accepted;
    proxy.cut('rst');
    assert.equal(await client.closed, 1006);
    assert.equal(client.tcp.errors[0]?.code, 'ECONNRESET');
    assert.equal(client.tcp.ended, false);
    assert.equal(await closed(conn), 1006);
    assert.equal(proxy.counters.cut.rst, 1);
  });

  test('black hole: nothing happens until a heartbeat times out; the held sockets go at close()', LIMIT, async (t) => {
    const { server, proxy } = await setUp(t);
    const accepted = nextConn(server);
    const plain = plainClient(t, proxy.url);
    await plain.opened;
    const conn = await accepted;
    const beating = await connectToWebsocket(proxy.url, { keepAlive: { interval: 100, timeout: 100 } });
    t.after(() => beating.terminate());
    const gaveUp = nextEvent(beating, 'close');
    assert.equal(proxy.cut('blackhole'), 2);
    plain.ws.send('into the void');
    const [code, reason] = await gaveUp;
    assert.equal(code, 1006);
    assert.match(reason, /^heartbeat timeout/);
    // The client without a heartbeat, and the server's side of its link, noticed nothing.
    assert.equal(plain.ws.readyState, WebSocket.OPEN);
    assert.equal(conn.state, 'OPEN');
    assert.deepEqual(plain.messages, []);
    assert.equal(proxy.counters.cut.blackhole, 2);
    await proxy.close();
    assert.equal(await plain.closed, 1006);
    assert.equal(await closed(conn), 1006);
  });

  test('mid-request: the connect attempt fails and the server accepts no connection', LIMIT, async (t) => {
    const { server, proxy } = await setUp(t);
    for (const how of ['rst', 'fin'] as const) {
      proxy.failNewLinks({ during: 'request', afterBytes: 20, how }, { count: 1 });
      const linked = proxy.nextLink();
      await assert.rejects(connectToWebsocket(proxy.url), ConnectError);
      const link = await linked;
      assert.equal(link.bytesUp, 20);
      assert.equal(link.cutBy, 'mid-request');
    }
    assert.equal(proxy.counters.cut['mid-request'], 2);
    assert.equal(server.connections.size, 0);
    // The count is spent: the next link is forwarded.
    const conn = await connectToWebsocket(proxy.url);
    t.after(() => conn.terminate());
    assert.equal(conn.state, 'OPEN');
  });

  test('after the 101: the client opens and closes at once (1006) without the frame the server sent', LIMIT, async (t) => {
    const first = deferred<ServerConn>();
    const { proxy } = await setUp(t, (conn) => {
      first.resolve(conn);
      void conn.sendMessage('welcome');
    });
    proxy.failNewLinks({ during: 'response' });
    const accepted = first.promise;
    const client = plainClient(t, proxy.url);
    await client.opened;
    assert.equal(await client.closed, 1006);
    assert.deepEqual(client.messages, []);
    assert.equal(await closed(await accepted), 1006);
    assert.equal(proxy.counters.cut['after-101'], 1);
    // Without a count, the fault stays until acceptNewLinks(). With an RST, the client's kernel may
    // drop the 101 it has not read yet: the client may not even open, and gets no message either way.
    proxy.failNewLinks({ during: 'response', how: 'rst' });
    const reset = plainClient(t, proxy.url);
    assert.equal(await reset.closed, 1006);
    assert.deepEqual(reset.messages, []);
    assert.equal(proxy.counters.cut['after-101'], 2);
    await proxy.acceptNewLinks();
    const conn = await connectToWebsocket(proxy.url);
    t.after(() => conn.terminate());
    assert.equal(await conn.receiveMessage(), 'welcome');
  });

  test('a reconnecting client: its attempts cut mid-request fail, and it gets through once links are forwarded again', LIMIT, async (t) => {
    const { proxy } = await setUp(t);
    const conn = await connectToWebsocket(proxy.url, { reconnect: FAST });
    t.after(() => conn.terminate());
    const attempts: number[] = [];
    conn.on('reconnecting', (attempt) => attempts.push(attempt));
    const reopened = nextEvent(conn, 'open');
    proxy.failNewLinks({ during: 'request', afterBytes: 50 }, { count: 2 });
    proxy.cut('rst');
    await reopened;
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(proxy.counters.cut['mid-request'], 2);
    assert.equal(proxy.counters.cut.rst, 1);
  });

  test('refuse: connecting fails with ECONNREFUSED until acceptNewLinks(); rst at accept: ECONNRESET', LIMIT, async (t) => {
    const { proxy } = await setUp(t);
    proxy.failNewLinks('refuse');
    const refused = await connectToWebsocket(proxy.url).catch((err: ConnectError) => err);
    assert.ok(refused instanceof ConnectError && refused.code === 'ECONNREFUSED', String(refused));
    await proxy.acceptNewLinks();
    proxy.failNewLinks('rst', { count: 1 });
    const reset = await connectToWebsocket(proxy.url).catch((err: ConnectError) => err);
    assert.ok(reset instanceof ConnectError && reset.code === 'ECONNRESET', String(reset));
    assert.equal(proxy.counters.failedAtAccept, 1);
    const conn = await connectToWebsocket(proxy.url);
    t.after(() => conn.terminate());
    assert.equal(await roundTripCorows(conn, 'back'), 'back');
  });

  test('a new link to a target that is down is reset, as a dead backend behind a balancer', LIMIT, async (t) => {
    const { server, proxy } = await setUp(t);
    await server.close();
    const socket = connect(proxy.port, '127.0.0.1');
    t.after(() => socket.destroy());
    const [err] = (await nextSocketEvent(socket, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNRESET');
  });
});

describe('chaos proxy: random runs', () => {
  /** Opens `count` links one after the other, each ping-ponging until the run cuts it; returns how each ended. */
  async function chaosRun(t: TestContext, seed: number, count: number) {
    const { proxy } = await setUp(t);
    const run = proxy.cutRandomly({ seed, afterBytes: 600, handshakeFaults: 0.3 });
    const outcomes: string[] = [];
    for (let i = 0; i < count; i++) {
      const linked = proxy.nextLink();
      const client = plainClient(t, proxy.url);
      const link = await linked;
      client.ws.on('message', () => client.ws.send('x'.repeat(40)));
      client.ws.once('open', () => client.ws.send('x'.repeat(40)));
      await waitFor(() => link.state !== 'open', `link ${link.id} to be cut (${run.log.join('; ')})`);
      outcomes.push(`${link.cutBy} up ${link.bytesUp} down ${link.bytesDown}`);
      client.ws.terminate();
    }
    run.stop();
    await proxy.close();
    return { outcomes, log: run.log };
  }

  test('the same seed cuts the same links at the same bytes the same way; another seed does not', LIMIT, async (t) => {
    const first = await chaosRun(t, 42, 8);
    const again = await chaosRun(t, 42, 8);
    const other = await chaosRun(t, 7, 8);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other.outcomes, first.outcomes);
    const kinds = new Set(first.outcomes.concat(other.outcomes).map((o) => o.split(' ')[0]));
    assert.ok(kinds.size >= 3, `kinds seen: ${[...kinds].join(', ')}`);
  });

  test('everyMs cuts live links until stopped; close() ends the run', LIMIT, async (t) => {
    const { proxy } = await setUp(t);
    const conn = await connectToWebsocket(proxy.url, { reconnect: FAST, keepAlive: { interval: 50, timeout: 50 } });
    t.after(() => conn.terminate());
    const run = proxy.cutRandomly({ seed: 1, everyMs: 30 });
    await waitFor(() => run.log.length >= 3, 'three random cuts', 15_000); // each needs a link back up: slow on a loaded machine
    run.stop();
    assert.equal(run.running, false);
    await waitFor(() => conn.state === 'OPEN', 'the client back after the run');
    const cuts = proxy.counters.cut;
    assert.equal(cuts.fin + cuts.rst + cuts.blackhole, run.log.length);
    assert.throws(() => proxy.cutRandomly({ seed: 1.5 }), /seed must be an integer/);
  });
});

async function roundTripCorows(conn: Awaited<ReturnType<typeof connectToWebsocket>>, text: string): Promise<unknown> {
  await conn.sendMessage(text);
  return conn.receiveMessage();
}

function nextSocketEvent(socket: Socket, name: string): Promise<unknown[]> {
  const got = deferred<unknown[]>();
  socket.once(name, (...args: unknown[]) => got.resolve(args));
  return got.promise;
}

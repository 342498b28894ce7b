// Listeners that throw on a server's connections (issue 11, item 2): the failure is reported, delivery
// goes on, and closing always completes, down to `server.close()` and `whenDead`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket, type ServerConn, type WebSocketConn } from '../src/index.js';
import { clientFrame, closedWith, deferred, nextConn, rawWebSocket, startServer, waitFor } from './helpers.js';

/** Fails naming `what` if `promise` has not settled within `ms` (a hang is the defect under test). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Whether `errors` holds a report of `thrown` (itself, as the cause, or named in the message). */
function reports(errors: readonly Error[], thrown: Error): boolean {
  return errors.some((err) => err === thrown || err.cause === thrown || err.message.includes(thrown.message));
}

test('a close listener that throws on server connections: server.close() completes and whenDead fires', async (t) => {
  const { server, url } = await startServer(t);
  const thrown = new Error('close listener bug');
  const errors: Error[] = [];
  server.whenNewConn((conn) => {
    conn.on('error', (err) => errors.push(err));
    conn.on('close', () => {
      throw thrown;
    });
  });
  const clients = await Promise.all([connectToWebsocket(url), connectToWebsocket(url)]);
  t.after(() => Promise.all(clients.map((client) => client.close())));
  await waitFor(() => server.connections.size === 2, 'two connections');
  const dead = deferred<string>();
  server.whenDead(dead.resolve);

  await within(server.close('bye'), 5_000, 'server.close()');
  assert.equal(await within(dead.promise, 5_000, 'whenDead'), 'bye');
  for (const client of clients) assert.deepEqual(await closedWith(client), { code: 1001, reason: 'bye' });
  assert.equal(server.connections.size, 0);
  assert.ok(reports(errors, thrown), `the throw is reported through each connection's error event: ${errors.map(String).join('; ')}`);
});

test('a close listener that throws when a client leaves: the connection is forgotten, its close resolves, others live on', async (t) => {
  const { server, url } = await startServer(t);
  const thrown = new Error('close listener bug');
  const errors: Error[] = [];
  const conns: ServerConn[] = [];
  server.whenNewConn((conn) => {
    conns.push(conn);
    conn.on('error', (err) => errors.push(err));
    conn.whenNewMsg((msg) => (msg === null ? undefined : conn.sendMessage(`echo ${String(msg)}`)));
    if (conns.length === 1) {
      conn.on('close', () => {
        throw thrown;
      });
    }
  });
  const leaving = await connectToWebsocket(url);
  const staying = await connectToWebsocket(url);
  t.after(() => staying.close());
  await waitFor(() => server.connections.size === 2, 'two connections');

  await within(leaving.close(), 5_000, "the leaving client's close()");
  await waitFor(() => server.connections.size === 1, 'the server to forget the closed connection');
  assert.equal(conns[0]?.state, 'CLOSED');
  await staying.sendMessage('still here');
  assert.equal(await staying.receiveMessage({ timeout: 5_000 }), 'echo still here');
  assert.ok(reports(errors, thrown), 'the throw is reported');

  const serverSide = conns[1] as ServerConn;
  await within(serverSide.close(1000, 'done'), 5_000, "the server side's close()");
  assert.deepEqual(await closedWith(staying), { code: 1000, reason: 'done' });
});

test('a message listener that throws on a server connection: later messages are delivered and close completes', async (t) => {
  const { server, url } = await startServer(t);
  const accepted = nextConn(server);
  const client = await connectToWebsocket(url);
  t.after(() => client.close());
  const conn = await accepted;
  const errors: Error[] = [];
  conn.on('error', (err) => errors.push(err));
  const thrown = new Error('message listener bug');
  conn.on('message', (msg) => {
    if (msg === 'first') throw thrown;
  });

  for (const text of ['first', 'second', 'third']) await client.sendMessage(text);
  const got: unknown[] = [];
  for (let i = 0; i < 3; i++) got.push(await within(conn.receiveMessage(), 5_000, `message ${i + 1}`));
  assert.deepEqual(got, ['first', 'second', 'third']);
  assert.ok(reports(errors, thrown), 'the throw is reported');

  await within(client.close(1000, 'bye'), 5_000, "the client's close()");
  assert.deepEqual(await within(closedWith(conn), 5_000, 'the server side to close'), { code: 1000, reason: 'bye' });
  assert.equal(server.connections.size, 0);
});

test('a pong listener that throws on a server connection: messages still arrive and server.close() completes', async (t) => {
  const { server, url } = await startServer(t);
  const accepted = nextConn(server);
  const client = await connectToWebsocket(url);
  t.after(() => client.close());
  const conn = await accepted;
  const errors: Error[] = [];
  conn.on('error', (err) => errors.push(err));
  const thrown = new Error('pong listener bug');
  const ponged = deferred();
  conn.on('pong', () => {
    ponged.resolve();
    throw thrown;
  });

  assert.equal(conn.ping(), true);
  await within(ponged.promise, 5_000, 'the pong');
  await client.sendMessage('after the pong');
  assert.equal(await within(conn.receiveMessage(), 5_000, 'the message after the pong'), 'after the pong');
  assert.ok(reports(errors, thrown), 'the throw is reported');
  await within(server.close('bye'), 5_000, 'server.close()');
  assert.equal((await closedWith(client)).code, 1001);
});

test('an error listener that throws on a protocol violation: the connection still closes with 1002 and leaves the server', async (t) => {
  const { server, port } = await startServer(t);
  const accepted = nextConn(server);
  const peer = await rawWebSocket(t, port);
  const conn = await accepted;
  const logged: unknown[][] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
  let heard = 0;
  conn.on('error', () => {
    heard++;
    throw new Error('error listener bug');
  });
  peer.socket.write(clientFrame(0x1, Buffer.from('unmasked'), { mask: false }));
  assert.equal((await within(closedWith(conn), 5_000, 'the server side to close')).code, 1002);
  assert.ok(heard >= 1);
  assert.ok(logged.some((args) => args.some((arg) => arg instanceof Error && arg.message === 'error listener bug')), 'the throwing error listener is reported on console.error');
  await waitFor(() => server.connections.size === 0, 'the server to forget the connection');
  await within(server.close('bye'), 5_000, 'server.close()');
});

test('a whenNewConn handler that throws synchronously is reported; that connection and the next are served', async (t) => {
  const { server, url } = await startServer(t);
  const errors: Error[] = [];
  server.on('error', (err) => errors.push(err));
  let calls = 0;
  server.whenNewConn((conn) => {
    calls++;
    conn.whenNewMsg((msg) => (msg === null ? undefined : conn.sendMessage(`echo ${String(msg)}`)));
    if (calls === 1) throw new Error('handler bug');
  });
  const clients: WebSocketConn[] = [await connectToWebsocket(url), await connectToWebsocket(url)];
  t.after(() => Promise.all(clients.map((client) => client.close())));
  for (const client of clients) {
    await client.sendMessage('hi');
    assert.equal(await client.receiveMessage({ timeout: 5_000 }), 'echo hi');
  }
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /whenNewConn handler failed: handler bug/);
  const dead = deferred<string>();
  server.whenDead(dead.resolve);
  await within(server.close('bye'), 5_000, 'server.close()');
  assert.equal(await dead.promise, 'bye');
});

import assert from 'node:assert/strict';
import { createServer as createHttpServer, request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { describe, test } from 'node:test';
import { CloseCode, connectToWebsocket, createWebsocketServer, WebSocketConn, type ServerConn } from '../src/index.js';
import { closed, deferred, nextConn, startServer } from './helpers.js';

describe('createWebsocketServer', () => {
  test('returns at once, chainable; listening resolves the bound address of port 0', async (t) => {
    const server = createWebsocketServer('127.0.0.1', 0)
      .whenNewConn(() => undefined)
      .whenDead(() => undefined);
    t.after(() => server.close());
    const address = await server.listening;
    assert.equal(address.host, '127.0.0.1');
    assert.ok(address.port > 0);
  });

  test('whenDead fires once with EADDRINUSE when the port is taken; listening rejects', async (t) => {
    const { port } = await startServer(t);
    const dead = deferred<string>();
    const reasons: string[] = [];
    const server = createWebsocketServer('127.0.0.1', port).whenDead((reason) => {
      reasons.push(reason);
      dead.resolve(reason);
    });
    assert.match(await dead.promise, /EADDRINUSE/);
    await assert.rejects(server.listening, /could not listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    await server.close('again');
    assert.deepEqual(reasons.length, 1, 'whenDead fires once');
  });

  test('an unobserved listening rejection is not an unhandled rejection', async (t) => {
    const { port } = await startServer(t);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    t.after(() => process.off('unhandledRejection', onUnhandled));
    const dead = deferred<string>();
    createWebsocketServer('127.0.0.1', port).whenDead(dead.resolve);
    await dead.promise;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  });

  test('whenDead registered after death is called at once with the reason', async () => {
    const server = createWebsocketServer('127.0.0.1', 0);
    await server.listening;
    await server.close('done here');
    let reason: string | undefined;
    server.whenDead((r) => {
      reason = r;
    });
    assert.equal(reason, 'done here');
  });

  test('close(reason) stops accepting, closes every connection with 1001 and the reason, then fires whenDead', async () => {
    const server = createWebsocketServer('127.0.0.1', 0);
    const { port } = await server.listening;
    const url = `ws://127.0.0.1:${port}`;
    const clients = await Promise.all([connectToWebsocket(url), connectToWebsocket(url)]);
    const dead = deferred<string>();
    server.whenDead(dead.resolve);
    const codes = clients.map((client) => new Promise<[number, string]>((resolve) => client.once('close', (c, r) => resolve([c, r]))));
    await server.close('maintenance');
    assert.equal(await dead.promise, 'maintenance');
    for (const code of await Promise.all(codes)) assert.deepEqual(code, [CloseCode.GoingAway, 'maintenance']);
    assert.equal(server.connections.size, 0);
    await assert.rejects(connectToWebsocket(url, { timeout: 2000 }), /could not connect/);
  });

  test('whenDead is the last thing heard: handlers of closed connections get their null first', async () => {
    const heard: string[] = [];
    const server = createWebsocketServer('127.0.0.1', 0).whenNewConn((conn) =>
      conn.whenNewMsg((msg) => void heard.push(msg === null ? 'null' : String(msg))),
    );
    const { port } = await server.listening;
    const client = await connectToWebsocket(`ws://127.0.0.1:${port}`);
    await client.sendMessage('hi');
    await client.close();
    const dead = deferred();
    server.whenDead(() => {
      heard.push('dead');
      dead.resolve();
    });
    await server.close();
    await dead.promise;
    assert.deepEqual(heard, ['hi', 'null', 'dead']);
  });

  test('bad arguments throw at once, naming what is wrong', () => {
    assert.throws(() => createWebsocketServer('', 0), /host must be a non-empty string/);
    assert.throws(() => createWebsocketServer('127.0.0.1', 70000), /port must be a whole number from 0 to 65535, got 70000/);
    assert.throws(() => createWebsocketServer('127.0.0.1', '80' as never), RangeError);
    assert.throws(() => createWebsocketServer('127.0.0.1', 0, { maxPayload: -1 }), /maxPayload must be a whole number of at least 1, got -1/);
    const server = createWebsocketServer('127.0.0.1', 0);
    assert.throws(() => server.whenNewConn(null as never), /whenNewConn\(\) takes a function/);
    assert.throws(() => server.whenDead('x' as never), /whenDead\(\) takes a function, got "x"/);
    return server.close();
  });

  test('a value of the wrong type is quoted as given: "5" is not 5', () => {
    const bad = (options: unknown): unknown => createWebsocketServer('127.0.0.1', 0, options as never);
    assert.throws(() => createWebsocketServer('127.0.0.1', '80' as never), /port must be a whole number from 0 to 65535, got "80"$/);
    assert.throws(() => bad({ maxPayload: '5' }), /maxPayload must be a whole number of at least 1, got "5"$/);
    assert.throws(() => bad({ closeTimeout: '0' }), /closeTimeout must be a whole number of at least 0, got "0"$/);
    assert.throws(() => bad({ maxConnections: 'Infinity' }), /maxConnections must be .* \(or Infinity\), got "Infinity"$/);
    assert.throws(() => bad({ maxQueue: 2.5 }), /maxQueue must be a whole number of at least 1, got 2\.5$/);
    assert.throws(() => bad({ rateLimit: { messages: '5', interval: 1000 } }), /rateLimit must be .*, got \{"messages":"5","interval":1000\}$/);
    assert.throws(() => bad({ verify: 'yes' }), /verify must be a function, got "yes"$/);
    assert.throws(() => bad({ tls: 'server.crt' }), /tls must be an object such as \{ cert, key \}, got "server\.crt"$/);
    assert.throws(() => bad({ allowedOrigins: 'https://a.example' }), /allowedOrigins must be an array .*, got "https:\/\/a\.example"$/);
    assert.throws(() => bad('fast'), /options must be an object, got "fast"$/);
    assert.throws(() => bad({ path: 5 }), /path must be a string .*, got 5$/);
    assert.throws(() => bad({ path: 'x'.repeat(200) }), /got "x{58}…$/, 'a long value is shortened');
  });
});

describe('connections', () => {
  test('whenNewConn gets a WebSocketConn per client; a throwing handler is reported and the server lives', async (t) => {
    const { server, url } = await startServer(t);
    const errors: Error[] = [];
    server.on('error', (err) => errors.push(err));
    let calls = 0;
    server.whenNewConn(async (conn) => {
      assert.ok(conn instanceof WebSocketConn);
      calls++;
      if (calls === 1) throw new Error('handler bug');
      await conn.sendMessage('welcome');
    });
    const first = await connectToWebsocket(url);
    const second = await connectToWebsocket(url);
    t.after(() => Promise.all([first.close(), second.close()]));
    assert.equal(await second.receiveMessage(), 'welcome');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /whenNewConn handler failed: handler bug/);
  });

  test('connections accepted before whenNewConn is set are handed to it, messages kept', async (t) => {
    const { server, url } = await startServer(t);
    const client = await connectToWebsocket(url);
    t.after(() => client.close());
    await client.sendMessage('early');
    const conn = await nextConn(server);
    assert.equal(await conn.receiveMessage(), 'early');
  });

  test('conn.id is a UUID that stays; conn.data starts as an empty object that stays until replaced', async (t) => {
    const { server, url } = await startServer(t);
    const [a, b] = await Promise.all([connectToWebsocket(url), connectToWebsocket(url)]);
    t.after(() => Promise.all([a.close(), b.close()]));
    const [first, second] = [...server.connections] as [ServerConn, ServerConn];
    assert.match(first.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(first.id, first.id);
    assert.notEqual(first.id, second.id);
    assert.deepEqual(first.data, {});
    first.data.user = 'ann';
    assert.equal(first.data.user, 'ann', 'the same object on every read');
    assert.deepEqual(second.data, {}, 'each connection has its own');
    first.data = { user: 'bob' };
    assert.deepEqual(first.data, { user: 'bob' });
  });

  test('a close listener sees the connection out of server.connections and its rooms', async (t) => {
    const { server, url } = await startServer(t);
    const client = await connectToWebsocket(url);
    const conn = await nextConn(server);
    conn.join('lobby');
    const seen = deferred<{ inSet: boolean; members: number }>();
    conn.on('close', () => {
      const inSet = server.connections.has(conn);
      void server.roomMembers('lobby').then((members) => seen.resolve({ inSet, members: members.size }));
    });
    await client.close();
    assert.deepEqual(await seen.promise, { inSet: false, members: 0 });
  });

  test('connections never leak: clean closes, abrupt TCP drops and terminations all leave the set', async (t) => {
    const { server, url } = await startServer(t);
    const clients = await Promise.all(Array.from({ length: 6 }, () => connectToWebsocket(url)));
    assert.equal(server.connections.size, 6);
    const serverSides = [...server.connections];
    const allClosed = Promise.all(serverSides.map(closed));
    await clients[0]!.close();
    clients[1]!.terminate();
    // An abrupt TCP drop without a close frame, as when a phone loses its network.
    for (const client of clients.slice(2)) {
      ((client as unknown as { link: { socket: { _socket: { destroy(): void } } } }).link.socket._socket).destroy();
    }
    await allClosed;
    assert.equal(server.connections.size, 0);
  });

  test('a message larger than maxPayload closes that connection with 1009; others are unaffected', async (t) => {
    const { server, url } = await startServer(t, undefined, { maxPayload: 1024 });
    const big = await connectToWebsocket(url);
    const small = await connectToWebsocket(url);
    t.after(() => small.close());
    const [bigSide, smallSide] = [...server.connections];
    void big.sendMessage('x'.repeat(1025));
    assert.equal(await closed(big), CloseCode.MessageTooBig);
    assert.equal(await closed(bigSide!), CloseCode.MessageTooBig);
    await small.sendMessage('x'.repeat(1024));
    assert.equal(((await smallSide!.receiveMessage()) as string).length, 1024);
  });

  test('the default maxPayload is 1 MiB', async (t) => {
    const { server, url } = await startServer(t);
    const client = await connectToWebsocket(url);
    const side = nextConn(server);
    void client.sendMessage('y'.repeat(1024 * 1024));
    assert.equal(((await (await side).receiveMessage()) as string).length, 1024 * 1024);
    void client.sendMessage('y'.repeat(1024 * 1024 + 1));
    assert.equal(await closed(client), CloseCode.MessageTooBig);
  });

  test('permessage-deflate is off unless asked for', async (t) => {
    const { url } = await startServer(t);
    const off = await connectToWebsocket(url, { perMessageDeflate: true });
    t.after(() => off.close());
    const extensions = (off as unknown as { link: { socket: { extensions: string } } }).link.socket.extensions;
    assert.equal(extensions, '');

    const { url: onUrl } = await startServer(t, undefined, { perMessageDeflate: true });
    const on = await connectToWebsocket(onUrl, { perMessageDeflate: true });
    t.after(() => on.close());
    assert.match((on as unknown as { link: { socket: { extensions: string } } }).link.socket.extensions, /permessage-deflate/);
  });

  test('plain HTTP gets 426 Upgrade Required; a malformed handshake gets 400; the server lives', async (t) => {
    const { url, port } = await startServer(t);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject).end(),
    );
    assert.equal(status, 426);

    const reply = await new Promise<string>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    const client = await connectToWebsocket(url);
    await client.close();
  });

  test('a hostile HTTP server in front is not needed: corows refuses other listeners cleanly', async (t) => {
    // A plain HTTP server on the port: our client gets a ConnectError with the status.
    const http = createHttpServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    t.after(() => http.close());
    const { port } = http.address() as { port: number };
    await assert.rejects(connectToWebsocket(`ws://127.0.0.1:${port}`), (err: Error & { status?: number }) => err.status === 404);
  });
});

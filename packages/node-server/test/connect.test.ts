import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { AbortError, ConnectError, connectToWebsocket } from '../src/index.js';
import { startServer } from './helpers.js';

/** A TCP server on a free loopback port that accepts and then never answers. */
async function silentServer(t: TestContext): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => sockets.add(socket));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function isConnectError(pattern: RegExp, fields: Partial<Pick<ConnectError, 'code' | 'status'>> = {}) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
    assert.match(err.message, pattern);
    for (const [key, value] of Object.entries(fields)) assert.equal(err[key as keyof ConnectError], value, key);
    return true;
  };
}

describe('connectToWebsocket failures reject a ConnectError naming the address and the cause', () => {
  test('refused', async () => {
    const port = await closedPort();
    const addr = `ws://127.0.0.1:${port}/x`;
    await assert.rejects(
      connectToWebsocket(addr),
      isConnectError(new RegExp(`could not connect to ws://127\\.0\\.0\\.1:${port}/x: .*ECONNREFUSED`), { code: 'ECONNREFUSED' }),
    );
  });

  test('DNS', async () => {
    await assert.rejects(connectToWebsocket('ws://no-such-host.invalid:1042', { timeout: 5000 }), (err: unknown) => {
      assert.ok(err instanceof ConnectError);
      assert.match(err.message, /could not connect to ws:\/\/no-such-host\.invalid:1042/);
      assert.ok(['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT'].includes(err.code ?? ''), `code ${err.code}`);
      return true;
    });
  });

  test('TLS: wss:// to a server that does not speak TLS', async (t) => {
    const { port } = await startServer(t);
    await assert.rejects(connectToWebsocket(`wss://127.0.0.1:${port}`), (err: unknown) => {
      assert.ok(err instanceof ConnectError);
      assert.match(err.message, /could not connect to wss:\/\/127\.0\.0\.1:\d+: .*(SSL|TLS|wrong version|EPROTO)/i);
      return true;
    });
  });

  test('an HTTP status instead of 101 carries status', async (t) => {
    const http = createHttpServer((_req, res) => res.writeHead(403, 'Forbidden').end('no'));
    http.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    t.after(() => http.close());
    const { port } = http.address() as AddressInfo;
    await assert.rejects(
      connectToWebsocket(`ws://127.0.0.1:${port}`),
      isConnectError(/the server answered HTTP 403 Forbidden instead of 101 Switching Protocols/, { status: 403, code: 'ERR_HTTP_STATUS' }),
    );
  });

  test('a server that never answers: rejected at the timeout with ETIMEDOUT', async (t) => {
    const port = await silentServer(t);
    const started = Date.now();
    await assert.rejects(
      connectToWebsocket(`ws://127.0.0.1:${port}`, { timeout: 200 }),
      isConnectError(/no connection within 200 ms/, { code: 'ETIMEDOUT' }),
    );
    assert.ok(Date.now() - started >= 190);
  });

  test('an AbortSignal cancels a pending connect with an AbortError', async (t) => {
    const port = await silentServer(t);
    const controller = new AbortController();
    const connecting = connectToWebsocket(`ws://127.0.0.1:${port}`, { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await assert.rejects(connecting, (err: unknown) => err instanceof AbortError && /connecting to .* was aborted/.test(err.message));
    await assert.rejects(connectToWebsocket(`ws://127.0.0.1:${port}`, { signal: AbortSignal.abort() }), AbortError);
  });

  test('invalid options are TypeErrors/RangeErrors before any network work', async () => {
    await assert.rejects(connectToWebsocket('ws://127.0.0.1:1', { timeout: -5 }), RangeError);
    await assert.rejects(connectToWebsocket('ws://127.0.0.1:1', { maxQueue: 0 }), RangeError);
  });
});

describe('connectToWebsocket options', () => {
  test('the seed header table and an options object with headers send the same headers', async (t) => {
    const seen: Array<Record<string, unknown>> = [];
    const { url } = await startServer(t, (conn) => {
      seen.push({ h1: conn.headers.header1, h3: conn.headers.header3 });
      void conn.close();
    });
    const table = { header1: ['a', 2, 'c'], header3: 'header3,some values' };
    for (const arg of [table, { headers: table, timeout: 5000 }]) {
      const conn = await connectToWebsocket(url, arg);
      await new Promise((resolve) => conn.once('close', resolve));
    }
    assert.deepEqual(seen, [
      { h1: 'a, 2, c', h3: 'header3,some values' },
      { h1: 'a, 2, c', h3: 'header3,some values' },
    ]);
  });
});

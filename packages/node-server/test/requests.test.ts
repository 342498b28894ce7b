import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import {
  AbortError,
  ConnectionClosedError,
  connectToWebsocket,
  CorowsError,
  RemoteError,
  TimeoutError,
  type ServerConn,
  type WebSocketConn,
} from '../src/index.js';
import { closedWith, deferred, nextConn, startServer, waitFor } from './helpers.js';

/** A server and a client connected to it, both corows. */
async function pair(t: Parameters<typeof startServer>[0]): Promise<{ server: ServerConn; client: WebSocketConn }> {
  const { server, url } = await startServer(t);
  const accepted = nextConn(server);
  const client = await connectToWebsocket(url);
  t.after(() => client.terminate());
  return { server: await accepted, client };
}

const randomDelay = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20)));

describe('request and reply', () => {
  test('2,000 concurrent requests with random delays each get their own reply, both ways', async (t) => {
    const { server, client } = await pair(t);
    server.whenRequest(async (value) => {
      await randomDelay();
      return { doubled: (value as { n: number }).n * 2 };
    });
    client.whenRequest(async (value) => {
      await randomDelay();
      return `client saw ${String(value)}`;
    });
    const fromClient = Array.from({ length: 2_000 }, (_, n) => client.request<{ doubled: number }>({ n }));
    const fromServer = Array.from({ length: 500 }, (_, n) => server.request<string>(n));
    const replies = await Promise.all(fromClient);
    replies.forEach((reply, n) => assert.equal(reply.doubled, n * 2));
    (await Promise.all(fromServer)).forEach((reply, n) => assert.equal(reply, `client saw ${n}`));
  });

  test('requests and replies never reach receiveMessage, whenNewMsg or the message event; plain messages keep their order', async (t) => {
    const { server, client } = await pair(t);
    const seen: unknown[] = [];
    server.on('message', (msg) => seen.push(msg));
    server.whenRequest((value) => value);
    const asked: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      await client.sendMessage(`m${i}`);
      asked.push(client.request(i));
    }
    await Promise.all(asked);
    for (let i = 0; i < 50; i++) assert.equal(await server.receiveMessage(), `m${i}`);
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => `m${i}`));
    assert.equal(server.queuedMessages, 0);
  });

  test('an application text that starts with U+0000 arrives unchanged, and is never taken for a control message', async (t) => {
    const { server, client } = await pair(t);
    const texts = ['\u0000', '\u0000\u0000x', '\u0000{"t":"req","id":1,"v":1}', 'plain'];
    for (const text of texts) await client.sendMessage(text);
    for (const text of texts) assert.equal(await server.receiveMessage(), text);
    for (const text of texts) await server.sendMessage(text);
    for (const text of texts) assert.equal(await client.receiveMessage(), text);
  });

  test('a handler that throws or rejects rejects the requester with a RemoteError: message and code, never the stack', async (t) => {
    const { server, client } = await pair(t);
    server.whenRequest((value) => {
      if (value === 'sync') throw Object.assign(new Error('no such item'), { code: 'E_MISSING' });
      return Promise.reject(new Error('backend down'));
    });
    const sync = await client.request('sync').catch((err: unknown) => err);
    assert.ok(sync instanceof RemoteError);
    assert.equal(sync.message, 'no such item');
    assert.equal(sync.code, 'E_MISSING');
    assert.ok(!String(sync.stack).includes('requests.test.ts:4'), 'the remote stack stays remote');
    const async = await client.request('async').catch((err: unknown) => err);
    assert.ok(async instanceof RemoteError);
    assert.equal(async.message, 'backend down');
    assert.equal(async.code, undefined);
  });

  test('a request to a peer without a handler rejects at once, not at the timeout', async (t) => {
    const { client } = await pair(t);
    const err = await client.request('anyone?', { timeout: 60_000 }).catch((e: unknown) => e);
    assert.ok(err instanceof RemoteError);
    assert.equal(err.code, 'ERR_NO_HANDLER');
    assert.match(err.message, /no request handler/);
  });

  test('timeout and abort reject the requester and abort the peer handler\'s signal', async (t) => {
    const { server, client } = await pair(t);
    const aborted: string[] = [];
    server.whenRequest((value, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => {
      aborted.push(String(value));
      reject(new Error('never seen'));
    })));
    const timedOut = await client.request('slow', { timeout: 50 }).catch((e: unknown) => e);
    assert.ok(timedOut instanceof TimeoutError);
    const controller = new AbortController();
    const pending = client.request('cancelled', { signal: controller.signal });
    await waitFor(() => aborted.includes('slow'), 'the peer to hear of the timeout');
    controller.abort();
    assert.ok((await pending.catch((e: unknown) => e)) instanceof AbortError);
    await waitFor(() => aborted.includes('cancelled'), 'the peer to hear of the abort');
  });

  test('a connection that closes rejects every pending request with ConnectionClosedError at once', async (t) => {
    const { server, client } = await pair(t);
    const started = deferred();
    server.whenRequest(() => {
      started.resolve();
      return new Promise(() => undefined);
    });
    client.whenRequest(() => new Promise(() => undefined));
    const pending = [client.request(1), client.request(2), server.request(3)];
    await started.promise;
    void server.close(1000, 'bye');
    const results = await Promise.allSettled(pending);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof ConnectionClosedError, String(result.reason));
    }
    await assert.rejects(client.request(4), ConnectionClosedError);
  });

  test('values JSON cannot encode are refused before anything is sent', async (t) => {
    const { client } = await pair(t);
    await assert.rejects(client.request(10n), TypeError);
    await assert.rejects(client.request(undefined), /request\(\) cannot encode undefined/);
  });

  test('a plain ws server never sees a byte of a request: it rejects at once with ERR_UNSUPPORTED', async (t) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    t.after(() => wss.close());
    await new Promise((resolve) => wss.once('listening', resolve));
    const received: unknown[] = [];
    wss.on('connection', (ws) => ws.on('message', (data) => received.push(String(data))));
    const client = await connectToWebsocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    t.after(() => client.terminate());
    const err = await client.request('hello').catch((e: unknown) => e);
    assert.ok(err instanceof CorowsError);
    assert.equal(err.code, 'ERR_UNSUPPORTED');
    await client.sendMessage('plain');
    await waitFor(() => received.length === 1, 'the plain message');
    assert.deepEqual(received, ['plain']);
  });

  test('a corows server asking a plain ws client rejects at once with ERR_UNSUPPORTED, and the client gets nothing', async (t) => {
    const { server, url } = await startServer(t);
    const accepted = nextConn(server);
    const plain = new WebSocket(url);
    t.after(() => plain.terminate());
    const received: string[] = [];
    plain.on('message', (data) => received.push(String(data)));
    const conn = await accepted;
    const err = await conn.request('hello').catch((e: unknown) => e);
    assert.equal((err as CorowsError).code, 'ERR_UNSUPPORTED');
    await conn.sendMessage('plain');
    await waitFor(() => received.length === 1, 'the plain message');
    assert.deepEqual(received, ['plain']);
  });

  test('a peer that sends a malformed control message is closed with 1002 and a reason', async (t) => {
    const { server, url } = await startServer(t);
    const accepted = nextConn(server);
    const raw = new WebSocket(url, { headers: { 'Corows-Protocol': '1' } });
    t.after(() => raw.terminate());
    const agreed = new Promise<string | undefined>((resolve) => raw.once('upgrade', (res) => resolve(res.headers['corows-protocol'] as string | undefined)));
    const opened = new Promise((resolve) => raw.once('open', resolve));
    assert.equal(await agreed, '1', 'the server answers the header');
    const conn = await accepted;
    await opened;
    raw.send('\u0000not json');
    const { code, reason } = await closedWith(conn);
    assert.equal(code, 1002);
    assert.match(reason, /corows protocol: a control message is not JSON/);
  });

  test('with reconnect but no session, a request pending when the link drops rejects; one made between links goes on the next', async (t) => {
    const { server, url } = await startServer(t);
    let first = true;
    server.whenNewConn((conn) => {
      conn.whenRequest((value) => {
        if (first) {
          first = false;
          conn.terminate();
          return new Promise(() => undefined);
        }
        return `answer to ${String(value)}`;
      });
    });
    const client = await connectToWebsocket(url, { reconnect: { initialDelay: 10 } });
    t.after(() => client.terminate());
    const lost = await client.request('first').catch((e: unknown) => e);
    assert.ok(lost instanceof ConnectionClosedError);
    assert.match(lost.message, /the link dropped/);
    assert.equal(client.state, 'CONNECTING');
    assert.equal(await client.request('second'), 'answer to second');
  });
});

import { expect, test } from './fixtures.js';

// Request and reply in a real browser: the page loads the request code as a chunk on first use.

test('a page makes 500 concurrent requests with random delays and each gets its own answer; plain messages are untouched', async ({ harness, site, connId, serverRecord }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const asked = Array.from({ length: 500 }, (_, n) => conn.request<number>({ double: n, delay: Math.floor(Math.random() * 20) }));
    const sent = await conn.sendMessage('plain, between requests');
    const replies = await Promise.all(asked);
    const queued = conn.queuedMessages;
    await conn.close();
    return { sent, allRight: replies.every((reply, n) => reply === n * 2), queued };
  }, `${site.ws}/service?id=${connId}`);
  expect(result).toEqual({ sent: null, allRight: true, queued: 0 });
  expect((await serverRecord(connId))?.received).toEqual(['plain, between requests']);
});

test('a failing handler reaches the page as a RemoteError; a page that gives up tells the server', async ({ harness, site, connId, serverRecord }) => {
  const result = await harness.evaluate(async (url) => {
    const { connectToWebsocket, RemoteError, TimeoutError } = window.corows;
    const conn = await connectToWebsocket(url);
    const failed = await conn.request({ fail: 'out of stock' }).catch((err: unknown) => err);
    const timedOut = await conn.request({ hang: true }, { timeout: 100 }).catch((err: unknown) => err);
    await conn.close();
    return {
      remote: failed instanceof RemoteError && [failed.message, failed.code],
      timeout: timedOut instanceof TimeoutError,
    };
  }, `${site.ws}/service?id=${connId}`);
  expect(result).toEqual({ remote: ['out of stock', 'E_FAIL'], timeout: true });
  await expect.poll(async () => (await serverRecord(connId))?.notes).toEqual(['aborted']);
});

test('the server asks the page: with a handler it answers; without one the server gets a RemoteError at once', async ({ harness, site, connId }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    await conn.sendMessage('ask');
    const withoutHandler = await conn.receiveMessage();
    conn.whenRequest((value) => ({ name: 'page', asked: value }));
    await conn.sendMessage('ask');
    const withHandler = await conn.receiveMessage();
    await conn.close();
    return { withoutHandler, withHandler };
  }, `${site.ws}/service?id=${connId}`);
  expect(result.withoutHandler).toMatch(/^error: RemoteError: the peer has no request handler/);
  expect(result.withHandler).toBe('answer: {"name":"page","asked":{"question":"name?"}}');
});

test('a browser WebSocket that is not corows: the server\'s request is refused at once and the page gets nothing', async ({ harness, site, connId }) => {
  const received = await harness.evaluate(async (url) => {
    const socket = new WebSocket(url);
    const first = new Promise<string>((resolve) => (socket.onmessage = (event) => resolve(String(event.data))));
    await new Promise((resolve) => (socket.onopen = resolve));
    socket.send('ask');
    const got = await first;
    socket.close();
    return got;
  }, `${site.ws}/service?id=${connId}`);
  expect(received).toMatch(/^error: CorowsError: request\(\): the peer does not speak the corows protocol/);
});

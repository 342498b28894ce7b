import { expect, test } from './fixtures.js';

// The inbox rule, in a browser: (1) the oldest pending receiveMessage(), (2) else whenNewMsg,
// (3) else the inbox, in order. The /script route sends what it is told to, back to back.

test('pending receives take messages first, in call order; the handler gets the rest', async ({ harness, site }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const handled: unknown[] = [];
    let sawAll: () => void = () => {};
    const allHandled = new Promise<void>((resolve) => (sawAll = resolve));
    conn.whenNewMsg((msg) => {
      handled.push(msg);
      if (handled.length === 3) sawAll();
    });
    const first = conn.receiveMessage();
    const second = conn.receiveMessage();
    await conn.send({ send: ['m1', 'm2', 'm3', 'm4', 'm5'] });
    const received = [await first, await second];
    await allHandled;
    await conn.close();
    return { received, handled };
  }, `${site.ws}/script`);
  expect(result).toEqual({ received: ['m1', 'm2'], handled: ['m3', 'm4', 'm5'] });
});

test('with nobody waiting, messages wait in the inbox in order; a receive right after whenNewMsg() still comes first', async ({ harness, site }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    let arrived = 0;
    const allArrived = new Promise<void>((resolve) => conn.on('message', () => ++arrived === 4 && resolve()));
    await conn.send({ send: ['a', 'b', 'c', 'd'] });
    await allArrived;
    const queued = conn.queuedMessages;
    const firstTwo = [await conn.receiveMessage(), await conn.receiveMessage()];
    const handled: unknown[] = [];
    const handlerDone = new Promise<void>((resolve) =>
      conn.whenNewMsg((msg) => {
        handled.push(msg);
        if (msg === null) resolve();
      }),
    );
    const intercepted = await conn.receiveMessage(); // made synchronously after whenNewMsg()
    await conn.close();
    await handlerDone;
    return { queued, firstTwo, intercepted, handled, afterClose: await conn.receiveMessage() };
  }, `${site.ws}/script`);
  expect(result).toEqual({ queued: 4, firstTwo: ['a', 'b'], intercepted: 'c', handled: ['d', null], afterClose: null });
});

test('a receive that times out or is aborted takes no message: the next one goes to whoever is next', async ({ harness, site }) => {
  const result = await harness.evaluate(async (url) => {
    const { connectToWebsocket, TimeoutError, AbortError } = window.corows;
    const conn = await connectToWebsocket(url);
    const timedOut = await conn.receiveMessage({ timeout: 20 }).then(String, (err: unknown) => err instanceof TimeoutError && (err as Error).message);
    const controller = new AbortController();
    const aborted = conn.receiveMessage({ signal: controller.signal }).then(String, (err: unknown) => err instanceof AbortError && (err as Error).message);
    const next = conn.receiveMessage();
    controller.abort();
    await conn.send({ send: ['only'] });
    const result = { timedOut, aborted: await aborted, next: await next };
    await conn.close();
    return result;
  }, `${site.ws}/script`);
  expect(result).toEqual({
    timedOut: 'receiveMessage() timed out after 20 ms',
    aborted: 'receiveMessage() was aborted',
    next: 'only',
  });
});

test('for await reads every message in order and ends at close', async ({ harness, site }) => {
  const read = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    await conn.send({ send: ['x', 'y', 'z'], close: [1000, 'done'] });
    const seen: unknown[] = [];
    for await (const msg of conn) seen.push(msg);
    return { seen, code: conn.closeCode, reason: conn.closeReason };
  }, `${site.ws}/script`);
  expect(read).toEqual({ seen: ['x', 'y', 'z'], code: 1000, reason: 'done' });
});

import { expect, test } from './fixtures.js';

test('server close: buffered messages are still delivered, then null; code and reason are kept', async ({ harness, site }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const closed = new Promise<[number, string]>((resolve) => conn.on('close', (code, reason) => resolve([code, reason])));
    await conn.send({ send: ['last 1', 'last 2'], close: [4001, 'bye'] });
    const event = await closed;
    const state = conn.state;
    const reads = [await conn.receiveMessage(), await conn.receiveMessage(), await conn.receiveMessage(), await conn.receiveMessage()];
    const handled: unknown[] = [];
    await new Promise<void>((resolve) =>
      conn.whenNewMsg((msg) => {
        handled.push(msg);
        if (msg === null) resolve();
      }),
    );
    const sendAfter = await conn.sendMessage('too late');
    return {
      event,
      state,
      online: conn.online,
      code: conn.closeCode,
      reason: conn.closeReason,
      reads,
      handled,
      sendAfter: sendAfter instanceof window.corows.ConnectionClosedError && sendAfter.message,
    };
  }, `${site.ws}/script`);
  expect(result).toEqual({
    event: [4001, 'bye'],
    state: 'CLOSED',
    online: false,
    code: 4001,
    reason: 'bye',
    reads: ['last 1', 'last 2', null, null],
    handled: [null],
    sendAfter: 'cannot sendMessage(): the connection is CLOSED (close code 4001)',
  });
});

test('client close: the server sees the code and reason; close() is idempotent; a pending receive gets null', async ({ harness, site, connId, serverRecord }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const pending = conn.receiveMessage();
    const nulls: unknown[] = [];
    conn.whenNewMsg((msg) => nulls.push(msg));
    const first = conn.close(4000, 'done here');
    const second = conn.close(1000, 'ignored');
    const stateWhileClosing = conn.state;
    await Promise.all([first, second]);
    return { stateWhileClosing, pending: await pending, code: conn.closeCode, reason: conn.closeReason, state: conn.state, again: await conn.close().then(() => 'resolved') };
  }, `${site.ws}/echo?id=${connId}`);
  expect(result).toEqual({ stateWhileClosing: 'CLOSING', pending: null, code: 4000, reason: 'done here', state: 'CLOSED', again: 'resolved' });
  await expect.poll(async () => (await serverRecord(connId))?.closeCode).toBe(4000);
  expect((await serverRecord(connId))?.closeReason).toBe('done here');
});

test('close() with a code or reason the browser refuses rejects with a RangeError and leaves the connection open', async ({ harness, site }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const refusals = [];
    for (const [code, reason] of [[1005, ''], [999, ''], [4000, 'x'.repeat(124)]] as const) {
      refusals.push(await conn.close(code, reason).then(() => 'closed', (err: unknown) => err instanceof RangeError && (err as Error).message));
    }
    const state = conn.state;
    await conn.close();
    return { refusals, state };
  }, `${site.ws}/echo`);
  expect(result.state).toBe('OPEN');
  expect(result.refusals).toEqual([
    expect.stringMatching(/^close\(1005, ""\) refused: /),
    expect.stringMatching(/^close\(999, ""\) refused: /),
    expect.stringMatching(/^close\(4000, "x+…\) refused: the reason must be at most 123 bytes/), // a long quote is cut short (describeValue)
  ]);
});

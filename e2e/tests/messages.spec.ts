import { expect, test } from './fixtures.js';

test('send() writes JSON as one text frame; the answer parses back to the same value', async ({ harness, site, connId, serverRecord }) => {
  const value = { author: 'somebody', age: 18, tags: ['a', 2, null], text: '汉字 and emoji 🎉', nested: { ok: true } };
  const result = await harness.evaluate(async ({ url, value }) => {
    const conn = await window.corows.connectToWebsocket(url);
    const sent = await conn.send(value);
    const answer = await conn.receiveMessage();
    await conn.close();
    return { sent, answer: typeof answer === 'string' ? (JSON.parse(answer) as unknown) : answer };
  }, { url: `${site.ws}/json?id=${connId}`, value });
  expect(result).toEqual({ sent: null, answer: { echo: value } });
  expect((await serverRecord(connId))?.received).toEqual([JSON.stringify(value)]);
});

test('send() of a value JSON cannot encode resolves a TypeError and sends nothing', async ({ harness, site, connId, serverRecord }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const errors = await Promise.all([conn.send(cyclic), conn.send(10n), conn.send(undefined), conn.sendMessage(42 as unknown as string)]);
    await conn.sendMessage('"after"');
    const answer = await conn.receiveMessage();
    await conn.close();
    return { errors: errors.map((err) => err instanceof TypeError && err.message), answer };
  }, `${site.ws}/json?id=${connId}`);
  expect(result.errors).toEqual([
    expect.stringMatching(/^send\(\) cannot encode the value as JSON: .*circular/i),
    expect.stringMatching(/^send\(\) cannot encode the value as JSON: .*BigInt/),
    'send() cannot encode undefined as JSON; nothing was sent',
    'sendMessage() takes a string, got number; use send() to send a value as JSON',
  ]);
  expect(result.answer).toBe('{"echo":"after"}');
  expect((await serverRecord(connId))?.received).toEqual(['"after"']);
});

test('binary arrives as a Uint8Array (binaryType arraybuffer), text as a string', async ({ harness, site, connId, serverRecord }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const view = new Uint8Array(all.buffer, 10, 3); // only the view's bytes travel
    const sent = [await conn.sendBinary(all), await conn.sendBinary(view), await conn.sendBinary(all.buffer.slice(0, 2)), await conn.sendMessage('text')];
    const got = [await conn.receiveMessage(), await conn.receiveMessage(), await conn.receiveMessage(), await conn.receiveMessage()];
    const bad = await conn.sendBinary('nope' as unknown as Uint8Array);
    await conn.close();
    return {
      sent,
      kinds: got.map((msg) => (msg instanceof Uint8Array ? 'Uint8Array' : typeof msg)),
      bytes: got.slice(0, 3).map((msg) => Array.from(msg as Uint8Array)),
      firstIsAll: (got[0] as Uint8Array).every((byte, i) => byte === i) && (got[0] as Uint8Array).length === 256,
      text: got[3],
      bad: bad instanceof TypeError && bad.message,
    };
  }, `${site.ws}/echo?id=${connId}`);
  expect(result).toMatchObject({
    sent: [null, null, null, null],
    kinds: ['Uint8Array', 'Uint8Array', 'Uint8Array', 'string'],
    firstIsAll: true,
    text: 'text',
    bad: 'sendBinary() takes a Uint8Array or an ArrayBuffer, got string',
  });
  expect(result.bytes.slice(1)).toEqual([[10, 11, 12], [0, 1]]);
  expect((await serverRecord(connId))?.received).toEqual(['<256 bytes>', '<3 bytes>', '<2 bytes>', 'text']);
});

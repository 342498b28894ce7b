import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { parseAddress } from '../src/address.js';
import { connectToWebsocket, CorowsError } from '../src/index.js';
import { normalizeHeaders } from '../src/headers.js';
import { describeValue } from '../src/server-exports.js';

describe('addresses', () => {
  test('ws:// and wss:// URLs, with or without a path, are accepted', () => {
    assert.equal(parseAddress('ws://127.0.0.1:1042').href, 'ws://127.0.0.1:1042/');
    assert.equal(parseAddress('wss://example.com/path/to/ws_api?x=1').pathname, '/path/to/ws_api');
  });

  for (const [addr, pattern] of [
    ['http://127.0.0.1:PORT', /uses http:\/\/, expected ws:\/\/ or wss:\/\//],
    ['127.0.0.1:PORT', /expected ws:\/\/ or wss:\/\/|invalid address/],
    ['not a url', /invalid address "not a url"/],
    ['', /invalid address ""/],
    ['ws://127.0.0.1:PORT/#frag', /fragment/],
    [42, /must be a ws:\/\/ or wss:\/\/ URL string, got number/],
  ] as const) {
    test(`${JSON.stringify(addr)} is a TypeError before any network work`, async (t) => {
      let dialled = false;
      const server = createServer((socket) => {
        dialled = true;
        socket.destroy();
      });
      t.after(() => server.close());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const target = typeof addr === 'string' ? addr.replace('PORT', String(port)) : addr;
      await assert.rejects(connectToWebsocket(target as string), (err: Error) => err instanceof TypeError && pattern.test(err.message));
      assert.equal(dialled, false);
    });
  }
});

describe('the header table', () => {
  test('arrays become several values, numbers strings, strings stay as they are', () => {
    assert.deepEqual(normalizeHeaders({ header1: ['a', 2, 'c'], header2: ['some headers'], header3: 'header3,some values', n: 7 }), {
      header1: ['a', '2', 'c'],
      header2: ['some headers'],
      header3: 'header3,some values',
      n: '7',
    });
  });

  for (const [table, pattern] of [
    [{ 'bad name': 'x' }, /invalid header name "bad name"/],
    [{ x: 'line\r\nbreak' }, /header "x" has a line break/],
    [{ x: true }, /header "x" must be a string, a number or an array of them, got boolean/],
    [{ x: [null] }, /header "x" must be .* got null/],
    [{ Upgrade: 'h2c' }, /header "Upgrade" is set by the WebSocket handshake itself/],
    [{ 'Sec-WebSocket-Protocol': 'chat' }, /use the protocols option/],
  ] as const) {
    test(`${JSON.stringify(table)} is refused with a TypeError naming the header`, async () => {
      await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', table as never), (err: Error) => err instanceof TypeError && pattern.test(err.message));
    });
  }

  test('an options object with an unknown key says where headers go', async () => {
    await assert.rejects(
      connectToWebsocket('ws://127.0.0.1:9', { timeout: 100, 'X-Token': 'abc' } as never),
      (err: Error) => err instanceof TypeError && /unknown option "X-Token".*under \{ headers/.test(err.message),
    );
  });

  test('a non-object second argument is a TypeError', async () => {
    await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', 'x' as never), TypeError);
    await assert.rejects(connectToWebsocket('ws://127.0.0.1:9', [] as never), /got an array/);
  });

  test('a wrong option type is quoted as given: "5" is not 5', async () => {
    const url = 'ws://127.0.0.1:9';
    await assert.rejects(connectToWebsocket(url, { timeout: '5' as never }), /timeout must be a number of milliseconds from 0 to 2147483647, got "5"$/);
    await assert.rejects(connectToWebsocket(url, { maxQueue: '5' as never }), /maxQueue must be a whole number of messages, at least 1, got "5"$/);
    await assert.rejects(connectToWebsocket(url, { keepAlive: '5' as never }), /keepAlive must be a number of milliseconds, a boolean or \{ interval, timeout \}, got "5"$/);
    await assert.rejects(connectToWebsocket(url, { keepAlive: { interval: '5' as never } }), /keepAlive interval must be .* got "5"$/);
    await assert.rejects(connectToWebsocket(url, { keepAlive: [5, 10] as never }), /keepAlive must be a number of milliseconds, a boolean or \{ interval, timeout \}, got \[5,10\]$/);
    await assert.rejects(connectToWebsocket(url, { reconnect: { initialDelay: '5' as never } }), /reconnect\.initialDelay must be .* got "5"$/);
    await assert.rejects(connectToWebsocket(url, { maxPayload: 1.5 }), /maxPayload must be a whole number of bytes, at least 1, got 1\.5$/);
  });

  test('a wrong option is quoted the same way on both ends: objects as JSON, long ones cut short', async () => {
    const url = 'ws://127.0.0.1:9';
    await assert.rejects(connectToWebsocket(url, { reconnect: { initialDelay: { ms: 5 } as never } }), /reconnect\.initialDelay must be .* got \{"ms":5\}$/);
    await assert.rejects(connectToWebsocket(url, { keepAlive: { interval: [5, 10] as never } }), /keepAlive interval must be .* got \[5,10\]$/);
    await assert.rejects(connectToWebsocket(url, { timeout: 'x'.repeat(100) as never }), new RegExp(`got "${'x'.repeat(58)}…$`));
    await assert.rejects(connectToWebsocket(url, { maxQueue: new Date(0) as never }), /maxQueue must be .* got Date$/);
    await assert.rejects(connectToWebsocket(url, { timeout: (() => 5) as never }), /timeout must be .* got a function$/);
  });

  test('describeValue: strings quoted, numbers as written, plain objects and arrays as JSON, other objects by class, long ones cut short', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const [value, shown] of [
      ['5', '"5"'],
      [5, '5'],
      [Number.NaN, 'NaN'],
      [10n, '10n'],
      [true, 'true'],
      [undefined, 'undefined'],
      [null, 'null'],
      [Symbol('s'), 'Symbol(s)'],
      [{ messages: 0 }, '{"messages":0}'],
      [Object.create(null) as object, 'object'],
      [[1, 'a'], '[1,"a"]'],
      [/^x$/, 'RegExp'],
      [() => 1, 'a function'],
      [new Map(), 'Map'],
      [new Uint8Array(2), 'Uint8Array'],
      [cycle, 'Object'],
      [{ big: 1n }, 'Object'],
      ['y'.repeat(80), `"${'y'.repeat(58)}…`],
    ] as const) {
      assert.equal(describeValue(value), shown, String(shown));
    }
  });

  test('the errors corows makes are CorowsErrors', () => {
    assert.ok(new CorowsError('x') instanceof Error);
  });
});

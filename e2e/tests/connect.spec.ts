import { expect, test } from './fixtures.js';

/** How a connect attempt ended, as plain data out of the page. */
interface Outcome {
  ok: boolean;
  name?: string;
  code?: string;
  message?: string;
  isConnectError?: boolean;
  isCorowsError?: boolean;
}

test.describe('connect failures reject with a ConnectError that names the address', () => {
  for (const [what, target, code] of [
    ['nothing listens (refused)', 'refused', undefined],
    ['an HTTP server that is not a WebSocket endpoint', 'http', undefined],
    ['a server that never answers the handshake (timeout)', 'silent', 'ETIMEDOUT'],
  ] as const) {
    test(what, async ({ harness, site }) => {
      const address = target === 'http' ? site.http.replace('http:', 'ws:') + '/harness.html' : site[target];
      const outcome = await harness.evaluate(async (url): Promise<Outcome> => {
        const { connectToWebsocket, ConnectError } = window.corows;
        try {
          const conn = await connectToWebsocket(url, { timeout: 1_000 });
          await conn.close();
          return { ok: true };
        } catch (err) {
          const e = err as Error & { code?: string };
          return { ok: false, name: e.name, code: e.code, message: e.message, isConnectError: err instanceof ConnectError };
        }
      }, address);
      expect(outcome).toMatchObject({ ok: false, name: 'ConnectError', isConnectError: true });
      expect(outcome.message).toContain(`could not connect to ${address}`);
      if (code !== undefined) expect(outcome.code).toBe(code);
    });
  }
});

test('an address that is not ws:// or wss:// rejects with a TypeError before any network work', async ({ harness }) => {
  const messages = await harness.evaluate(async () => {
    const attempts = ['http://127.0.0.1:1/', 'not a url', 'ws://127.0.0.1:1/#frag'].map((url) =>
      window.corows.connectToWebsocket(url).then(
        () => 'connected',
        (err: unknown) => (err instanceof TypeError ? err.message : String(err)),
      ),
    );
    return Promise.all(attempts);
  });
  expect(messages).toEqual([
    'connectToWebsocket(): the address "http://127.0.0.1:1/" uses http://, expected ws:// or wss://',
    'connectToWebsocket(): invalid address "not a url": expected a URL such as ws://127.0.0.1:1042/path',
    'connectToWebsocket(): the address "ws://127.0.0.1:1/#frag" has a fragment (#frag), which WebSocket URLs cannot carry',
  ]);
});

test('a page that cannot load the chunk of argument errors (offline) still gets a TypeError naming the check and the value', async ({ harness }) => {
  await harness.route(/corows-argument-errors-/, (route) => route.abort('internetdisconnected'));
  const message = await harness.evaluate(() =>
    window.corows.connectToWebsocket('http://127.0.0.1:1/').then(
      () => 'connected',
      (err: unknown) => (err instanceof TypeError ? err.message : String(err)),
    ),
  );
  expect(message).toBe('wrong argument (addressScheme): "http://127.0.0.1:1/"');
});

test('headers are refused in a browser with an error that says why and what to use instead', async ({ harness, site, connId, serverRecord }) => {
  const outcomes = await harness.evaluate(async (url) => {
    const { connectToWebsocket, CorowsError } = window.corows;
    const attempt = (arg: Parameters<typeof connectToWebsocket>[1]): Promise<Outcome> =>
      connectToWebsocket(url, arg).then(
        async (conn) => {
          await conn.close();
          return { ok: true };
        },
        (err: unknown) => {
          const e = err as Error & { code?: string };
          return { ok: false, name: e.name, code: e.code, message: e.message, isCorowsError: err instanceof CorowsError };
        },
      );
    return [
      await attempt({ header1: ['a', 2, 'c'], header3: 'header3,some values' }),
      await attempt({ headers: { authorization: 'Bearer x' }, timeout: 1_000 }),
    ];
  }, `${site.ws}/echo?id=${connId}`);
  expect(outcomes[0]).toMatchObject({ ok: false, name: 'CorowsError', code: 'ERR_UNSUPPORTED', isCorowsError: true });
  expect(outcomes[0]?.message).toBe(
    'connectToWebsocket(): browsers cannot set WebSocket handshake headers (header1, header3); send a token as a subprotocol (the protocols option) or as a query parameter of the URL instead',
  );
  expect(outcomes[1]?.message).toContain('(authorization)');
  expect(await serverRecord(connId), 'a refused call must not open a connection').toBeUndefined();
});

test('the alternatives work: a subprotocol and a query parameter reach the server', async ({ harness, site, connId, serverRecord }) => {
  const result = await harness.evaluate(async (url) => {
    const conn = await window.corows.connectToWebsocket(url, { protocols: ['corows.v1', 'other'] });
    const info = { protocol: conn.protocol, url: conn.url, headers: conn.headers };
    await conn.close();
    return info;
  }, `${site.ws}/echo?id=${connId}&token=s3cret`);
  expect(result).toEqual({ protocol: 'corows.v1', url: `${site.ws}/echo?id=${connId}&token=s3cret`, headers: {} });
  const record = await serverRecord(connId);
  expect(record?.url).toBe(`/echo?id=${connId}&token=s3cret`);
  expect(record?.protocol).toBe('corows.v1');
  // After the application's offers, the corows protocol's (docs/PROTOCOL.md §1.2); the server answered corows.1.corows.v1.
  expect(record?.headers['sec-websocket-protocol']).toBe('corows.v1, other, corows.1.corows.v1, corows.1.other, corows.1');
});

import assert from 'node:assert/strict';
import { before, describe, test, type TestContext } from 'node:test';
import { ConnectError, connectToWebsocket, createWebsocketServer, type ServerTlsOptions } from '../src/index.js';
import { hasOpenssl, makeTestCerts, type TestCerts } from './certs.js';

const LIMIT = { timeout: 20_000 };

/** A wss:// echo server on 127.0.0.1 with a free port, closed when the test ends. */
async function startTlsServer(t: TestContext, tls: ServerTlsOptions): Promise<string> {
  const server = createWebsocketServer('127.0.0.1', 0, { tls }).whenNewConn((conn) => {
    conn.whenNewMsg((msg) => msg !== null && void conn.sendMessage(`echo:${String(msg)}`));
  });
  t.after(() => server.close('test over'));
  const { port } = await server.listening;
  return `wss://127.0.0.1:${port}`;
}

describe('TLS (certificates made by openssl at test time)', { skip: hasOpenssl() ? false : 'openssl is not installed (scripts/ensure-tools.sh installs it)' }, () => {
  let certs: TestCerts;
  before(() => {
    certs = makeTestCerts();
  });

  test('wss:// works when the client trusts the server\'s CA (LuatOS caCert)', LIMIT, async (t) => {
    const url = await startTlsServer(t, certs.server);
    const conn = await connectToWebsocket(url, { tls: { ca: certs.ca } });
    t.after(() => conn.close());
    await conn.sendMessage('over tls');
    assert.equal(await conn.receiveMessage(), 'echo:over tls');
  });

  test('a server certificate from a CA the client does not trust is refused with a ConnectError that says how to fix it', LIMIT, async (t) => {
    const url = await startTlsServer(t, certs.server);
    for (const tls of [{ ca: certs.otherCa }, undefined]) {
      const err = await connectToWebsocket(url, { tls }).then(() => assert.fail('connected'), (e: unknown) => e);
      assert.ok(err instanceof ConnectError, String(err));
      assert.ok(err.message.startsWith(`could not connect to ${url}: `), err.message);
      assert.match(err.message, /not signed by a CA this client trusts: pass the CA's certificate as tls\.ca/);
      assert.ok(err.code !== undefined && /CERT|SIGNATURE/.test(err.code), String(err.code));
    }
  });

  test('rejectUnauthorized: false (LuatOS insist) connects without verifying', LIMIT, async (t) => {
    const url = await startTlsServer(t, certs.server);
    const conn = await connectToWebsocket(url, { tls: { rejectUnauthorized: false } });
    t.after(() => conn.close());
    await conn.sendMessage('unverified');
    assert.equal(await conn.receiveMessage(), 'echo:unverified');
  });

  test('mutual TLS: a client without a certificate is refused, one with a certificate from the CA gets in', LIMIT, async (t) => {
    const url = await startTlsServer(t, { ...certs.server, ca: certs.ca, requestCert: true });
    const refused = await connectToWebsocket(url, { tls: { ca: certs.ca } }).then(() => assert.fail('connected without a certificate'), (e: unknown) => e);
    assert.ok(refused instanceof ConnectError, String(refused));
    assert.ok(refused.message.startsWith(`could not connect to ${url}: `), refused.message);
    assert.match(refused.message, /mutual TLS/);

    const alsoRefused = await connectToWebsocket(url, { tls: { ca: certs.ca, ...certs.stranger } }).then(() => assert.fail('connected with a foreign certificate'), (e: unknown) => e);
    assert.ok(alsoRefused instanceof ConnectError, String(alsoRefused));

    const conn = await connectToWebsocket(url, { tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } });
    t.after(() => conn.close());
    await conn.sendMessage('mutual');
    assert.equal(await conn.receiveMessage(), 'echo:mutual');
  });

  test('bad server tls options are refused at once', () => {
    assert.throws(() => createWebsocketServer('127.0.0.1', 0, { tls: { cert: certs.server.cert } as ServerTlsOptions }), /tls\.key is required/);
  });
});

test('wss:// to a plain ws:// server says so, instead of OpenSSL\'s "wrong version number"', LIMIT, async (t) => {
  const server = createWebsocketServer('127.0.0.1', 0);
  t.after(() => server.close('test over'));
  const { port } = await server.listening;
  const err = await connectToWebsocket(`wss://127.0.0.1:${port}`).then(() => assert.fail('connected'), (e: unknown) => e);
  assert.ok(err instanceof ConnectError, String(err));
  assert.equal(err.message, `could not connect to wss://127.0.0.1:${port}: this server does not speak TLS (it answered the TLS handshake in plain text); use ws:// instead of wss://`);
});

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { connectToWebsocket, type ServerConn } from '@corows/node-server';
import { runCli, startCli, startServer } from './helpers.js';

/** A test that hangs (a process that never exits) fails after this instead of stalling the run. */
const TIMEOUT = 60_000;

/** A server that answers each text message with `re: <text>` and records what it got. */
async function replyServer(t: Parameters<typeof startServer>[0]) {
  const received: string[] = [];
  const conns: ServerConn[] = [];
  const { url } = await startServer(t, (conn) => {
    conns.push(conn);
    conn.whenNewMsg((msg) => {
      if (typeof msg !== 'string') return;
      received.push(msg);
      void conn.sendMessage(`re: ${msg}`);
    });
  });
  return { url, received, conns };
}

test('connect with stdin a pipe: each line is a message, each reply a line of stdout, then exit 0', { timeout: TIMEOUT }, async (t) => {
  const { url, received } = await replyServer(t);
  const { code, stdout, stderr } = await runCli(t, ['connect', url], 'first\n{"op":"ping"}\n\nlast line\r\n');
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.deepEqual(received, ['first', '{"op":"ping"}', '', 'last line']);
  assert.equal(stdout, 're: first\nre: {"op":"ping"}\nre: \nre: last line\n');
});

test('connect prints binary messages as hex and, with --json, JSON pretty-printed', { timeout: TIMEOUT }, async (t) => {
  const { url } = await startServer(t, async (conn) => {
    await conn.receiveMessage();
    void conn.sendBinary(new Uint8Array([0xde, 0xad, 0x00]));
    void conn.send({ list: [1, 2] });
    void conn.sendMessage('not json {');
  });
  const { code, stdout } = await runCli(t, ['connect', url, '--json'], 'go\n');
  assert.equal(code, 0);
  assert.equal(stdout, '<binary 3 bytes: de ad 00>\n{\n  "list": [\n    1,\n    2\n  ]\n}\nnot json {\n');
});

test('connect waits --wait ms after stdin ends for answers that come late', { timeout: TIMEOUT }, async (t) => {
  const { url } = await startServer(t, async (conn) => {
    await conn.receiveMessage();
    setTimeout(() => void conn.sendMessage('late answer'), 100);
  });
  const { code, stdout } = await runCli(t, ['connect', url, '--wait', '2000'], 'question\n');
  assert.equal(code, 0);
  assert.equal(stdout, 'late answer\n');
});

test('connect sends every -H header and offers every --protocol, in order', { timeout: TIMEOUT }, async (t) => {
  let seen: { headers: Record<string, string | string[] | undefined>; protocol: string } | undefined;
  const { url } = await startServer(
    t,
    (conn) => {
      seen = { headers: conn.headers, protocol: conn.protocol };
    },
    { protocols: ['chat.v1', 'chat.v2'] },
  );
  const { code, stderr } = await runCli(
    t,
    ['connect', `${url}/room`, '-H', 'Authorization: Bearer abc:def', '--header', 'X-Tag: one', '-H', 'X-Tag: two', '--protocol', 'chat.v2', '--protocol', 'chat.v1'],
    '',
  );
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.equal(seen?.headers.authorization, 'Bearer abc:def');
  assert.equal(seen?.headers['x-tag'], 'one, two');
  assert.deepEqual(String(seen?.headers['sec-websocket-protocol']).split(/, */), ['chat.v2', 'chat.v1']);
  assert.equal(seen?.protocol, 'chat.v1');
});

test('a failed connect exits 1 with the ConnectError message on stderr', { timeout: TIMEOUT }, async (t) => {
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const refusedUrl = `ws://127.0.0.1:${closedPort}`;
  const refused = await connectToWebsocket(refusedUrl).then(() => assert.fail('connected'), (err: Error) => err.message);
  const { url: guarded } = await startServer(t, () => undefined, { verify: () => ({ status: 403, reason: 'no token' }) });
  const forbidden = await connectToWebsocket(guarded).then(() => assert.fail('connected'), (err: Error) => err.message);

  for (const [url, message] of [[refusedUrl, refused], [guarded, forbidden]] as const) {
    const { code, stdout, stderr } = await runCli(t, ['connect', url], 'never sent\n');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `corows connect: ${message}\n`);
  }
  assert.match(forbidden, /403/);
});

test('connect exits when the server closes, even while stdin stays open: 0 for 1000, 1 for an error code', { timeout: TIMEOUT }, async (t) => {
  for (const [closeCode, exitCode] of [[1000, 0], [1011, 1]] as const) {
    const { url } = await startServer(t, async (conn) => {
      const msg = await conn.receiveMessage();
      await conn.sendMessage(`bye ${String(msg)}`);
      await conn.close(closeCode, 'done here');
    });
    const cli = startCli(t, ['connect', url]);
    cli.child.stdin?.write('hi\n'); // and stdin is never ended
    assert.equal(await cli.exited, exitCode);
    assert.equal(cli.stdout(), 'bye hi\n');
    assert.equal(cli.stderr(), `corows connect: the connection was closed by the server: ${closeCode} done here\n`);
  }
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { connectToWebsocket, createWebsocketServer } from '@corows/node-server';
import { runCli, startCli, type CliProcess } from './helpers.js';
import type { TestContext } from 'node:test';

/** A test that hangs (a process that never exits) fails after this instead of stalling the run. */
const TIMEOUT = 60_000;

async function serve(t: TestContext, ...args: string[]): Promise<{ cli: CliProcess; url: string }> {
  const cli = startCli(t, ['serve', '--port', '0', ...args]);
  const [, url] = await cli.waitForOutput(/^listening on (ws:\/\/127\.0\.0\.1:\d+)/m);
  return { cli, url: url ?? '' };
}

test('serve --port 0 prints the ws:// address it listens on, and logs connections, messages and closes', { timeout: TIMEOUT }, async (t) => {
  const { cli, url } = await serve(t);
  const conn = await connectToWebsocket(`${url}/chat`, { protocols: ['chat.v1'] });
  await cli.waitForOutput(/^#1 connected from 127\.0\.0\.1, path \/chat, protocol chat\.v1$/m);
  await conn.sendMessage('hello there');
  await conn.sendBinary(new Uint8Array([1, 2, 255]));
  await conn.sendMessage('two\nlines');
  await cli.waitForOutput(/^#1 < hello there\n#1 < <binary 3 bytes: 01 02 ff>\n#1 < "two\\nlines"$/m);
  await conn.close(4000, 'bye');
  await cli.waitForOutput(/^#1 closed: 4000 bye$/m);
});

test('serve --echo sends every message back unchanged to a plain ws client', { timeout: TIMEOUT }, async (t) => {
  const { url } = await serve(t, '--echo');
  const ws = new WebSocket(url);
  await once(ws, 'open');
  const replies: Array<{ data: Buffer; isBinary: boolean }> = [];
  const gotBoth = new Promise<void>((resolve) => {
    ws.on('message', (data: Buffer, isBinary) => {
      replies.push({ data, isBinary });
      if (replies.length === 2) resolve();
    });
  });
  ws.send('héllo {"json": true}');
  ws.send(Buffer.from([0, 1, 2, 250]));
  await gotBoth;
  assert.deepEqual(replies.map((r) => [r.isBinary, r.isBinary ? [...r.data] : r.data.toString()]), [
    [false, 'héllo {"json": true}'],
    [true, [0, 1, 2, 250]],
  ]);
  ws.close();
  await once(ws, 'close');
});

test('serve stops on SIGTERM: clients get 1001 with the reason, the process exits 0', { timeout: TIMEOUT }, async (t) => {
  const { cli, url } = await serve(t);
  const conn = await connectToWebsocket(url);
  const closed = new Promise<[number, string]>((resolve) => conn.once('close', (code, reason) => resolve([code, reason])));
  await cli.waitForOutput(/^#1 connected/m);
  cli.child.kill('SIGTERM');
  assert.deepEqual(await closed, [1001, 'corows serve stopped']);
  assert.equal(await cli.exited, 0);
});

test('serve on a port in use exits 1 and says why', { timeout: TIMEOUT }, async (t) => {
  const taken = createWebsocketServer('127.0.0.1', 0);
  t.after(() => taken.close());
  const { port } = await taken.listening;
  const { code, stderr } = await runCli(t, ['serve', '--port', String(port)]);
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`^corows serve: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
});

test('corows with an unknown command exits 2 with the message on stderr', { timeout: TIMEOUT }, async (t) => {
  const { code, stdout, stderr } = await runCli(t, ['listen']);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr, 'corows: unknown command "listen"; the commands are serve and connect\n(corows --help shows how to use it)\n');
});

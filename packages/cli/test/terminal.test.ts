import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '@corows/node-server';
import { CLI_COMMAND, hasScript, shellQuote, startProcess, startServer } from './helpers.js';

// util-linux `script` runs the CLI on a pseudo-terminal, as a user's shell would (npm test installs it).
const skip = hasScript ? false : 'util-linux `script` is not installed (Debian: bsdutils), so no pseudo-terminal';

test('connect on a terminal: typed lines are sent, messages print as they come, /json and /binary, Ctrl-D quits', { skip, timeout: 60_000 }, async (t) => {
  const received: Message[] = [];
  let closeCode: number | undefined;
  const { url } = await startServer(t, (conn) => {
    conn.on('close', (code) => {
      closeCode = code;
    });
    conn.whenNewMsg((msg) => {
      if (msg === null) return;
      received.push(msg);
      if (msg === 'hello') void conn.send({ answer: 42, to: 'hello' });
      if (typeof msg !== 'string') void conn.sendBinary(new Uint8Array([0xca, 0xfe]));
    });
  });
  const terminal = startProcess(t, ['script', '--quiet', '--return', '--command', shellQuote([...CLI_COMMAND, 'connect', url]), '/dev/null']);
  const type = (keys: string): void => void terminal.child.stdin?.write(keys);

  await terminal.waitForOutput(/connected to ws:\/\/127\.0\.0\.1:\d+; type a message/);
  type('hello\r');
  await terminal.waitForOutput(/< \{"answer":42,"to":"hello"\}/);
  type('/json\r');
  await terminal.waitForOutput(/JSON pretty-printing on/);
  type('hello\r');
  await terminal.waitForOutput(/< \{\n {2}"answer": 42,\n {2}"to": "hello"\n\}/);
  type('/binary 00 ff\r');
  await terminal.waitForOutput(/< <binary 2 bytes: ca fe>/);
  type('//slash\r');
  type('\u0004'); // Ctrl-D
  assert.equal(await terminal.exited, 0);
  assert.deepEqual(received, ['hello', 'hello', new Uint8Array([0, 0xff]), '/slash'].map((m) => (typeof m === 'string' ? m : Buffer.from(m))));
  assert.equal(closeCode, 1000);
});

test('connect on a terminal: a close by the server is shown and ends the session', { skip, timeout: 60_000 }, async (t) => {
  const { url } = await startServer(t, async (conn) => {
    await conn.receiveMessage();
    await conn.close(4001, 'kicked');
  });
  const terminal = startProcess(t, ['script', '--quiet', '--return', '--command', shellQuote([...CLI_COMMAND, 'connect', url]), '/dev/null']);
  await terminal.waitForOutput(/connected to/);
  terminal.child.stdin?.write('anything\r');
  await terminal.waitForOutput(/connection closed by the server: 4001 kicked/);
  assert.equal(await terminal.exited, 1);
});

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectToWebsocket } from '../src/index.js';
import { closed, startServer } from './helpers.js';

const peerScript = fileURLToPath(new URL('./fixtures/python-peer.py', import.meta.url));

/** A python3 that has the `websockets` library (Debian's python3-websockets), or undefined. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import websockets'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

const python = findPython();
const skip = python === undefined ? 'python3 with the websockets library is missing (Debian: apt-get install python3-websockets)' : false;

describe('interop with an independent peer: Python websockets', { skip }, () => {
  test('our client against a Python server: text, binary, JSON, headers, close code', async (t) => {
    const server = spawn(python!, [peerScript, 'server'], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => server.kill());
    const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
    const conn = await connectToWebsocket(`ws://127.0.0.1:${line.trim()}/any/path`, { 'X-Token': ['a', 2] });

    await conn.sendMessage('ping from corows');
    assert.equal(await conn.receiveMessage(), 'ping from corows');
    await conn.sendBinary(new Uint8Array([0, 1, 255]));
    const binary = await conn.receiveMessage();
    assert.ok(binary instanceof Uint8Array);
    assert.deepEqual([...binary], [0, 1, 255]);
    await conn.send({ author: 'somebody', age: 18 });
    assert.deepEqual(JSON.parse((await conn.receiveMessage()) as string), { author: 'somebody', age: 18 });
    await conn.sendMessage('headers');
    const headers = JSON.parse((await conn.receiveMessage()) as string) as Array<[string, string]>;
    const token = headers.filter(([name]) => name.toLowerCase() === 'x-token').map(([, value]) => value);
    assert.deepEqual(token, ['a', '2'], 'an array is sent as several values of the header');

    await conn.sendMessage('close:4001:python says bye');
    assert.equal(await conn.receiveMessage(), null);
    assert.equal(conn.closeCode, 4001);
    assert.equal(conn.closeReason, 'python says bye');
  });

  test('a Python client against our server', async (t) => {
    const { url, server } = await startServer(t);
    const seenByServer = new Promise<{ header: unknown; code: number }>((resolve) =>
      server.whenNewConn((conn) => {
        conn.whenNewMsg((msg) => {
          if (msg !== null) void (typeof msg === 'string' ? conn.sendMessage(msg) : conn.sendBinary(msg));
        });
        void closed(conn).then((code) => resolve({ header: conn.headers['x-peer'], code }));
      }),
    );
    const client = spawn(python!, [peerScript, 'client', url], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => client.kill());
    const [line] = (await once(createInterface({ input: client.stdout }), 'line')) as [string];
    const seen = JSON.parse(line) as Record<string, unknown>;
    assert.equal(seen.text, 'hello from python');
    assert.deepEqual(seen.binary, [0, 1, 255]);
    assert.equal(seen.json, '{"n": 1}');
    assert.deepEqual(seen.close, [4000, 'python done']);
    assert.deepEqual(await seenByServer, { header: 'python', code: 4000 });
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket } from '../src/index.js';
import { startServer } from './helpers.js';

test("the seed's example: first messages are intercepted, the rest go to the handlers", async (t) => {
  const serverLog: unknown[] = [];
  const { url } = await startServer(t, async (conn) => {
    conn.whenNewMsg((msg) => {
      serverLog.push(['handler', msg]);
      if (msg !== null) void conn.sendMessage(`server echo: ${String(msg)}`);
    });
    void conn.sendMessage('server hello');
    serverLog.push(['first', await conn.receiveMessage()]);
  });

  const conn = await connectToWebsocket(url);
  const clientLog: unknown[] = [];
  conn.whenNewMsg((msg) => clientLog.push(['handler', msg]));
  void conn.sendMessage('client hello');
  assert.equal(await conn.receiveMessage(), 'server hello');
  await conn.sendMessage('client hello 3');
  assert.equal(await conn.receiveMessage(), 'server echo: client hello 3');
  await conn.close();
  assert.deepEqual(serverLog.slice(0, 2), [
    ['first', 'client hello'],
    ['handler', 'client hello 3'],
  ]);
  assert.deepEqual(clientLog, [['handler', null]]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket, type Message } from '../src/index.js';
import { deferred, startServer } from './helpers.js';

test("the seed's example: first messages are intercepted, the rest go to the handlers, null ends both", async (t) => {
  const serverLog: Array<[string, Message | null]> = [];
  const serverDone = deferred();
  const { url } = await startServer(t, async (conn) => {
    conn.whenNewMsg((msg) => {
      serverLog.push(['handler', msg]);
      if (msg === null) serverDone.resolve();
      else void conn.sendMessage(`server echo: ${String(msg)}`);
    });
    void conn.sendMessage('server hello');
    serverLog.push(['first', await conn.receiveMessage()]);
  });

  const conn = await connectToWebsocket(url);
  const clientLog: Array<[string, Message | null]> = [];
  const clientDone = deferred();
  conn.whenNewMsg((msg) => {
    clientLog.push(['handler', msg]);
    if (msg === null) clientDone.resolve();
  });
  void conn.sendMessage('client hello');
  assert.equal(await conn.receiveMessage(), 'server hello');
  void conn.sendMessage('client hello 1');
  void conn.sendMessage('client hello 3');
  const echoes = [await conn.receiveMessage(), await conn.receiveMessage()];
  assert.deepEqual(echoes, ['server echo: client hello 1', 'server echo: client hello 3']);
  await conn.close();
  await Promise.all([serverDone.promise, clientDone.promise]);
  assert.deepEqual(serverLog, [
    ['first', 'client hello'],
    ['handler', 'client hello 1'],
    ['handler', 'client hello 3'],
    ['handler', null],
  ]);
  assert.deepEqual(clientLog, [['handler', null]]);
});

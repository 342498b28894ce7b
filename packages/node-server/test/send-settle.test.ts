import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket } from '../src/index.js';
import { nextConn, startServer } from './helpers.js';

// A send resolves once written: with compression `ws` writes a frame after zlib has run, later than
// the tick in which it was sent (and than the TCP socket's batching, packages/core/src/write-batch.ts).

test('with permessage-deflate, a send resolves only once its compressed frame is written', async (t) => {
  const { server, url } = await startServer(t, undefined, { perMessageDeflate: { threshold: 0 } });
  const accepted = nextConn(server);
  const client = await connectToWebsocket(url, { perMessageDeflate: true });
  t.after(() => client.close());
  const conn = await accepted;
  const text = 'compress me '.repeat(20_000);
  for (const sender of [conn, client]) {
    const sent = sender.sendMessage(text);
    assert.ok(sender.bufferedAmount > 0, 'the frame waits for zlib');
    assert.equal(await sent, null);
    assert.equal(sender.bufferedAmount, 0, 'resolved before zlib had handed the frame to the socket');
  }
  assert.equal(await client.receiveMessage(), text);
  assert.equal(await conn.receiveMessage(), text);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Inbox } from '../src/inbox.js';

// The fast path of a connection read only by whenNewMsg: no turn of the event loop per message.

function makeInbox(): Inbox {
  return new Inbox(100, { pause() {}, resume() {}, handlerFailed() {} });
}

test('before any receive, the handler gets each message at once, in order', () => {
  const inbox = makeInbox();
  const handled: unknown[] = [];
  inbox.setHandler((msg) => handled.push(msg));
  inbox.deliver('a');
  inbox.deliver('b');
  assert.deepEqual(handled, ['a', 'b']);
  assert.equal(inbox.size, 0);
});

test('once receive() has been used, the handler waits for the current task, so a receive can still claim the next message', async () => {
  const inbox = makeInbox();
  const handled: unknown[] = [];
  inbox.setHandler((msg) => handled.push(msg));
  const first = inbox.receive();
  inbox.deliver('a');
  inbox.deliver('b');
  assert.equal(await first, 'a');
  assert.deepEqual(handled, []);
  assert.equal(await inbox.receive(), 'b');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(handled, []);
});

test('messages already buffered keep their turn: a new one queues behind them', async () => {
  const inbox = makeInbox();
  inbox.deliver('old');
  const handled: unknown[] = [];
  inbox.setHandler((msg) => handled.push(msg));
  inbox.deliver('new');
  assert.deepEqual(handled, []);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(handled, ['old', 'new']);
});

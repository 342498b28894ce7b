import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionClosedError, OutboxFullError } from '../src/errors.js';
import { Outbox, type OutgoingData } from '../src/outbox.js';

test('the outbox keeps sends in order, bounded, and settles each once', async () => {
  const outbox = new Outbox(2);
  const first = outbox.hold('a', 'sendMessage()');
  const second = outbox.hold('b', 'send()');
  const third = await outbox.hold('c', 'sendMessage()');
  assert.ok(third instanceof OutboxFullError);
  assert.match(third.message, /cannot sendMessage\(\): the connection is down and its outbox already holds 2 messages/);
  const written: OutgoingData[] = [];
  outbox.flush((data) => {
    written.push(data);
    return Promise.resolve(data === 'b' ? new Error('write failed') : null);
  });
  assert.deepEqual(written, ['a', 'b'], 'all written, in order, before flush returns');
  assert.equal(await first, null);
  assert.match(String(await second), /write failed/);
  assert.equal(outbox.size, 0);
});

test('binary data is copied when held, and fail() settles what is left with an error', async () => {
  const outbox = new Outbox(10);
  const bytes = new Uint8Array([1, 2, 3]);
  const held = outbox.hold(bytes, 'sendBinary()');
  bytes[0] = 9;
  let written: OutgoingData | undefined;
  const other = outbox.hold('x', 'sendMessage()');
  outbox.fail((action) => new ConnectionClosedError(action, 'CLOSED', 1000));
  const [a, b] = await Promise.all([held, other]);
  assert.ok(a instanceof ConnectionClosedError);
  assert.match(String(b), /cannot sendMessage\(\): the connection is CLOSED \(close code 1000\)/);
  const again = new Outbox(1);
  void again.hold(bytes.subarray(1), 'sendBinary()');
  again.flush((data) => {
    written = data;
    return Promise.resolve(null);
  });
  assert.deepEqual(written, new Uint8Array([2, 3]));
});

test('a limit of 0 refuses every send', async () => {
  assert.ok((await new Outbox(0).hold('a', 'sendMessage()')) instanceof OutboxFullError);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectError } from '../src/errors.js';
import { describeValue } from '../src/describe.js';
import { DEFAULT_RECONNECT } from '../src/reconnect-policy.js';
import { resolveReconnect as resolveWith } from '../src/reconnect-rules.js';

const resolveReconnect = (value: Parameters<typeof resolveWith>[0]) => resolveWith(value, describeValue);
import { reconnectDelay, shouldReconnectAfterClose, shouldRetryConnect } from '../src/reconnect-rules.js';

describe('reconnect policy', () => {
  test('delays grow by the factor up to maxDelay, without jitter', () => {
    const policy = { ...DEFAULT_RECONNECT, initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => reconnectDelay(policy, n)), [100, 200, 400, 800, 1000, 1000]);
  });

  test('jitter takes a random share of up to `jitter` off each delay', () => {
    const policy = { ...DEFAULT_RECONNECT, initialDelay: 1000, jitter: 0.5 };
    assert.equal(reconnectDelay(policy, 1, () => 0), 1000);
    assert.equal(reconnectDelay(policy, 1, () => 0.5), 750);
    assert.equal(reconnectDelay(policy, 1, () => 0.999999), 500);
    const drawn = new Set(Array.from({ length: 50 }, () => reconnectDelay(policy, 3)));
    assert.ok(drawn.size > 1, 'the default random source makes the delays differ');
    for (const delay of drawn) assert.ok(delay >= 2000 && delay <= 4000, `delay ${delay} within [2000, 4000]`);
  });

  test('with the default jitter, each delay is at least the one before (they grow)', () => {
    const policy = resolveReconnect({ initialDelay: 10, maxDelay: 100_000 });
    assert.ok(policy);
    let previous = 0;
    for (let attempt = 1; attempt <= 12; attempt++) {
      const delay = reconnectDelay(policy, attempt);
      assert.ok(delay >= previous, `attempt ${attempt}: ${delay} >= ${previous}`);
      previous = delay;
    }
  });

  test('resolveReconnect: true means the defaults, false/undefined none, bad values are named', () => {
    assert.deepEqual(resolveReconnect(true), DEFAULT_RECONNECT);
    assert.equal(resolveReconnect(false), undefined);
    assert.equal(resolveReconnect(undefined), undefined);
    assert.equal(resolveReconnect({ maxAttempts: 3 })?.maxAttempts, 3);
    assert.throws(() => resolveReconnect({ jitter: 2 }), /reconnect\.jitter must be a number from 0 to 1, got 2/);
    assert.throws(() => resolveReconnect({ maxAttempts: 0 }), /reconnect\.maxAttempts/);
    assert.throws(() => resolveReconnect({ factor: 0.5 }), /reconnect\.factor/);
    assert.throws(() => resolveReconnect({ delay: 5 } as never), /unknown reconnect option delay/);
  });

  test('which drops and failures are retried', () => {
    assert.equal(shouldReconnectAfterClose(1006), true);
    assert.equal(shouldReconnectAfterClose(1001), true);
    assert.equal(shouldReconnectAfterClose(1000), false);
    assert.equal(shouldReconnectAfterClose(1008), false);
    assert.equal(shouldRetryConnect(new ConnectError('ws://x', 'refused', { code: 'ECONNREFUSED' })), true);
    assert.equal(shouldRetryConnect(new ConnectError('ws://x', '503', { status: 503 })), true);
    assert.equal(shouldRetryConnect(new ConnectError('ws://x', '429', { status: 429 })), true);
    assert.equal(shouldRetryConnect(new ConnectError('ws://x', '401', { status: 401 })), false);
    assert.equal(shouldRetryConnect(new ConnectError('ws://x', '404', { status: 404 })), false);
  });
});

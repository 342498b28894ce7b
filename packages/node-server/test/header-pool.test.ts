import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeaderPool } from '../src/header-pool.js';

/** A copy of `text` that is a different string object (as Node makes for each request). */
const fresh = (text: string): string => [...text].join('');

test('repeated values of shareable headers are replaced by one pooled copy; the rest is left as it is', () => {
  const pool = new HeaderPool();
  const first = pool.share({ host: fresh('example.com'), 'sec-websocket-key': fresh('k1'), 'x-custom': fresh('same') });
  const second = pool.share({ host: fresh('example.com'), 'sec-websocket-key': fresh('k2'), 'x-custom': fresh('same') });
  assert.deepEqual(second, { host: 'example.com', 'sec-websocket-key': 'k2', 'x-custom': 'same' }, 'the values read the same');
  // Object identity of strings is not observable in JS; the pool's Map is: a pooled value is found again.
  const pooled = (pool as unknown as { values: Map<string, string> }).values;
  assert.deepEqual([...pooled.keys()], ['example.com']);
});

test('the pool is bounded: at most maxValues values, none longer than 256 characters', () => {
  const pool = new HeaderPool(2);
  const pooled = (pool as unknown as { values: Map<string, string> }).values;
  pool.share({ 'user-agent': 'u'.repeat(257) });
  assert.equal(pooled.size, 0);
  for (const host of ['a', 'b', 'c', 'd']) assert.deepEqual(pool.share({ host }), { host });
  assert.deepEqual([...pooled.keys()], ['a', 'b']);
});

test('share() returns an equal copy, arrays of values included, and leaves the request\'s object alone', () => {
  const pool = new HeaderPool();
  const headers = { host: 'example.com', 'x-many': ['a', 'b'], 'sec-websocket-key': 'k', upgrade: 'websocket', connection: 'Upgrade', 'x-more': 'm' };
  const kept = pool.share(headers);
  assert.notEqual(kept, headers);
  assert.deepEqual(kept, headers);
  assert.deepEqual(Object.keys(kept), Object.keys(headers), 'in the same order');
});

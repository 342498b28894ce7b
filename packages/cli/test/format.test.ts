import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMessage, parseHex } from '../src/format.js';

test('formatMessage: binary as hex, JSON pretty only when asked and only for objects and arrays, cut at a limit', () => {
  assert.equal(formatMessage(new Uint8Array([0, 15, 255])), '<binary 3 bytes: 00 0f ff>');
  assert.equal(formatMessage(new Uint8Array([])), '<binary 0 bytes>');
  assert.equal(formatMessage(new Uint8Array([1, 2, 3]), { limit: 2 }), '<binary 3 bytes: 01 02 …>');
  assert.equal(formatMessage('{"a":1}'), '{"a":1}');
  assert.equal(formatMessage('{"a":1}', { json: true }), '{\n  "a": 1\n}');
  assert.equal(formatMessage('42', { json: true }), '42');
  assert.equal(formatMessage('{oops', { json: true }), '{oops');
  assert.equal(formatMessage('héllo wörld', { limit: 5 }), 'héllo… (13 bytes)');
  assert.equal(formatMessage('a\nb', { oneLine: true }), '"a\\nb"');
  assert.equal(formatMessage('a\nb'), 'a\nb');
});

test('parseHex: hex digits with or without spaces; anything else is undefined', () => {
  assert.deepEqual(parseHex('01 ff'), new Uint8Array([1, 255]));
  assert.deepEqual(parseHex('01ff'), new Uint8Array([1, 255]));
  assert.deepEqual(parseHex(''), new Uint8Array([]));
  assert.equal(parseHex('0'), undefined);
  assert.equal(parseHex('zz'), undefined);
});

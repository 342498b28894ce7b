import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWireMessage, encodeHello, encodePacket } from '../src/codec.js';

test('packets keep text and bytes as they are, compactly', () => {
  const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (const data of [everyByte, new Uint8Array(0), '', 'héllo ✓ 🚀', '{"json":true}']) {
    const packet = { data, rooms: ['a', 'b:c'], except: ['id-1'] };
    const decoded = decodeWireMessage(encodePacket('node-1', packet));
    assert.ok(decoded.kind === 'packet');
    const { data: got, ...rest } = decoded.packet;
    assert.deepEqual(rest, { rooms: ['a', 'b:c'], except: ['id-1'] });
    assert.equal(decoded.nodeId, 'node-1');
    if (typeof data === 'string') assert.equal(got, data);
    else assert.deepEqual(new Uint8Array(got as Uint8Array), data);
  }
  const big = new Uint8Array(10_000).fill(7);
  const encoded = encodePacket('0123456789abcdef0123456789abcdef0123', { data: big, rooms: [], except: [] });
  assert.ok(encoded.length < big.length + 64, `a binary packet costs ${encoded.length - big.length} bytes more than its data`);
  assert.deepEqual(decodeWireMessage(encodeHello('n')), { kind: 'hello', nodeId: 'n' });
});

test('anything else is refused with a TypeError saying what is wrong', () => {
  assert.throws(() => decodeWireMessage(Buffer.from([0x93, 0x02, 0x01, 0xa1, 0x78])), /not a corows message of format 1/);
  assert.throws(() => decodeWireMessage(Buffer.from([0x93, 0x01, 0x07, 0xa1, 0x78])), /unknown kind 7/);
  assert.throws(() => decodeWireMessage(Buffer.from([0x92, 0x01, 0x01])), /without a node id/);
  assert.throws(() => decodeWireMessage(Buffer.from('plain text')), (err: unknown) => err instanceof TypeError && /not MessagePack/.test(err.message));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { CLUSTER_LANES, RedisKeys } from '../src/keys.js';

test('on a cluster, every name of a room hashes to one slot, whatever the room is called', () => {
  const keys = new RedisKeys('app', true);
  for (const room of ['lobby', 'a}b', '{x}', '}', '{', 'ü 🚀', 'room:with:colons']) {
    const slots = [keys.roomNodes(room), keys.nodeMembers('node-1', room), keys.nodeMembers('node-2', room), keys.roomChannel(room)].map((name) => calculateSlot(name));
    assert.equal(new Set(slots).size, 1, `room ${JSON.stringify(room)}: ${slots.join(', ')}`);
  }
  assert.notEqual(calculateSlot(keys.roomChannel('lobby')), calculateSlot(keys.roomChannel('kitchen')), 'rooms spread over slots');
});

test('the lanes spread evenly over the slots, the same on every node; a node always uses the same lane', () => {
  const keys = new RedisKeys('app', true);
  assert.equal(keys.lanes.length, CLUSTER_LANES);
  const share = 16_384 / CLUSTER_LANES;
  for (const [i, lane] of keys.lanes.entries()) assert.equal(Math.floor(calculateSlot(lane) / share), i, lane);
  assert.deepEqual(new RedisKeys('app', true).lanes, keys.lanes);
  assert.equal(keys.laneOf('node-1'), keys.laneOf('node-1'));
  const used = new Set(Array.from({ length: 200 }, (_, i) => keys.laneOf(`node-${i}`)));
  assert.equal(used.size, CLUSTER_LANES, 'many nodes use every lane');
});

test('on a single Redis the names stay as they were (no hash tags, one channel)', () => {
  const keys = new RedisKeys('app');
  assert.deepEqual([keys.channel, keys.roomNodes('r'), keys.nodeMembers('n', 'r'), keys.lanes], ['app:packets', 'app:room:r', 'app:members:n:r', []]);
});

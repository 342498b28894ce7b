// CommonJS users load the ESM-only packages with require() (Node ^20.19 or >=22.12, the engines range).
const assert = require('node:assert/strict');

for (const [name, exported] of [
  ['@corows/core', 'connectToWebsocket'],
  ['@corows/node-server', 'createWebsocketServer'],
  ['@corows/redis-adapter', 'RedisAdapter'],
  ['@corows/browser', 'connectToWebsocket'],
]) {
  assert.equal(typeof require(name)[exported], 'function', `require('${name}').${exported}`);
}
// The Redis adapter loads and configures without a Redis (it connects only when a server starts it).
const { RedisAdapter } = require('@corows/redis-adapter');
assert.equal(new RedisAdapter({ redis: 'redis://127.0.0.1:6379' }).status, 'idle');
console.log('require() of every package: ok');

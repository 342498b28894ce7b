import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket } from '../src/index.js';

// Node's `#dial` (packages/core/src/dial.ts) checks the header table before any network work (headers
// sent and refused handshakes: connect.test.ts). The browser's `#dial` is proven in Chromium by e2e/.

test('an invalid header is refused with a TypeError naming it, before any network work', async () => {
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9/', { 'bad name': 'x' }), { name: 'TypeError', message: /invalid header name "bad name"/ });
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9/', { upgrade: 'x' }), { name: 'TypeError', message: /"upgrade" is set by the WebSocket handshake itself/ });
  await assert.rejects(connectToWebsocket('ws://127.0.0.1:9/', { a: 'x\r\ny' }), { name: 'TypeError', message: /header "a" has a line break/ });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AdapterHost, BroadcastPacket } from '@corows/node-server';
import { RedisAdapter } from '../src/index.js';
import { defer, startRedis, startServer, waitFor } from './helpers.js';
import { SKIP_WITHOUT_REDIS } from './redis-server.js';

const PREFIX = 'publish-first';
const LOCAL_FAN_OUT_MS = 400;

/** Another process subscribed to the packet channel: prints `ready`, then the wall-clock time of the first packet. */
const SUBSCRIBER = `
  const { Redis } = await import('ioredis');
  const sub = new Redis(process.argv[1]);
  sub.on('message', () => { console.log(String(Date.now())); process.exit(0); });
  await sub.subscribe(process.argv[2]);
  console.log('ready');
`;

test('a broadcast is published before this node writes to its own connections, so the other nodes need not wait for them', { skip: SKIP_WITHOUT_REDIS }, async (t) => {
  const redis = await startRedis(t);
  // Another node on the same Redis, so that this one is not alone and publishes.
  await startServer(t, { adapter: new RedisAdapter({ redis: redis.url, prefix: PREFIX, heartbeatInterval: 100 }) });

  let fanOut: { start: number; end: number } | undefined;
  const host: AdapterHost = {
    nodeId: 'slow-node',
    deliver() {
      // A node with many connections: its own fan-out takes a while, synchronously.
      const start = Date.now();
      while (Date.now() - start < LOCAL_FAN_OUT_MS);
      fanOut = { start, end: Date.now() };
      return 1;
    },
    localMembers: () => new Set(),
    reportError: (err) => assert.fail(err),
  };
  const adapter = new RedisAdapter({ redis: redis.url, prefix: PREFIX, heartbeatInterval: 100 });
  await adapter.start(host);
  defer(t, () => adapter.close());
  await waitFor(() => !adapter.alone && adapter.status === 'ready', 'the adapter to see the other node');

  const subscriber = spawn(process.execPath, ['--input-type=module', '-e', SUBSCRIBER, redis.url, `${PREFIX}:packets`], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  defer(t, () => subscriber.kill());
  const lines = createInterface({ input: subscriber.stdout })[Symbol.asyncIterator]();
  assert.equal((await lines.next()).value, 'ready');

  const packet: BroadcastPacket = { data: 'to everyone', rooms: [], except: [] };
  await adapter.broadcast(packet);
  const heard = Number((await lines.next()).value);
  await once(subscriber, 'exit');
  assert.ok(fanOut !== undefined, 'delivered locally');
  assert.ok(heard < fanOut.end, `the other process had it ${heard - fanOut.start} ms into this node's ${LOCAL_FAN_OUT_MS} ms fan-out, not after it`);
});

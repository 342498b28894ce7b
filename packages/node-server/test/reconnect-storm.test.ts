import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket, type WebSocketConn } from '../src/index.js';
import { nextEvent } from './events.js';
import { deferred, startServer } from './helpers.js';

const LIMIT = { timeout: 20_000 };

test('a server that accepts and closes at once (1013) sees the delays keep growing: a link that drops before stableAfter is a failed attempt', LIMIT, async (t) => {
  const { url } = await startServer(t, (conn) => void conn.close(1013, 'overloaded'));
  const conn = await connectToWebsocket(url, { reconnect: { initialDelay: 10, factor: 2, jitter: 0, maxDelay: 10_000 } });
  t.after(() => conn.terminate());
  const delays: number[] = [];
  const attempts: number[] = [];
  const five = deferred();
  conn.on('reconnecting', (attempt, delay) => {
    attempts.push(attempt);
    delays.push(delay);
    if (delays.length === 5) five.resolve();
  });
  await five.promise;
  assert.deepEqual(delays, [10, 20, 40, 80, 160]);
  assert.deepEqual(attempts, [1, 2, 3, 4, 5]);
});

test('maxAttempts counts links that drop before stableAfter: a flapping server is given up on', LIMIT, async (t) => {
  const { url } = await startServer(t, (conn) => void conn.close(1013, 'overloaded'));
  const conn = await connectToWebsocket(url, { reconnect: { initialDelay: 5, jitter: 0, maxAttempts: 3 } });
  const [code, reason] = await nextEvent(conn, 'close');
  assert.equal(code, 1013);
  assert.match(reason, /^gave up reconnecting after 3 attempts/);
});

test('a link that stayed open for stableAfter is a success: the delays start again from initialDelay', LIMIT, async (t) => {
  let accepted = 0;
  const { url } = await startServer(t, (conn) => {
    accepted += 1;
    // The third link stays until the client says it has been open long enough; the others drop at once.
    if (accepted !== 3) void conn.close(1013, 'overloaded');
    else conn.whenNewMsg((msg) => msg === 'stable now' && void conn.close(1012, 'restart'));
  });
  const conn = await connectToWebsocket(url, { reconnect: { initialDelay: 10, factor: 2, jitter: 0, stableAfter: 50 } });
  t.after(() => conn.terminate());
  const delays: number[] = [];
  const done = deferred();
  conn.on('reconnecting', (_attempt, delay) => {
    delays.push(delay);
    if (delays.length === 3) done.resolve();
  });
  conn.on('open', () => {
    if (accepted === 3) setTimeout(() => void conn.sendMessage('stable now'), 80); // past stableAfter (50 ms)
  });
  await done.promise;
  assert.deepEqual(delays, [10, 20, 10], 'after the stable link the backoff starts over');
});

test("'open' fires before the held messages go: what its listeners send first (re-authenticating) arrives first, on every link", LIMIT, async (t) => {
  const links: string[][] = [];
  const secondLinkHasThree = deferred();
  const { url } = await startServer(t, (peer) => {
    const got: string[] = [];
    links.push(got);
    peer.whenNewMsg((msg) => {
      if (msg === null) return;
      got.push(String(msg));
      if (links.length === 1 && msg === '"auth"') void peer.close(1012, 'restarting');
      if (links.length === 2 && got.length === 3) secondLinkHasThree.resolve();
    });
  });
  const conn: WebSocketConn = await connectToWebsocket(url, { reconnect: { initialDelay: 30, jitter: 0 } });
  t.after(() => conn.terminate());
  const authenticate = (): void => void conn.send('auth');
  conn.on('reconnecting', () => {
    void conn.sendMessage('held-1');
    void conn.sendMessage('held-2');
  });
  conn.on('open', authenticate); // every later link
  authenticate(); // the first link
  await secondLinkHasThree.promise;
  assert.deepEqual(links[0], ['"auth"']);
  assert.deepEqual(links[1], ['"auth"', 'held-1', 'held-2']);
});

test("'open' and 'reconnecting' listeners that throw neither stop the reconnect nor the held messages", LIMIT, async (t) => {
  const received = deferred<string>();
  let links = 0;
  const { url } = await startServer(t, (peer) => {
    links += 1;
    if (links === 1) void peer.close(1012, 'restarting');
    else peer.whenNewMsg((msg) => msg !== null && received.resolve(String(msg)));
  });
  const conn = await connectToWebsocket(url, { reconnect: { initialDelay: 10, jitter: 0 } });
  t.after(() => conn.terminate());
  const errors: Error[] = [];
  conn.on('error', (err) => errors.push(err));
  conn.on('reconnecting', () => {
    void conn.sendMessage('held');
    throw new Error('boom in reconnecting');
  });
  conn.on('open', () => {
    throw new Error('boom in open');
  });
  assert.equal(await received.promise, 'held');
  assert.ok(errors.some((err) => /'reconnecting' listener threw: boom in reconnecting/.test(err.message)));
  assert.ok(errors.some((err) => /'open' listener threw: boom in open/.test(err.message)));
});

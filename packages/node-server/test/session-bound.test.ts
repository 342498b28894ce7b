// A client's session bound exceeded while no link carries the session and a new link is being dialled
// (PROTOCOL.md §5.3, §5.4): the session ends with the reason, the send that went past the bound is told
// so, the requests of the ended session reject at once, and the client goes on in a new session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectToWebsocket, ConnectionClosedError, type CorowsError } from '@corows/core';
import type { ServerConn } from '../src/index.js';
import { startServer, waitFor } from './helpers.js';
import { ChaosProxy } from './support/chaos-proxy.js';

/** `promise`'s outcome, or a failure naming `what` if it takes longer than `ms` (a request left hanging). */
function settledWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  const outcome = promise.then(
    (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}

test('a client bound exceeded while a dial is under way ends the session with the reason; sends are told, requests reject, the client goes on in a new session', { timeout: 30_000 }, async (t) => {
  const conns: ServerConn[] = [];
  const { port } = await startServer(t, (conn) => {
    conns.push(conn);
    conn.whenRequest((value) => {
      if (value !== 'A') return value;
      void conn.sendMessage('A arrived');
      return new Promise(() => undefined); // its reply would come in the old session, never to this client
    });
  }, { resume: { window: 300 }, keepAlive: false });
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port } });
  const client = await connectToWebsocket(proxy.url, {
    resume: { maxUnacked: 4 },
    reconnect: { initialDelay: 5, maxDelay: 20, maxAttempts: 100 },
    timeout: 1_000, // each attempt: the black-holed one fails after it
  });
  t.after(() => client.terminate());
  const firstId = client.session?.id;
  assert.ok(firstId !== undefined, 'a session');

  // A request in flight on the live link; the message after it proves its unit was acknowledged.
  const inFlight = client.request('A', { timeout: 20_000 });
  assert.equal(await client.receiveMessage({ timeout: 5_000 }), 'A arrived');

  proxy.failNewLinks('blackhole');
  proxy.cut('rst');
  await waitFor(() => proxy.counters.failedAtAccept >= 1, 'a new link to be dialled (into a black hole)');
  assert.equal(client.state, 'CONNECTING');

  const reset = new Promise<[string, number]>((resolve) => client.once('reset', (reason, missing) => resolve([reason, missing])));
  const held = client.request('B', { timeout: 20_000 });
  const sends = await Promise.all(['m1', 'm2', 'm3'].map((text) => client.sendMessage(text)));
  assert.deepEqual(sends, [null, null, null], 'held while away, within the bound');
  const over = await client.sendMessage('m4');
  assert.equal((over as CorowsError | null)?.code, 'ERR_SESSION_BOUND');
  assert.match(String(over), /send refused: session bound exceeded: more than 4 messages unacknowledged; the session ended/);

  const [reason, missing] = await settledWithin(reset, 2_000, 'reset').then((outcome) => (outcome.status === 'fulfilled' ? outcome.value : assert.fail(String(outcome.reason))));
  assert.match(reason, /^session bound exceeded: more than 4 messages unacknowledged$/);
  assert.equal(missing, 4, 'B, m1, m2, m3 may be missing');

  for (const [name, request] of [['A (in flight on the lost link)', inFlight], ['B (held while away)', held]] as const) {
    const outcome = await settledWithin(request, 2_000, `request ${name}`);
    assert.equal(outcome.status, 'rejected', `request ${name} rejects`);
    const err = (outcome as PromiseRejectedResult).reason as Error;
    assert.ok(err instanceof ConnectionClosedError, `request ${name}: ${String(err)}`);
    assert.match(err.message, /^no reply: the session ended \(session bound exceeded: more than 4 messages unacknowledged\)/);
  }

  // The old session ends on the server too (its window), and the client goes on in a new one.
  const old = conns[0] as ServerConn;
  await waitFor(() => old.state === 'CLOSED', 'the old session to end on the server', 10_000);
  assert.match(old.closeReason ?? '', /session expired/);
  await proxy.acceptNewLinks();
  await waitFor(() => conns.length === 2 && client.session !== null, 'the new session', 10_000);
  assert.notEqual(client.session?.id, firstId, 'a new routing id');
  assert.equal(await client.request('C', { timeout: 5_000 }), 'C', 'requests work in the new session');
  assert.equal(await client.sendMessage('new'), null);
  assert.equal(await (conns[1] as ServerConn).receiveMessage({ timeout: 5_000 }), 'new', 'the held messages of the old session are not replayed in the new one');
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AbortError,
  ConnectionClosedError,
  connectToWebsocket,
  TimeoutError,
  WebSocketConn,
  type Message,
} from '../src/index.js';
import { closed, deferred, nextConn, startServer } from './helpers.js';

/** A connected pair: our client and the server's side of the same connection. */
async function pair(t: Parameters<typeof startServer>[0], options?: Parameters<typeof startServer>[2]) {
  const { server, url } = await startServer(t, undefined, options);
  const accepted = nextConn(server);
  const client = await connectToWebsocket(url);
  const peer = await accepted;
  t.after(() => client.terminate());
  return { server, url, client, peer };
}

describe('sending', () => {
  test('sendMessage sends one text frame and resolves null once written', async (t) => {
    const { client, peer } = await pair(t);
    assert.equal(await client.sendMessage('hello'), null);
    assert.equal(await peer.receiveMessage(), 'hello');
  });

  test('send() sends JSON text; a value JSON cannot encode resolves a TypeError and sends nothing', async (t) => {
    const { client, peer } = await pair(t);
    assert.equal(await client.send({ author: 'somebody', age: 18 }), null);
    assert.equal(await peer.receiveMessage(), '{"author":"somebody","age":18}');

    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [cyclic, 10n, undefined, () => 1]) {
      const err = await client.send(bad);
      assert.ok(err instanceof TypeError, `send(${typeof bad}) should resolve a TypeError`);
      assert.match(err.message, /JSON/);
    }
    await client.sendMessage('after');
    assert.equal(await peer.receiveMessage(), 'after', 'nothing was sent for the bad values');
  });

  test('sendBinary sends one binary frame, received as a Uint8Array', async (t) => {
    const { client, peer } = await pair(t);
    assert.equal(await client.sendBinary(new Uint8Array([1, 2, 255])), null);
    assert.equal(await client.sendBinary(new Uint8Array([9, 8]).buffer), null);
    const first = await peer.receiveMessage();
    assert.ok(first instanceof Uint8Array);
    assert.deepEqual([...first], [1, 2, 255]);
    assert.deepEqual([...((await peer.receiveMessage()) as Uint8Array)], [9, 8]);
  });

  test('wrong argument types resolve a TypeError naming the fix, never throw', async (t) => {
    const { client } = await pair(t);
    const err = await client.sendMessage({ a: 1 } as unknown as string);
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /sendMessage\(\) takes a string, got Object; use send\(\)/);
    assert.ok((await client.sendBinary('text' as unknown as Uint8Array)) instanceof TypeError);
  });

  test('sends after close resolve a ConnectionClosedError and never reject, even un-awaited', async (t) => {
    const { client, peer } = await pair(t);
    await peer.close();
    await closed(client);
    for (const result of [client.sendMessage('x'), client.send({}), client.sendBinary(new Uint8Array(1))]) {
      const err = await result;
      assert.ok(err instanceof ConnectionClosedError);
      assert.match(err.message, /cannot send.*: the connection is CLOSED \(close code 1000\)/);
      assert.equal(err.closeCode, 1000);
    }
  });

  test('sends resolve in call order, each once written: a peer that stops reading holds back the later ones', async (t) => {
    // The server reads one message and then stops reading (maxQueue 1, nobody receives), so 32 MiB
    // cannot all pass the loopback's socket buffers (a few MiB) until it reads again.
    const { client, peer } = await pair(t, { maxQueue: 1 });
    const chunk = 'x'.repeat(64 * 1024);
    const count = 512;
    const order: number[] = [];
    const sends = Array.from({ length: count }, (_, i) => client.sendMessage(chunk).then((result) => (order.push(i), result)));
    assert.equal(await sends[0], null);
    assert.ok(order.length < count, 'every send resolved while the peer was not reading: a send resolved before it was written');
    let received = 0;
    for await (const msg of peer) {
      assert.equal(msg, chunk);
      if (++received === count) break;
    }
    assert.deepEqual(await Promise.all(sends), Array(count).fill(null));
    assert.deepEqual(order, Array.from({ length: count }, (_, i) => i), 'sends resolved out of call order');
  });

  test('the sends of one tick are written together at its end, on both sides', async (t) => {
    const { client, peer } = await pair(t);
    for (const conn of [client, peer]) {
      const sends = [conn.sendMessage('a'), conn.sendMessage('b'), conn.sendMessage('c')];
      assert.ok(conn.bufferedAmount > 0, 'held back until the tick ends (written at once, it would be in the kernel already)');
      await new Promise<void>((resolve) => process.nextTick(resolve));
      assert.equal(conn.bufferedAmount, 0, 'written when the tick ends');
      assert.deepEqual(await Promise.all(sends), [null, null, null]);
    }
    assert.deepEqual([await peer.receiveMessage(), await peer.receiveMessage(), await peer.receiveMessage()], ['a', 'b', 'c']);
    assert.deepEqual([await client.receiveMessage(), await client.receiveMessage(), await client.receiveMessage()], ['a', 'b', 'c']);
  });

  test('a burst in one tick is written as it goes past 64 KiB: what waits stays bounded', async (t) => {
    const { client, peer } = await pair(t);
    const chunk = 'y'.repeat(1024);
    let most = 0;
    const sends: Promise<Error | null>[] = [];
    for (let i = 0; i < 1024; i++) {
      sends.push(client.sendMessage(chunk));
      most = Math.max(most, client.bufferedAmount);
    }
    // 1 MiB in all: without the bound it would all wait until the tick ends.
    assert.ok(most < 1024 * 1024 / 2, `${most} bytes waited at once`);
    assert.ok((await Promise.all(sends)).every((result) => result === null));
    let received = 0;
    for await (const msg of peer) {
      assert.equal(msg, chunk);
      if (++received === 1024) break;
    }
  });

  test('a send racing a peer that drops resolves an Error, not an unhandled rejection', async (t) => {
    const { client, peer } = await pair(t);
    peer.terminate();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.sendMessage(`m${i}`)));
    for (const result of results) assert.ok(result === null || result instanceof Error);
  });
});

describe('receiving', () => {
  test('a text frame arrives as a string, a binary frame as a Uint8Array', async (t) => {
    const { client, peer } = await pair(t);
    await peer.sendMessage('text');
    await peer.sendBinary(new Uint8Array([0, 1]));
    assert.equal(typeof (await client.receiveMessage()), 'string');
    assert.ok((await client.receiveMessage()) instanceof Uint8Array);
  });

  test('several pending receives are served in call order', async (t) => {
    const { client, peer } = await pair(t);
    const pending = [client.receiveMessage(), client.receiveMessage(), client.receiveMessage()];
    for (const msg of ['1', '2', '3']) void peer.sendMessage(msg);
    assert.deepEqual(await Promise.all(pending), ['1', '2', '3']);
  });

  test('messages nobody waits for are kept, in order, until a receive or a handler comes (seed: dropped)', async (t) => {
    const { client, peer } = await pair(t);
    const seen = new Promise<void>((resolve) => {
      let n = 0;
      client.on('message', () => {
        if (++n === 3) resolve();
      });
    });
    for (const msg of ['a', 'b', 'c']) await peer.sendMessage(msg);
    await seen;
    assert.equal(client.queuedMessages, 3);
    assert.equal(await client.receiveMessage(), 'a');
    const handled: Array<Message | null> = [];
    const done = deferred();
    client.whenNewMsg((msg) => {
      handled.push(msg);
      if (handled.length === 2) done.resolve();
    });
    await done.promise;
    assert.deepEqual(handled, ['b', 'c']);
  });

  test('a receive made right after whenNewMsg intercepts the next message; the handler gets the rest', async (t) => {
    const { client, peer } = await pair(t);
    const handled: Array<Message | null> = [];
    const twoHandled = deferred();
    client.whenNewMsg((msg) => {
      handled.push(msg);
      if (handled.length === 2) twoHandled.resolve();
    });
    const first = client.receiveMessage();
    for (const msg of ['one', 'two', 'three']) void peer.sendMessage(msg);
    assert.equal(await first, 'one');
    await twoHandled.promise;
    assert.deepEqual(handled, ['two', 'three']);
  });

  test('a receive loop beside a handler gets every message, even back to back (seed: frames lost)', async (t) => {
    const { client, peer } = await pair(t);
    const handled: unknown[] = [];
    client.whenNewMsg((msg) => handled.push(msg));
    const received: unknown[] = [];
    const loop = (async () => {
      for (let i = 0; i < 200; i++) received.push(await client.receiveMessage());
    })();
    // One burst: many frames land in one network read.
    for (let i = 0; i < 200; i++) void peer.sendMessage(String(i));
    await loop;
    assert.deepEqual(received, Array.from({ length: 200 }, (_, i) => String(i)));
    assert.deepEqual(handled, []);
  });

  test('100k pipelined messages arrive complete and in order', async (t) => {
    const { client, peer } = await pair(t);
    const total = 100_000;
    const done = deferred<string[]>();
    const got: string[] = [];
    client.whenNewMsg((msg) => {
      if (typeof msg === 'string') got.push(msg);
      if (got.length === total) done.resolve(got);
    });
    for (let i = 0; i < total; i++) void peer.sendMessage(String(i));
    const all = await done.promise;
    for (let i = 0; i < total; i++) if (all[i] !== String(i)) assert.fail(`message ${i} is ${all[i]}`);
  });

  test('receive timeout rejects TimeoutError and takes no message', async (t) => {
    const { client, peer } = await pair(t);
    const next = client.receiveMessage();
    await assert.rejects(client.receiveMessage({ timeout: 1 }), TimeoutError);
    const later = client.receiveMessage({ timeout: 30 });
    await assert.rejects(later, (err: Error) => err instanceof TimeoutError && /receiveMessage\(\) timed out after 30 ms/.test(err.message));
    await peer.sendMessage('m1');
    await peer.sendMessage('m2');
    assert.equal(await next, 'm1');
    assert.equal(await client.receiveMessage(), 'm2');
  });

  test('an aborted receive rejects AbortError and the next in line gets the message', async (t) => {
    const { client, peer } = await pair(t);
    const controller = new AbortController();
    const aborted = client.receiveMessage({ signal: controller.signal });
    const next = client.receiveMessage();
    controller.abort();
    await assert.rejects(aborted, AbortError);
    await peer.sendMessage('m');
    assert.equal(await next, 'm');
  });

  test('for await reads like repeated receiveMessage() and ends at close', async (t) => {
    const { client, peer } = await pair(t);
    for (const msg of ['a', 'b', 'c']) await peer.sendMessage(msg);
    void peer.close();
    const got: Message[] = [];
    for await (const msg of client) got.push(msg);
    assert.deepEqual(got, ['a', 'b', 'c']);
  });

  test('a throwing or rejecting handler is reported through error and delivery goes on', async (t) => {
    const { client, peer } = await pair(t);
    const errors: Error[] = [];
    client.on('error', (err) => errors.push(err));
    const handled: unknown[] = [];
    const done = deferred();
    client.whenNewMsg(async (msg) => {
      handled.push(msg);
      if (msg === 'throw') throw new Error('handler bug');
      if (msg === 'last') done.resolve();
    });
    for (const msg of ['throw', 'ok', 'last']) await peer.sendMessage(msg);
    await done.promise;
    assert.deepEqual(handled, ['throw', 'ok', 'last']);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /whenNewMsg handler failed: handler bug/);
    assert.equal((errors[0]!.cause as Error).message, 'handler bug');
  });

  test('with no error listener, a handler failure goes to console.error and the process lives', async (t) => {
    const { client, peer } = await pair(t);
    const logged: unknown[][] = [];
    t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
    const done = deferred();
    client.whenNewMsg((msg) => {
      if (msg === 'boom') throw new Error('unheard');
      done.resolve();
    });
    await peer.sendMessage('boom');
    await peer.sendMessage('after');
    await done.promise;
    assert.equal(logged.length, 1);
    assert.match(String((logged[0]![1] as Error).message), /unheard/);
  });

  test('whenNewMsg with a non-function throws a TypeError', async (t) => {
    const { client } = await pair(t);
    assert.throws(() => client.whenNewMsg('nope' as never), /whenNewMsg\(\) takes a function, got string/);
  });
});

describe('closing', () => {
  test('a pending receive gets null; the handler gets null exactly once', async (t) => {
    const { client, peer } = await pair(t);
    const pending = client.receiveMessage();
    const handled: unknown[] = [];
    client.whenNewMsg((msg) => handled.push(msg));
    await peer.close(4000, 'bye');
    assert.equal(await pending, null);
    await closed(client);
    await new Promise((resolve) => setImmediate(resolve)); // the handler is called after the current task
    assert.deepEqual(handled, [null]);
    assert.equal(await client.receiveMessage(), null);
    assert.equal(await client.receiveMessage(), null);
  });

  test('buffered messages are still readable after close, then null, at once, every time', async (t) => {
    const { client, peer } = await pair(t);
    for (const msg of ['a', 'b']) await peer.sendMessage(msg);
    await peer.close();
    await closed(client);
    assert.equal(await client.receiveMessage(), 'a');
    assert.equal(await client.receiveMessage(), 'b');
    assert.equal(await client.receiveMessage(), null);
    assert.equal(await client.receiveMessage({ timeout: 1 }), null);
  });

  test('close codes and reasons reach both ends; state moves OPEN → CLOSING → CLOSED', async (t) => {
    const { client, peer } = await pair(t);
    assert.equal(client.state, 'OPEN');
    assert.equal(client.online, true);
    const peerClosed = new Promise<[number, string]>((resolve) => peer.once('close', (code, reason) => resolve([code, reason])));
    const closing = client.close(4001, 'client done');
    assert.equal(client.state, 'CLOSING');
    assert.equal(client.online, false);
    await closing;
    assert.equal(client.state, 'CLOSED');
    assert.equal(client.closeCode, 4001);
    assert.equal(client.closeReason, 'client done');
    assert.deepEqual(await peerClosed, [4001, 'client done']);
    assert.equal(peer.closeCode, 4001);
  });

  test('close() is idempotent and resolves for every caller', async (t) => {
    const { client } = await pair(t);
    await Promise.all([client.close(), client.close(4002, 'ignored'), client.close()]);
    assert.equal(client.closeCode, 1000);
    await client.close();
  });

  test('close() with an invalid code or a too long reason rejects a RangeError and keeps the connection', async (t) => {
    const { client, peer } = await pair(t);
    await assert.rejects(client.close(1005), (err: Error) => err instanceof RangeError && /close\(1005/.test(err.message));
    await assert.rejects(client.close(1000, 'x'.repeat(124)), RangeError);
    assert.equal(client.state, 'OPEN');
    await client.sendMessage('still open');
    assert.equal(await peer.receiveMessage(), 'still open');
  });

  test('an abrupt drop closes with 1006', async (t) => {
    const { client, peer } = await pair(t);
    peer.terminate();
    assert.equal(await closed(client), 1006);
    assert.equal(client.closeCode, 1006);
  });

  test('what was sent in the same tick before terminate() is written before the drop', async (t) => {
    const { client, peer } = await pair(t);
    void peer.sendMessage('last words');
    peer.terminate();
    assert.equal(await client.receiveMessage(), 'last words');
    assert.equal(await closed(client), 1006);
  });
});

describe('identity and events', () => {
  test('server side: headers (lower-case) and url of the upgrade request; client side: what was sent', async (t) => {
    const { server, url } = await startServer(t);
    const accepted = nextConn(server);
    const client = await connectToWebsocket(`${url}/path/to/ws_api?room=1`, {
      header1: ['a', 2, 'c'],
      header2: ['some headers'],
      header3: 'header3,some values',
    });
    t.after(() => client.terminate());
    const peer = await accepted;
    assert.ok(peer instanceof WebSocketConn);
    assert.equal(peer.url, '/path/to/ws_api?room=1');
    assert.equal(peer.headers.header1, 'a, 2, c');
    assert.equal(peer.headers.header2, 'some headers');
    assert.equal(peer.headers.header3, 'header3,some values');
    assert.equal(peer.remoteAddress, '127.0.0.1');
    assert.equal(client.url, `${url}/path/to/ws_api?room=1`);
    assert.deepEqual(client.headers.header1, ['a', '2', 'c']);
  });

  test('the message event sees every message, consumed or not; pong answers ping', async (t) => {
    const { client, peer } = await pair(t);
    const observed: Message[] = [];
    client.on('message', (msg) => observed.push(msg));
    const consumed = client.receiveMessage();
    await peer.sendMessage('x');
    await peer.sendMessage('y');
    assert.equal(await consumed, 'x');
    assert.equal(await client.receiveMessage(), 'y');
    assert.deepEqual(observed, ['x', 'y']);

    const pong = new Promise<void>((resolve) => client.once('pong', resolve));
    assert.equal(client.ping(), true);
    await pong;
  });

  test('the close event carries code and reason', async (t) => {
    const { client, peer } = await pair(t);
    const closed = new Promise<[number, string]>((resolve) => client.once('close', (code, reason) => resolve([code, reason])));
    await peer.close(4100, 'because');
    assert.deepEqual(await closed, [4100, 'because']);
  });
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { AbortError, TimeoutError } from '../src/errors.js';
import { Fifo } from '../src/fifo.js';
import { Inbox, type InboxFlow } from '../src/inbox.js';
import type { Message } from '../src/types.js';

// The inbox is pure logic (no socket): these tests pin its rules; the wire tests live in node-server.

/** An inbox whose calls to its connection go to `hooks`. */
function makeInbox(maxQueue = 100, hooks: Partial<InboxFlow> = {}): Inbox {
  return new Inbox(maxQueue, {
    pause: () => hooks.pause?.(),
    resume: () => hooks.resume?.(),
    handlerFailed: (err) => hooks.handlerFailed?.(err),
  });
}

/** Lets every queued microtask run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Inbox priority', () => {
  test('a pending receive gets the message before the handler', async () => {
    const inbox = makeInbox();
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    const first = inbox.receive();
    inbox.deliver('a');
    inbox.deliver('b');
    assert.equal(await first, 'a');
    await settle();
    assert.deepEqual(handled, ['b']);
  });

  test('several pending receives are served in call order', async () => {
    const inbox = makeInbox();
    const calls = [inbox.receive(), inbox.receive(), inbox.receive()];
    for (const msg of ['1', '2', '3']) inbox.deliver(msg);
    assert.deepEqual(await Promise.all(calls), ['1', '2', '3']);
  });

  test('with neither, messages wait in order for whichever comes first', async () => {
    const inbox = makeInbox();
    for (const msg of ['1', '2', '3']) inbox.deliver(msg);
    assert.equal(await inbox.receive(), '1');
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    await settle();
    assert.deepEqual(handled, ['2', '3']);
  });

  test('a receive made synchronously right after setHandler still takes the next buffered message', async () => {
    const inbox = makeInbox();
    inbox.deliver('first');
    inbox.deliver('second');
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    assert.equal(await inbox.receive(), 'first');
    await settle();
    assert.deepEqual(handled, ['second']);
  });

  test('back-to-back messages: a receive loop woken by one message still takes the next', async () => {
    const inbox = makeInbox();
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    const received: unknown[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) received.push(await inbox.receive());
    })();
    await settle();
    // One network read carrying three frames: delivered synchronously one after another.
    inbox.deliver('x');
    inbox.deliver('y');
    inbox.deliver('z');
    await loop;
    assert.deepEqual(received, ['x', 'y', 'z']);
    assert.deepEqual(handled, []);
  });

  test('a new handler replaces the old one', async () => {
    const inbox = makeInbox();
    const first: unknown[] = [];
    const second: unknown[] = [];
    inbox.setHandler((msg) => first.push(msg));
    inbox.setHandler((msg) => second.push(msg));
    inbox.deliver('m');
    await settle();
    assert.deepEqual(first, []);
    assert.deepEqual(second, ['m']);
  });

  test('100k messages keep their order through the handler', async () => {
    const inbox = makeInbox(1_000_000);
    const handled: Message[] = [];
    inbox.setHandler((msg) => {
      if (msg !== null) handled.push(msg);
    });
    for (let i = 0; i < 100_000; i++) inbox.deliver(String(i));
    await settle();
    assert.equal(handled.length, 100_000);
    assert.ok(handled.every((msg, i) => msg === String(i)));
  });
});

describe('Inbox end', () => {
  test('pending receives get null; buffered messages stay readable, then null every time', async () => {
    const inbox = makeInbox();
    const pending = inbox.receive();
    inbox.end();
    assert.equal(await pending, null);

    const other = makeInbox();
    other.deliver('a');
    other.deliver('b');
    other.end();
    assert.equal(await other.receive(), 'a');
    assert.equal(await other.receive(), 'b');
    assert.equal(await other.receive(), null);
    assert.equal(await other.receive(), null);
  });

  test('the handler gets null exactly once, after the buffered messages', async () => {
    const inbox = makeInbox();
    inbox.deliver('a');
    inbox.end();
    inbox.end();
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    await settle();
    inbox.setHandler((msg) => handled.push(msg));
    await settle();
    assert.deepEqual(handled, ['a', null]);
  });

  test('the handler gets null when a receive takes the last buffered message after the end', async () => {
    const inbox = makeInbox();
    inbox.deliver('a');
    const handled: unknown[] = [];
    inbox.end();
    assert.equal(await inbox.receive(), 'a');
    inbox.setHandler((msg) => handled.push(msg));
    await settle();
    assert.deepEqual(handled, [null]);
  });
});

describe('Inbox cancel-safety', () => {
  test('a receive that times out rejects with TimeoutError and takes no message', async () => {
    const inbox = makeInbox();
    const late = inbox.receive({ timeout: 5 });
    const next = inbox.receive();
    await assert.rejects(late, TimeoutError);
    inbox.deliver('m');
    assert.equal(await next, 'm');
  });

  test('an aborted receive rejects with AbortError carrying the reason, and the next in line gets the message', async () => {
    const inbox = makeInbox();
    const controller = new AbortController();
    const aborted = inbox.receive({ signal: controller.signal });
    const next = inbox.receive();
    controller.abort('changed my mind');
    const err = await aborted.catch((e: unknown) => e);
    assert.ok(err instanceof AbortError);
    assert.equal(err.cause, 'changed my mind');
    inbox.deliver('m');
    assert.equal(await next, 'm');
  });

  test('an already aborted signal rejects at once even with messages buffered, and takes none', async () => {
    const inbox = makeInbox();
    inbox.deliver('m');
    await assert.rejects(inbox.receive({ signal: AbortSignal.abort() }), AbortError);
    assert.equal(await inbox.receive(), 'm');
  });

  test('an invalid timeout is a RangeError naming it', async () => {
    const inbox = makeInbox();
    await assert.rejects(inbox.receive({ timeout: -1 }), (err: Error) => err instanceof RangeError && /timeout/.test(err.message));
    await assert.rejects(inbox.receive({ timeout: Number.NaN }), RangeError);
  });

  test('a receive that resolved before its timer fires is not rejected later', async () => {
    const inbox = makeInbox();
    const got = inbox.receive({ timeout: 20 });
    inbox.deliver('m');
    assert.equal(await got, 'm');
    await new Promise((resolve) => setTimeout(resolve, 30));
    inbox.deliver('n');
    assert.equal(await inbox.receive(), 'n');
  });
});

describe('Inbox: giving up many receives costs linear time', () => {
  test('40,000 receives aborted by one signal: one listener on the signal, the queue is swept a few times, the next receive is served', async (t) => {
    const inbox = makeInbox();
    const controller = new AbortController();
    const adds = t.mock.method(controller.signal, 'addEventListener');
    const sweeps = t.mock.method(Fifo.prototype, 'retain');
    const given = Array.from({ length: 40_000 }, () => inbox.receive({ signal: controller.signal }));
    controller.abort(new Error('enough'));
    const outcomes = await Promise.allSettled(given);
    assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof AbortError));
    assert.equal(adds.mock.callCount(), 1, 'one listener on the signal for all the receives (Node searches its list on each add)');
    assert.ok(sweeps.mock.callCount() <= 16, `swept ${sweeps.mock.callCount()} times: about log2(n), not n`);
    const next = inbox.receive();
    inbox.deliver('after');
    assert.equal(await next, 'after');
  });

  test('20,000 receives that time out together: swept a few times, and a message after goes to the next receive', async (t) => {
    const inbox = makeInbox();
    const sweeps = t.mock.method(Fifo.prototype, 'retain');
    const given = Array.from({ length: 20_000 }, () => inbox.receive({ timeout: 20 }));
    const outcomes = await Promise.allSettled(given);
    assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof TimeoutError));
    assert.ok(sweeps.mock.callCount() <= 16, `swept ${sweeps.mock.callCount()} times`);
    const next = inbox.receive();
    inbox.deliver('after');
    assert.equal(await next, 'after');
  });

  test('cancelled receives between live ones are skipped in order, and end() settles only the live ones', async () => {
    const inbox = makeInbox();
    const controller = new AbortController();
    const first = inbox.receive();
    const gone = inbox.receive({ signal: controller.signal });
    const third = inbox.receive();
    const fourth = inbox.receive();
    controller.abort();
    await assert.rejects(gone, AbortError);
    inbox.deliver('a');
    inbox.deliver('b');
    assert.equal(await first, 'a');
    assert.equal(await third, 'b');
    inbox.end();
    assert.equal(await fourth, null);
  });

  test('a receive served a message disarms its signal and timer: no listener is left on a long-lived signal', async () => {
    const inbox = makeInbox();
    const controller = new AbortController();
    const served = inbox.receive({ signal: controller.signal, timeout: 60_000 });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    inbox.deliver('x');
    assert.equal(await served, 'x');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the abort listener is removed');
  });
});

describe('Inbox bounds and handler failures', () => {
  test('pauses at maxQueue and resumes when drained to half', async () => {
    const events: string[] = [];
    const inbox = makeInbox(4, { pause: () => events.push('pause'), resume: () => events.push('resume') });
    for (let i = 0; i < 4; i++) inbox.deliver(String(i));
    assert.deepEqual(events, ['pause']);
    inbox.deliver('4');
    assert.equal(inbox.size, 5, 'messages that still arrive while paused are kept, not dropped');
    await inbox.receive();
    await inbox.receive();
    assert.deepEqual(events, ['pause']);
    await inbox.receive();
    assert.deepEqual(events, ['pause', 'resume']);
  });

  test('a throwing or rejecting handler is reported and delivery goes on', async () => {
    const failures: unknown[] = [];
    const inbox = makeInbox(100, { handlerFailed: (err) => failures.push(err) });
    const handled: unknown[] = [];
    inbox.setHandler(async (msg) => {
      handled.push(msg);
      if (msg === 'throw') throw new Error('sync-ish');
      if (msg === 'reject') return Promise.reject(new Error('async'));
    });
    inbox.setHandler((msg) => {
      handled.push(msg);
      if (msg === 'throw') throw new Error('boom');
      if (msg === 'reject') return Promise.reject(new Error('async boom'));
      return undefined;
    });
    for (const msg of ['a', 'throw', 'b', 'reject', 'c']) inbox.deliver(msg);
    await settle();
    assert.deepEqual(handled, ['a', 'throw', 'b', 'reject', 'c']);
    assert.deepEqual(failures.map((err) => (err as Error).message), ['boom', 'async boom']);
  });
});

describe('Inbox fast path of a connection read only by whenNewMsg (no turn of the event loop per message)', () => {
  test('before any receive, the handler gets each message at once, in order', () => {
    const inbox = makeInbox();
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    inbox.deliver('a');
    inbox.deliver('b');
    assert.deepEqual(handled, ['a', 'b']);
    assert.equal(inbox.size, 0);
  });

  test('once receive() has been used, the handler waits for the current task, so a receive can still claim the next message', async () => {
    const inbox = makeInbox();
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    const first = inbox.receive();
    inbox.deliver('a');
    inbox.deliver('b');
    assert.equal(await first, 'a');
    assert.deepEqual(handled, []);
    assert.equal(await inbox.receive(), 'b');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handled, []);
  });

  test('messages already buffered keep their turn: a new one queues behind them', async () => {
    const inbox = makeInbox();
    inbox.deliver('old');
    const handled: unknown[] = [];
    inbox.setHandler((msg) => handled.push(msg));
    inbox.deliver('new');
    assert.deepEqual(handled, []);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handled, ['old', 'new']);
  });
});

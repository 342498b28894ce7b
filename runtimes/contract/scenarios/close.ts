import { equal, isA, match, ok, rejection } from '../expect.ts';
import { command } from '../puppet.ts';
import { closedWith, deferred } from '../support.ts';
import type { Message, Scenario } from '../types.ts';

/** Close semantics, whichever end closes. */
export const closeScenarios: Scenario[] = [
  {
    id: 'peer-closes',
    name: 'peer closes: buffered messages still come in order, then null every time; whenNewMsg gets null once',
    async run(conn, { api }) {
      const closed = closedWith(conn);
      await conn.sendMessage(command({ send: 'last 1' }, { send: 'last 2' }, { close: [4001, 'bye'] }));
      equal(await closed, [4001, 'bye'], 'the close event');
      equal([conn.state, conn.online, conn.closeCode, conn.closeReason], ['CLOSED', false, 4001, 'bye'], 'state, online, closeCode, closeReason');
      const reads = [await conn.receiveMessage(), await conn.receiveMessage(), await conn.receiveMessage(), await conn.receiveMessage()];
      equal(reads, ['last 1', 'last 2', null, null], 'receives after the close');
      const handled: Array<Message | null> = [];
      const gotNull = deferred();
      conn.whenNewMsg((msg) => {
        handled.push(msg);
        if (msg === null) gotNull.resolve();
      });
      await gotNull.promise;
      equal(await conn.receiveMessage(), null, 'a receive after the handler got null');
      equal(handled, [null], 'what the handler got');
      const err = await conn.sendMessage('too late');
      isA(err, api.ConnectionClosedError, 'a send after the close');
      match(err.message, /cannot sendMessage\(\): the connection is CLOSED \(close code 4001\)/, 'its message');
      equal(err.closeCode, 4001, 'its closeCode');
    },
  },
  {
    id: 'this-end-closes',
    name: 'this end closes: close() resolves once closed and is idempotent; pending receives get null; sends resolve a ConnectionClosedError',
    async run(conn, { api }) {
      const pending = conn.receiveMessage();
      const handlerNull = deferred();
      conn.whenNewMsg((msg) => msg === null && handlerNull.resolve());
      const closeEvent = closedWith(conn);
      const first = conn.close(4002, 'subject done');
      const second = conn.close(1000, 'ignored');
      equal(conn.state, 'CLOSING', 'state while the handshake runs');
      await Promise.all([first, second]);
      equal([conn.state, conn.closeCode, conn.closeReason], ['CLOSED', 4002, 'subject done'], 'state, closeCode, closeReason (the peer echoed the code)');
      equal(await closeEvent, [4002, 'subject done'], 'the close event');
      equal(await pending, null, 'the receive that was pending');
      await handlerNull.promise;
      await conn.close();
      for (const [label, send] of [
        ['sendMessage', () => conn.sendMessage('x')],
        ['send', () => conn.send({})],
        ['sendBinary', () => conn.sendBinary(new Uint8Array(1))],
      ] as const) {
        const err = await send();
        isA(err, api.ConnectionClosedError, `${label}() after close()`);
        ok(err.message.includes(`cannot ${label}()`), `${label}()'s error names it: ${err.message}`);
        equal(err.closeCode, 4002, `${label}()'s error's closeCode`);
      }
      equal(await conn.receiveMessage({ timeout: 10 }), null, 'a receive after close (null at once, before its timeout)');
    },
  },
];

/** Errors users cause: each names what was wrong and leaves the connection working. */
export const errorScenarios: Scenario[] = [
  {
    id: 'bad-arguments',
    name: 'wrong arguments give a TypeError or RangeError naming the fix; the connection stays open',
    async run(conn) {
      const notText = await conn.sendMessage({ a: 1 } as unknown as string);
      isA(notText, TypeError, 'sendMessage(object)');
      match(notText.message, /sendMessage\(\) takes a string, got Object; use send\(\)/, 'its message');
      isA(await conn.sendBinary('text' as unknown as Uint8Array), TypeError, 'sendBinary(string)');
      const badCode = await rejection(conn.close(999), 'close(999)');
      isA(badCode, RangeError, 'close(999)');
      match(badCode.message, /999/, 'its message names the code');
      const longReason = await rejection(conn.close(1000, 'é'.repeat(62)), 'close() with a 124-byte reason');
      isA(longReason, RangeError, 'close() with a 124-byte reason');
      match(longReason.message, /123/, 'its message names the limit');
      equal(conn.state, 'OPEN', 'state after the bad calls');
      await conn.sendMessage('still here');
      equal(await conn.receiveMessage(), 'still here', 'the echo after the bad calls');
    },
  },
  {
    id: 'handler-throws',
    name: 'a whenNewMsg handler that throws or rejects is reported through the error event; delivery goes on',
    async run(conn, { api }) {
      const errors: Error[] = [];
      const twoErrors = deferred();
      conn.on('error', (err) => {
        errors.push(err);
        if (errors.length === 2) twoErrors.resolve();
      });
      const handled: Array<Message | null> = [];
      const allHandled = deferred();
      conn.whenNewMsg((msg) => {
        handled.push(msg);
        if (handled.length === 4) allHandled.resolve();
        if (msg === 'boom') throw new Error('handler broke');
        if (msg === 'async boom') return Promise.reject(new Error('async handler broke'));
        return undefined;
      });
      await conn.sendMessage(command({ send: 'a' }, { send: 'boom' }, { send: 'async boom' }, { send: 'b' }));
      await allHandled.promise;
      await twoErrors.promise;
      equal(handled, ['a', 'boom', 'async boom', 'b'], 'what the handler got');
      for (const [i, text] of ['handler broke', 'async handler broke'].entries()) {
        const err = errors[i];
        isA(err, api.CorowsError, `error ${i + 1}`);
        equal((err as { code?: string }).code, 'ERR_HANDLER', `error ${i + 1}'s code`);
        match(err.message, new RegExp(`whenNewMsg handler failed: ${text}`), `error ${i + 1}'s message`);
      }
      equal(conn.state, 'OPEN', 'state after the handler failed');
    },
  },
];

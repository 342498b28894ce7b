import { equal, isA, match, rejection } from '../expect.ts';
import { command } from '../puppet.ts';
import { arrivals, deferred } from '../support.ts';
import type { Message, Scenario } from '../types.ts';

/** The inbox rule: pending receives first, then the handler, else the inbox; cancel-safe receives. */
export const inboxScenarios: Scenario[] = [
  {
    id: 'inbox-priority',
    name: 'pending receives take messages first, in call order; the whenNewMsg handler gets the rest',
    async run(conn) {
      const handled: Array<Message | null> = [];
      const allHandled = deferred();
      conn.whenNewMsg((msg) => {
        handled.push(msg);
        if (handled.length === 3) allHandled.resolve();
      });
      const first = conn.receiveMessage();
      const second = conn.receiveMessage();
      await conn.sendMessage(command({ send: 'm1' }, { send: 'm2' }, { send: 'm3' }, { send: 'm4' }, { send: 'm5' }));
      equal([await first, await second], ['m1', 'm2'], 'the pending receives');
      await allHandled.promise;
      equal(handled, ['m3', 'm4', 'm5'], 'what the handler got');
    },
  },
  {
    id: 'inbox-buffer',
    name: 'with nobody waiting, messages wait in the inbox in order; a receive right after whenNewMsg() still comes first',
    async run(conn) {
      const allArrived = arrivals(conn, 4);
      await conn.sendMessage(command({ send: 'a' }, { send: 'b' }, { send: 'c' }, { send: 'd' }));
      await allArrived;
      equal(conn.queuedMessages, 4, 'queuedMessages once all four arrived');
      equal([await conn.receiveMessage(), await conn.receiveMessage()], ['a', 'b'], 'the first two receives');
      const handled: Array<Message | null> = [];
      const handlerGotOne = deferred();
      conn.whenNewMsg((msg) => {
        handled.push(msg);
        handlerGotOne.resolve();
      });
      const intercepted = await conn.receiveMessage(); // made synchronously after whenNewMsg()
      equal(intercepted, 'c', 'a receive made right after whenNewMsg()');
      await handlerGotOne.promise;
      equal(handled, ['d'], 'what the handler got');
      equal(conn.queuedMessages, 0, 'queuedMessages at the end');
    },
  },
  {
    id: 'cancel-safe',
    name: 'a receive that times out or is aborted rejects and takes no message; the next one goes to whoever is next',
    async run(conn, { api }) {
      const timedOut = await rejection(conn.receiveMessage({ timeout: 20 }), 'receiveMessage({ timeout: 20 })');
      isA(timedOut, api.TimeoutError, 'a receive that timed out');
      match(timedOut.message, /timed out after 20 ms/, 'its message');

      const controller = new AbortController();
      const aborted = conn.receiveMessage({ signal: controller.signal });
      const next = conn.receiveMessage();
      controller.abort();
      const abortErr = await rejection(aborted, 'an aborted receive');
      isA(abortErr, api.AbortError, 'an aborted receive');
      match(abortErr.message, /aborted/, 'its message');
      isA(await rejection(conn.receiveMessage({ signal: AbortSignal.abort() }), 'a receive with an aborted signal'), api.AbortError, 'a receive with a signal aborted before the call');

      await conn.sendMessage(command({ send: 'only' }));
      equal(await next, 'only', 'the receive after the aborted one');
      const late = conn.receiveMessage({ timeout: 5_000 });
      await conn.sendMessage(command({ send: 'in time' }));
      equal(await late, 'in time', 'a receive with a timeout that a message beats');
      equal(conn.queuedMessages, 0, 'nothing was left in the inbox');
    },
  },
  {
    id: 'for-await',
    name: 'for await reads every message in order and ends when the peer closes',
    async run(conn) {
      await conn.sendMessage(command({ send: 'x' }, { send: 'y' }, { send: 'z' }, { close: [1000, 'done'] }));
      const seen: Message[] = [];
      for await (const msg of conn) seen.push(msg);
      equal(seen, ['x', 'y', 'z'], 'what for await read');
      equal([conn.closeCode, conn.closeReason], [1000, 'done'], 'closeCode and closeReason');
    },
  },
];

import { equal, ok } from '../expect.ts';
import { command, floodFrame } from '../puppet.ts';
import { closedWith, deferred, quietWindow } from '../support.ts';
import type { Scenario } from '../types.ts';

/** The flood: 2 MiB, under what a peer lets wait for a slow reader (a corows server: 4 MiB). */
const FLOOD_COUNT = 128;
const FLOOD_SIZE = 16 * 1024;
/**
 * Messages that can still arrive once the inbox is full: what one read of the socket held (Node reads
 * 64 KiB at a time, Bun's uWebSockets up to 512 KiB), and the one in hand.
 */
const READ_SLACK = (512 * 1024) / FLOOD_SIZE + 1;

/** The bounds of a connection: the largest message, the inbox. */
export const limitScenarios: Scenario[] = [
  {
    id: 'max-payload',
    name: 'a message at maxPayload passes; one byte more closes with 1009 (browsers: maxPayload does not apply)',
    async run(conn, { can, limits }) {
      const limit = limits.maxPayload;
      await conn.sendMessage(command({ sendRepeated: ['y', limit] }));
      equal(String(await conn.receiveMessage()).length, limit, 'the length of a message at the limit');
      const closed = closedWith(conn);
      await conn.sendMessage(command({ sendRepeated: ['x', limit + 1] }));
      if (!can.maxPayload) {
        equal(String(await conn.receiveMessage()).length, limit + 1, 'a message over maxPayload where it does not apply: delivered whole');
        return;
      }
      const [code, reason] = await closed;
      equal(code, 1009, `the close code (reason: ${reason})`);
      equal(await conn.receiveMessage(), null, 'a receive after the close');
    },
  },
  {
    id: 'bounded-inbox',
    name: 'a full inbox stops reading from the socket until drained, losing nothing (browsers cannot pause: the inbox grows past maxQueue)',
    async run(conn, { can, limits }) {
      const [count, size] = [FLOOD_COUNT, FLOOD_SIZE];
      let arrived = 0;
      const full = deferred();
      const all = deferred();
      conn.on('message', () => {
        if (++arrived === count) all.resolve();
        if (arrived >= limits.maxQueue) full.resolve();
      });
      await conn.sendMessage(command({ flood: [count, size] }));
      if (can.pause) {
        await full.promise;
        await quietWindow(300);
        ok(arrived <= limits.maxQueue + READ_SLACK, `${arrived} of ${count} messages were taken from the socket with maxQueue ${limits.maxQueue}: reading did not stop`);
      } else {
        await all.promise;
        equal(conn.queuedMessages, count, 'queuedMessages where reading cannot stop (documented: the inbox grows past maxQueue)');
      }
      for (let i = 0; i < count; i++) {
        const msg = await conn.receiveMessage();
        if (msg !== floodFrame(i, size)) throw new Error(`message ${i} of the flood: got ${String(msg).slice(0, 20)}…`);
      }
    },
  },
];

import { equal, isA, match, sameBytes, show } from '../expect.ts';
import { command } from '../puppet.ts';
import type { Scenario } from '../types.ts';

/** Text, JSON and binary frames, each way, through an echoing peer. */
export const messageScenarios: Scenario[] = [
  {
    id: 'text',
    name: 'sendMessage() sends one text frame and resolves null once written; text arrives as a string',
    async run(conn) {
      for (const text of ['hello', 'héllo ✓ 😀 \u0000 end', '']) {
        equal(await conn.sendMessage(text), null, `sendMessage(${show(text)})`);
        equal(await conn.receiveMessage(), text, `the echo of ${show(text)}`);
      }
    },
  },
  {
    id: 'json',
    name: 'send() sends JSON text; a value JSON cannot encode resolves a TypeError and sends nothing',
    async run(conn) {
      equal(await conn.send({ author: 'somebody', age: 18, tags: ['a', null] }), null, 'send(object)');
      equal(await conn.receiveMessage(), '{"author":"somebody","age":18,"tags":["a",null]}', 'the echo of send(object)');
      equal(await conn.send('plain'), null, 'send(string)');
      equal(await conn.receiveMessage(), '"plain"', 'a string is sent as JSON too');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const bad: Array<[string, unknown]> = [['a cyclic object', cyclic], ['a bigint', 10n], ['undefined', undefined], ['a function', () => 1]];
      for (const [label, value] of bad) {
        const err = await conn.send(value);
        isA(err, TypeError, `send(${label})`);
        match(err.message, /JSON/, `the error of send(${label})`);
      }
      await conn.sendMessage('after');
      equal(await conn.receiveMessage(), 'after', 'the next echo (nothing was sent for the bad values)');
    },
  },
  {
    id: 'binary',
    name: 'sendBinary() takes a Uint8Array (its view only) or an ArrayBuffer; binary arrives as a Uint8Array',
    async run(conn) {
      const large = Uint8Array.from({ length: 100 * 1024 }, (_, i) => (i * 7 + (i >> 8)) & 255);
      const cases: Array<[string, Uint8Array | ArrayBuffer, Uint8Array]> = [
        ['bytes 0, 1, 255', Uint8Array.of(0, 1, 255), Uint8Array.of(0, 1, 255)],
        ['an ArrayBuffer', Uint8Array.of(9, 8).buffer, Uint8Array.of(9, 8)],
        ['a view into a larger buffer', Uint8Array.of(1, 2, 3, 4, 5).subarray(1, 3), Uint8Array.of(2, 3)],
        ['an empty frame', new Uint8Array(0), new Uint8Array(0)],
        ['100 KiB', large, large],
      ];
      for (const [label, data, expected] of cases) {
        equal(await conn.sendBinary(data), null, `sendBinary(${label})`);
        sameBytes(await conn.receiveMessage(), expected, `the echo of ${label}`);
      }
      await conn.sendMessage(command({ send: 'text' }, { sendBinary: [7, 0, 7] }, { send: '' }));
      equal(await conn.receiveMessage(), 'text', 'a text frame from the peer');
      sameBytes(await conn.receiveMessage(), Uint8Array.of(7, 0, 7), 'a binary frame from the peer');
      equal(await conn.receiveMessage(), '', 'an empty text frame stays a string');
    },
  },
];

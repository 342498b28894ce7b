import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckPolicy, ACK_DELAY } from '../src/ack-policy.js';
import type { OutgoingData } from '../src/outbox.js';
import { Session, sizeOf, type ControlFrame, type SessionHost } from '../src/session.js';
import { resolveResume } from '../src/session-options.js';
import { UnitLog } from '../src/unit-log.js';

test('the unit log numbers from 1, forgets what is acknowledged, and replays after any count', () => {
  const log = new UnitLog();
  for (const text of ['a', 'bb', 'ccc', 'dddd']) log.push(text, text.length);
  assert.deepEqual([log.sent, log.acked, log.count, log.bytes], [4, 0, 4, 10]);
  assert.equal(log.ack(2), undefined);
  assert.deepEqual([log.acked, log.count, log.bytes], [2, 2, 7]);
  const replay = log.after(3);
  assert.ok(Array.isArray(replay));
  assert.deepEqual(replay.map((unit) => unit.data), ['dddd']);
  assert.deepEqual([log.acked, log.count, log.bytes], [3, 1, 4], 'the count given for a replay acknowledges too');
  assert.deepEqual((log.after(3) as { data: OutgoingData }[]).map((unit) => unit.data), ['dddd'], 'a replay keeps the units');
  assert.equal(log.over({ maxUnacked: 1, maxUnackedBytes: 4 }), false);
  assert.equal(log.over({ maxUnacked: 0, maxUnackedBytes: 4 }), true);
  assert.equal(log.over({ maxUnacked: 1, maxUnackedBytes: 3 }), true);
});

test('the unit log refuses impossible counts and changes nothing', () => {
  const log = new UnitLog();
  log.push('a', 1);
  log.push('b', 1);
  assert.equal(log.ack(1), undefined);
  assert.match(String(log.ack(3)), /counts 3 units received, but only 2 were sent/);
  assert.match(String(log.ack(0)), /had already acknowledged 1/);
  assert.match(String(log.after(-1)), /whole number/);
  assert.match(String(log.ack(1.5)), /whole number/);
  assert.deepEqual([log.acked, log.count], [1, 1]);
  assert.equal(log.clear(), 1);
  assert.deepEqual([log.count, log.bytes, log.acked, log.sent], [0, 0, 2, 2]);
});

test('acknowledgements are batched: a quarter of the peer bound, or once after ACK_DELAY', async () => {
  const acks: number[] = [];
  const policy = new AckPolicy((n) => acks.push(n) > 0);
  policy.peerBounds({ maxUnacked: 8, maxUnackedBytes: 1000 });
  policy.arrived(1);
  assert.deepEqual(acks, [], 'not one ack per unit');
  policy.arrived(1);
  assert.deepEqual(acks, [2], 'a quarter of 8 units');
  policy.arrived(600);
  assert.deepEqual(acks, [2, 3], 'a quarter of 1000 bytes');
  policy.arrived(1);
  const started = Date.now();
  while (acks.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(acks, [2, 3, 4]);
  assert.ok(Date.now() - started >= ACK_DELAY - 15, 'the idle ack waits ACK_DELAY');
  policy.arrived(1);
  policy.reportedNow();
  await new Promise((resolve) => setTimeout(resolve, ACK_DELAY + 30));
  assert.deepEqual(acks, [2, 3, 4], 'a count carried by hello/welcome needs no ack, and its timer is gone');
});

test('an ack that cannot be written is tried again later', () => {
  let up = false;
  const acks: number[] = [];
  const policy = new AckPolicy((n) => up && acks.push(n) > 0);
  policy.peerBounds({ maxUnacked: 4, maxUnackedBytes: 1000 });
  policy.arrived(1);
  policy.flush();
  assert.deepEqual(acks, []);
  up = true;
  policy.flush();
  assert.deepEqual(acks, [1]);
  policy.stop();
});

function wired(bounds = { maxUnacked: 3, maxUnackedBytes: 100 }) {
  const written: OutgoingData[] = [];
  const controls: ControlFrame[] = [];
  const handshakes: ControlFrame[] = [];
  const overflows: string[] = [];
  const broken: string[] = [];
  const session = new Session(bounds, (frame) => handshakes.push(frame), (reason) => overflows.push(reason));
  const link = {
    readyState: 1,
    send: (text: string) => controls.push(JSON.parse(text.slice(1)) as ControlFrame),
    close: (_code: number, reason: string) => broken.push(reason),
  };
  session.bind({
    link: link as unknown as SessionHost['link'],
    protocol: { agreed: true },
    writeFrame: (data) => {
      written.push(data);
      return Promise.resolve(null);
    },
  });
  return { session, written, controls, handshakes, overflows, broken };
}

test('a session holds units until started, replays after the peer count, and writes new ones at once', async () => {
  const { session, written } = wired();
  assert.equal(await session.send('one'), null);
  assert.equal(await session.send('two'), null);
  assert.deepEqual(written, [], 'nothing written before a link carries the session');
  assert.equal(session.start(1), undefined);
  assert.deepEqual(written, ['two'], 'the peer had one: only the second is replayed');
  await session.send('three');
  assert.deepEqual(written, ['two', 'three']);
  session.suspend();
  await session.send(new Uint8Array([7]));
  assert.equal(written.length, 2, 'held while away');
  assert.match(String(session.start(5)), /only 4 were sent/);
  assert.equal(session.start(2), undefined);
  assert.deepEqual(written.slice(2), ['three', new Uint8Array([7])]);
});

test('a session bound refuses the send that would exceed it and ends the session', async () => {
  const { session, overflows } = wired({ maxUnacked: 2, maxUnackedBytes: 100 });
  await session.send('a');
  await session.send('b');
  const refused = await session.send('c');
  assert.match(String(refused), /more than 2 messages unacknowledged/);
  assert.deepEqual(overflows, ['session bound exceeded: more than 2 messages unacknowledged']);
  assert.equal(session.reset(), 2, 'two accepted units may be missing');
  const bytes = wired({ maxUnacked: 10, maxUnackedBytes: 4 });
  await bytes.session.send('abc');
  assert.match(String(await bytes.session.send('de')), /more than 4 bytes/);
});

test('acks trim what a session keeps; an impossible ack breaks the link; other frames go to the handshake', async () => {
  const { session, broken, handshakes } = wired();
  session.start(0);
  await session.send('a');
  await session.send('b');
  session.control({ t: 'ack', n: 1 });
  assert.equal(session.log.count, 1);
  session.control({ t: 'ack', n: 9 });
  assert.match(broken[0] ?? '', /counts 9 units received, but only 2 were sent/);
  session.control({ t: 'ack' });
  assert.match(broken[1] ?? '', /without a count/);
  session.control({ t: 'welcome', received: 0 });
  assert.deepEqual(handshakes, [{ t: 'welcome', received: 0 }]);
});

test('sizeOf counts UTF-8 bytes; resolveResume fills defaults and names bad values', () => {
  assert.equal(sizeOf('aé€😀'), 1 + 2 + 3 + 4);
  assert.equal(sizeOf(new Uint8Array(5)), 5);
  assert.deepEqual(resolveResume(true, 'x()', String), { window: 120_000, maxUnacked: 4096, maxUnackedBytes: 4 * 1024 * 1024 });
  assert.equal(resolveResume(false, 'x()', String), undefined);
  assert.deepEqual(resolveResume({ window: 5 }, 'x()', String), { window: 5, maxUnacked: 4096, maxUnackedBytes: 4 * 1024 * 1024 });
  assert.throws(() => resolveResume({ window: -1 }, 'x()', String), /x\(\): resume.window must be a whole number/);
  assert.throws(() => resolveResume({ windo: 1 } as never, 'x()', String), /unknown resume option "windo"/);
  assert.throws(() => resolveResume('yes' as never, 'x()', String), /resume must be true, false or/);
});

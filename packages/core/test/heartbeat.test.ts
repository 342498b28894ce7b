import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heard, HeartbeatGroup, heartbeatGroup, leaveGroup, startBeats, stopBeats, suspendBeats, type HeartbeatMember } from '../src/heartbeat.js';
import { resolveKeepAlive } from '../src/keep-alive-options.js';
import { negotiateSubprotocol, protocolsToOffer, readSelectedProtocol } from '../src/negotiation.js';


/**
 * Advances mocked time 1 ms at a time: Node 20's mock timers run a long `tick()` as one step, so a
 * timer set from inside a callback would start from the end of it. After each step the real event
 * loop turns once, as the group judges its members only once pending input is read (`setImmediate`).
 */
async function advance(timers: { tick(ms: number): void }, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    timers.tick(1);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A heartbeat group member that counts its beats and records its death. */
function member(): HeartbeatMember & { beats: number; deaths: string[] } {
  return {
    ringPrev: undefined,
    ringNext: undefined,
    beatState: 0,
    beats: 0,
    deaths: [],
    beat() {
      this.beats++;
    },
    timedOut(reason) {
      this.deaths.push(reason);
    },
  };
}

describe('Heartbeat group', () => {
  test('beats every interval and declares the peer dead `timeout` after an unanswered beat', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 50 });
    const peer = member();
    group.add(peer);
    await advance(t.mock.timers, 100);
    assert.equal(peer.beats, 1);
    heard(peer);
    await advance(t.mock.timers, 100);
    assert.equal(peer.beats, 2);
    await advance(t.mock.timers, 49);
    assert.deepEqual(peer.deaths, []);
    await advance(t.mock.timers, 1);
    assert.deepEqual(peer.deaths, ['heartbeat timeout: no answer from the peer within 50 ms']);
    await advance(t.mock.timers, 1000);
    assert.equal(peer.beats, 2, 'a dead heartbeat stops');
    assert.equal(peer.deaths.length, 1);
  });

  test('a member that counts what its peer sent (heardSinceBeat) is kept and beaten every interval while it hears, dropped when it stops', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 250 });
    let hearing = true;
    const peer = Object.assign(member(), { heardSinceBeat: () => hearing });
    group.add(peer);
    await advance(t.mock.timers, 1000);
    assert.equal(peer.beats, 10, 'no heard() calls, yet a beat every interval');
    assert.deepEqual(peer.deaths, []);
    hearing = false;
    await advance(t.mock.timers, 100);
    assert.equal(peer.beats, 10, 'a beat not answered is not repeated');
    await advance(t.mock.timers, 149);
    assert.deepEqual(peer.deaths, [], 'dropped no sooner than `timeout` after its last beat');
    await advance(t.mock.timers, 1);
    assert.equal(peer.deaths.length, 1);
  });

  test('a beat still unanswered is not repeated; a timeout longer than the interval is kept', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 250 });
    const peer = member();
    group.add(peer);
    await advance(t.mock.timers, 300);
    assert.equal(peer.beats, 1);
    assert.equal(peer.deaths.length, 0);
    await advance(t.mock.timers, 50);
    assert.equal(peer.deaths.length, 1);
  });

  test('an answer to an earlier round does not save a later, unanswered beat (timeout > interval)', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 250 });
    const peer = member();
    group.add(peer);
    await advance(t.mock.timers, 150);
    heard(peer); // answers the beat of t=100
    await advance(t.mock.timers, 200); // t=350: the deadline of the first beat passes; beaten again at t=200
    assert.equal(peer.beats, 2);
    assert.deepEqual(peer.deaths, [], 'the first deadline does not judge the second beat');
    await advance(t.mock.timers, 100); // t=450 = 200 + 250
    assert.equal(peer.deaths.length, 1);
  });

  test('suspended (we stopped reading), silence is not held against the peer', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 100 });
    const peer = member();
    group.add(peer);
    await advance(t.mock.timers, 150);
    suspendBeats(peer, true);
    await advance(t.mock.timers, 1000);
    assert.equal(peer.deaths.length, 0);
    assert.equal(peer.beats, 1, 'no beats while suspended');
    suspendBeats(peer, false);
    await advance(t.mock.timers, 200);
    assert.equal(peer.deaths.length, 1);
  });

  test('delete() ends the member\'s heartbeat; the last one out stops the timer', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 100 });
    const peer = member();
    group.add(peer);
    await advance(t.mock.timers, 100);
    group.delete(peer);
    group.delete(peer); // idempotent
    await advance(t.mock.timers, 50);
    group.add(peer); // t=150: a new timer, whose first round is at t=250
    await advance(t.mock.timers, 99);
    assert.equal(peer.beats, 1, 'the old timer (t=200) is gone');
    await advance(t.mock.timers, 1);
    assert.equal(peer.beats, 2);
    assert.equal(peer.deaths.length, 0);
  });

  test('members share the rounds: each is beaten and judged on its own', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 50 });
    const [quiet, talker, late] = [member(), member(), member()];
    group.add(quiet);
    group.add(talker);
    await advance(t.mock.timers, 60);
    group.add(late);
    await advance(t.mock.timers, 40); // t=100: everyone's first beat, the late one's 40 ms after it joined
    assert.deepEqual([quiet.beats, talker.beats, late.beats], [1, 1, 1]);
    heard(talker);
    heard(late);
    await advance(t.mock.timers, 50); // t=150: the quiet one's deadline
    assert.equal(quiet.deaths.length, 1);
    assert.deepEqual([talker.deaths.length, late.deaths.length], [0, 0]);
    await advance(t.mock.timers, 50); // t=200: the next round goes to the two left
    assert.deepEqual([quiet.beats, talker.beats, late.beats], [1, 2, 2]);
  });

  test('a member added off is beaten only between startBeats and stopBeats; resuming reading does not start it', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 50 });
    const peer = member();
    group.add(peer, false); // a connection whose link is not open yet
    suspendBeats(peer, true);
    suspendBeats(peer, false);
    await advance(t.mock.timers, 300);
    assert.equal(peer.beats, 0, 'an off member is never beaten');
    startBeats(peer, false);
    await advance(t.mock.timers, 100);
    assert.equal(peer.beats, 1);
    heard(peer);
    stopBeats(peer); // its link closed
    await advance(t.mock.timers, 300);
    assert.equal(peer.beats, 1);
    assert.deepEqual(peer.deaths, []);
  });

  test('a member that leaves, or makes another leave, when told it timed out does not disturb the others', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const group = new HeartbeatGroup({ interval: 100, timeout: 50 });
    const members = Array.from({ length: 4 }, () => member());
    const [first, second, third, fourth] = members as [ReturnType<typeof member>, ReturnType<typeof member>, ReturnType<typeof member>, ReturnType<typeof member>];
    first.timedOut = (reason) => {
      first.deaths.push(reason);
      leaveGroup(first);
      leaveGroup(second); // a connection closed by another's close handler
    };
    for (const m of members) group.add(m);
    await advance(t.mock.timers, 100);
    heard(second);
    await advance(t.mock.timers, 50);
    assert.deepEqual(members.map((m) => m.deaths.length), [1, 0, 1, 1], 'the silent ones after the leavers are judged too');
    startBeats(third, false);
    await advance(t.mock.timers, 50); // t=200
    assert.deepEqual(members.map((m) => m.beats), [1, 1, 2, 1], 'the ones that left are beaten no more');
  });

  test('connections with the same settings share one group', () => {
    const settings = { interval: 123_456, timeout: 654 };
    const group = heartbeatGroup(settings);
    assert.equal(heartbeatGroup({ ...settings }), group);
    assert.notEqual(heartbeatGroup({ interval: 123_456, timeout: 655 }), group);
    const peer = member();
    group.add(peer);
    group.delete(peer);
    assert.equal(heartbeatGroup(settings), group, 'an emptied group stays, without a timer');
  });

  test('resolveKeepAlive', () => {
    assert.equal(resolveKeepAlive(undefined, 'x'), undefined);
    assert.equal(resolveKeepAlive(false, 'x'), undefined);
    assert.equal(resolveKeepAlive(0, 'x'), undefined);
    assert.deepEqual(resolveKeepAlive(true, 'x'), { interval: 30_000, timeout: 30_000 });
    assert.deepEqual(resolveKeepAlive(500, 'x'), { interval: 500, timeout: 500 });
    assert.deepEqual(resolveKeepAlive({ interval: 500, timeout: 100 }, 'x'), { interval: 500, timeout: 100 });
    assert.throws(() => resolveKeepAlive(-1, 'here'), /here: keepAlive interval must be a number of milliseconds/);
    assert.throws(() => resolveKeepAlive({ timeout: Number.NaN }, 'here'), /keepAlive timeout/);
  });
});

describe('corows subprotocol negotiation', () => {
  test('the offers put the application first, and a decoy first when it has none', () => {
    assert.deepEqual(protocolsToOffer([]), ['corows', 'corows.1']);
    assert.deepEqual(protocolsToOffer(['chat', 'v2']), ['chat', 'v2', 'corows.1.chat', 'corows.1.v2', 'corows.1']);
  });

  test('a corows server answers the corows form of the protocol it picks', () => {
    assert.equal(negotiateSubprotocol(protocolsToOffer([])), 'corows.1');
    assert.equal(negotiateSubprotocol(protocolsToOffer(['chat', 'v2'])), 'corows.1.chat');
    assert.equal(negotiateSubprotocol(protocolsToOffer(['chat', 'v2']), (app) => app.at(-1) ?? false), 'corows.1.v2');
    assert.equal(negotiateSubprotocol(protocolsToOffer(['chat']), () => false), 'corows.1');
    assert.equal(negotiateSubprotocol(['chat', 'v2']), 'chat', 'a client that does not offer corows gets the plain protocol');
    assert.equal(negotiateSubprotocol(['corows']), false, 'the decoy alone is no application protocol');
  });

  test('what a client reads from the answer', () => {
    assert.deepEqual(readSelectedProtocol('corows.1.chat'), { protocol: 'chat', corows: true });
    assert.deepEqual(readSelectedProtocol('corows.1'), { protocol: '', corows: true });
    assert.deepEqual(readSelectedProtocol('corows'), { protocol: '', corows: false });
    assert.deepEqual(readSelectedProtocol('chat'), { protocol: 'chat', corows: false });
    assert.deepEqual(readSelectedProtocol(''), { protocol: '', corows: false });
  });
});

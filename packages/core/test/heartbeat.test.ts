import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Heartbeat, resolveKeepAlive } from '../src/heartbeat.js';
import { isHeartbeatMessage, negotiateSubprotocol, offerHeartbeatProtocols, readSelectedProtocol } from '../src/heartbeat-protocol.js';


/**
 * Advances mocked time 1 ms at a time: Node 20's mock timers run a long `tick()` as one step, so a
 * timer set from inside a callback would start from the end of it.
 */
function advance(timers: { tick(ms: number): void }, ms: number): void {
  for (let i = 0; i < ms; i++) timers.tick(1);
}

describe('Heartbeat timers', () => {
  test('beats every interval and declares the peer dead `timeout` after an unanswered beat', (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    let beats = 0;
    const deaths: string[] = [];
    const heartbeat = new Heartbeat({ interval: 100, timeout: 50 }, () => beats++, (reason) => deaths.push(reason));
    advance(t.mock.timers, 100);
    assert.equal(beats, 1);
    heartbeat.heard();
    advance(t.mock.timers, 100);
    assert.equal(beats, 2);
    advance(t.mock.timers, 49);
    assert.deepEqual(deaths, []);
    advance(t.mock.timers, 1);
    assert.deepEqual(deaths, ['heartbeat timeout: no answer from the peer within 50 ms']);
    advance(t.mock.timers, 1000);
    assert.equal(beats, 2, 'a dead heartbeat stops');
    assert.equal(deaths.length, 1);
  });

  test('a beat still unanswered is not repeated; a timeout longer than the interval is kept', (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    let beats = 0;
    let dead = false;
    new Heartbeat({ interval: 100, timeout: 250 }, () => beats++, () => (dead = true));
    advance(t.mock.timers, 300);
    assert.equal(beats, 1);
    assert.equal(dead, false);
    advance(t.mock.timers, 50);
    assert.equal(dead, true);
  });

  test('suspended (we stopped reading), silence is not held against the peer', (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    let dead = false;
    const heartbeat = new Heartbeat({ interval: 100, timeout: 100 }, () => undefined, () => (dead = true));
    advance(t.mock.timers, 150);
    heartbeat.suspend();
    advance(t.mock.timers, 1000);
    assert.equal(dead, false);
    heartbeat.resume();
    advance(t.mock.timers, 200);
    assert.equal(dead, true);
  });

  test('stop() ends every timer', (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    let beats = 0;
    let dead = false;
    const heartbeat = new Heartbeat({ interval: 100, timeout: 100 }, () => beats++, () => (dead = true));
    advance(t.mock.timers, 100);
    heartbeat.stop();
    advance(t.mock.timers, 1000);
    assert.equal(beats, 1);
    assert.equal(dead, false);
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

describe('heartbeat subprotocol negotiation', () => {
  test('the offers put the application first, and a decoy first when it has none', () => {
    assert.deepEqual(offerHeartbeatProtocols([]), ['corows', 'corows.heartbeat']);
    assert.deepEqual(offerHeartbeatProtocols(['chat', 'v2']), ['chat', 'v2', 'corows.heartbeat.chat', 'corows.heartbeat.v2', 'corows.heartbeat']);
  });

  test('a corows server answers the heartbeat form of the protocol it picks', () => {
    assert.equal(negotiateSubprotocol(offerHeartbeatProtocols([])), 'corows.heartbeat');
    assert.equal(negotiateSubprotocol(offerHeartbeatProtocols(['chat', 'v2'])), 'corows.heartbeat.chat');
    assert.equal(negotiateSubprotocol(offerHeartbeatProtocols(['chat', 'v2']), (app) => app.at(-1) ?? false), 'corows.heartbeat.v2');
    assert.equal(negotiateSubprotocol(offerHeartbeatProtocols(['chat']), () => false), 'corows.heartbeat');
    assert.equal(negotiateSubprotocol(['chat', 'v2']), 'chat', 'a client without the heartbeat gets the plain protocol');
    assert.equal(negotiateSubprotocol(['corows']), false, 'the decoy alone is no application protocol');
  });

  test('what a client reads from the answer', () => {
    assert.deepEqual(readSelectedProtocol('corows.heartbeat.chat'), { protocol: 'chat', heartbeat: true });
    assert.deepEqual(readSelectedProtocol('corows.heartbeat'), { protocol: '', heartbeat: true });
    assert.deepEqual(readSelectedProtocol('corows'), { protocol: '', heartbeat: false });
    assert.deepEqual(readSelectedProtocol('chat'), { protocol: 'chat', heartbeat: false });
    assert.deepEqual(readSelectedProtocol(''), { protocol: '', heartbeat: false });
  });

  test('the heartbeat message is an empty binary message, nothing else', () => {
    assert.equal(isHeartbeatMessage(new Uint8Array(0)), true);
    assert.equal(isHeartbeatMessage(''), false);
    assert.equal(isHeartbeatMessage(new Uint8Array(1)), false);
  });
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { startNodes } from './child-server.js';
import { checkConfig, findHaproxy, startHaproxy } from './support/haproxy.js';
import { ROUTING_LINES, SHIPPED_CONFIG, testConfig } from './support/haproxy-config.js';
import { SeededRandom } from './support/seeded-random.js';

const LIMIT = { timeout: 30_000 };
const haproxy = findHaproxy();

/** A routing id as PROTOCOL.md §5.1 has it: 16 bytes in base64url (22 characters), from a seed. */
function routingIds(count: number, seed: number): string[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => Buffer.from(Array.from({ length: 16 }, () => random.int(0, 255))).toString('base64url'));
}

/** A plain WebSocket link with `corows_session=id`, closed when the test ends. */
function link(t: TestContext, base: string, id: string) {
  const ws = new WebSocket(`${base}/?corows_session=${id}`);
  t.after(() => ws.terminate());
  ws.on('error', () => undefined);
  const messages: string[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(String(data));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const nth = async (n: number): Promise<string> => {
    while (messages.length <= n) {
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      const code = await Promise.race([more.then(() => undefined), closed]);
      if (code !== undefined && messages.length <= n) throw new Error(`link ${id} closed (${code}) before message ${n + 1}`);
    }
    return messages[n] as string;
  };
  return { ws, closed, nth };
}

/** Which node answers a new link for `id` (its greeting names it), after an echo through the balancer. */
async function nodeOf(t: TestContext, base: string, id: string): Promise<string> {
  const l = link(t, base, id);
  const greeting = await l.nth(0);
  l.ws.send('ping');
  assert.equal(await l.nth(1), 'echo:ping');
  l.ws.close();
  await l.closed;
  return greeting.replace(/^hello from /, '');
}

describe('the shipped HAProxy configuration (examples/haproxy/haproxy.cfg)', () => {
  const shipped = readFileSync(SHIPPED_CONFIG, 'utf8');
  const options = {
    bind: { host: '127.0.0.1', port: 4321 },
    backends: [{ name: 'a', host: '127.0.0.1', port: 1 }],
    statsSocket: '/tmp/x.sock',
  };

  test('routes by corows_session with a consistent hash, and the tests run the same lines', () => {
    const generated = testConfig(shipped, options);
    for (const line of ROUTING_LINES) {
      assert.match(shipped, new RegExp(`^\\s+${line}$`, 'm'), `the shipped config lacks "${line}"`);
      assert.match(generated, new RegExp(`^\\s+${line}$`, 'm'), `the test config lacks "${line}"`);
    }
    assert.match(shipped, /^\s+timeout tunnel \S+$/m);
    // Only the bind, maxconn, server and check-timing lines differ (plus the stats socket and nbthread).
    const directives = (text: string): string[] =>
      text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !/^(bind|maxconn|server|stats socket|nbthread|default-server) /.test(l));
    assert.deepEqual(directives(generated), directives(shipped));
    assert.match(generated, /^\s+server a 127\.0\.0\.1:1$/m);
    assert.match(generated, /^\s+default-server check inter 100ms fall 1 rise 1 observe layer4/m);
  });

  test('a shipped file without the lines the tests replace is refused, naming them', () => {
    assert.throws(() => testConfig(shipped.replace(/^\s+bind .*$/m, ''), options), /no longer has the lines the tests replace: bind/);
  });

  test('haproxy -c accepts the shipped file and the test config made from it', { skip: haproxy.skip }, () => {
    const binary = haproxy.path;
    assert.ok(binary, haproxy.missing);
    const shippedCheck = checkConfig(binary, SHIPPED_CONFIG);
    assert.ok(shippedCheck.valid, shippedCheck.output);
    const dir = mkdtempSync(join(tmpdir(), 'corows-haproxy-check-'));
    try {
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, testConfig(shipped, { ...options, statsSocket: join(dir, 'admin.sock') }));
      const check = checkConfig(binary, file);
      assert.ok(check.valid, check.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HAProxy in front of two corows nodes', { skip: haproxy.skip }, () => {
  /** Nodes a and b behind HAProxy, both UP, and where each of a dozen sessions lands (on both nodes). */
  async function cluster(t: TestContext, checkTimings?: string) {
    const nodes = await startNodes(t, ['a', 'b']);
    const backends = [...nodes].map(([name, node]) => ({ name, host: '127.0.0.1', port: node.port }));
    const lb = await startHaproxy(t, backends, { checkTimings });
    await lb.waitForStates({ a: 'UP', b: 'UP' });
    const ids = routingIds(12, 2024);
    const home = new Map<string, string>();
    for (const id of ids) home.set(id, await nodeOf(t, lb.url, id));
    const onA = ids.filter((id) => home.get(id) === 'a');
    assert.ok(onA.length > 0 && onA.length < ids.length, `all on one node: ${JSON.stringify(Object.fromEntries(home))}`);
    return { nodes, lb, ids, home, onA };
  }

  test("sessions spread over both nodes, and each one's reconnections land on its node", LIMIT, async (t) => {
    const { lb, ids, home } = await cluster(t);
    for (let round = 0; round < 3; round++) {
      for (const id of ids) assert.equal(await nodeOf(t, lb.url, id), home.get(id), `reconnection ${round + 1} of ${id}`);
    }
  });

  test('after a SIGKILL, the health checks take the node out and its sessions land on the other', LIMIT, async (t) => {
    const { nodes, lb, ids, onA } = await cluster(t);
    const open = onA.map((id) => link(t, lb.url, id));
    for (const l of open) assert.equal(await l.nth(0), 'hello from a');
    await nodes.get('a')?.kill();
    for (const l of open) assert.equal(await l.closed, 1006);
    await lb.waitForStates({ a: 'DOWN', b: 'UP' });
    for (const id of ids) assert.equal(await nodeOf(t, lb.url, id), 'b', `${id} after node a died`);
  });

  test('without waiting for a health check, a link to the dead node is redispatched to the other, which is marked down', LIMIT, async (t) => {
    const { nodes, lb, onA } = await cluster(t, 'inter 60s fall 3 rise 1');
    await nodes.get('a')?.kill();
    for (const id of onA) assert.equal(await nodeOf(t, lb.url, id), 'b', `${id} after node a died`);
    assert.equal((await lb.serverStates()).get('a'), 'DOWN');
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ConnectError, connectToWebsocket, createWebsocketServer } from '../src/index.js';
import { closedWith, deferred, rawWebSocket, startServer, waitFor } from './helpers.js';

test('close(reason) sends 1001 with the reason to every client, then whenDead, then refuses new clients', async (t) => {
  const { server, url } = await startServer(t);
  const clients = await Promise.all([1, 2, 3].map(() => connectToWebsocket(url)));
  await waitFor(() => server.connections.size === 3, 'three connections');
  const order: string[] = [];
  server.whenDead((reason) => order.push(`dead: ${reason} (${server.connections.size} open)`));
  const codes = Promise.all(clients.map(async (conn) => {
    const result = await closedWith(conn);
    order.push('client closed');
    return result;
  }));

  await server.close('maintenance at noon');
  assert.deepEqual(await codes, clients.map(() => ({ code: 1001, reason: 'maintenance at noon' })));
  assert.deepEqual(order, ['client closed', 'client closed', 'client closed', 'dead: maintenance at noon (0 open)']);
  assert.deepEqual(server.metrics.closes, { 1001: 3 });
  const refused = await connectToWebsocket(url).catch((err: unknown) => err);
  assert.ok(refused instanceof ConnectError && refused.code === 'ECONNREFUSED', String(refused));
  await server.close('again'); // idempotent
});

test('a client that ignores the close frame is dropped at the drain timeout; the others close at once', async (t) => {
  const { server, url, port } = await startServer(t, undefined, { closeTimeout: 300 });
  const deaf = await rawWebSocket(t, port); // never answers the close frame
  const polite = await connectToWebsocket(url);
  await waitFor(() => server.connections.size === 2, 'two connections');
  const started = Date.now();
  const politeClosed = closedWith(polite).then(() => Date.now() - started);
  await server.close('bye');
  const elapsed = Date.now() - started;
  assert.ok(await politeClosed < 250, 'the polite client closed before the deadline');
  assert.ok(elapsed >= 280 && elapsed < 2_000, `close() took ${elapsed} ms`);
  await deaf.ended;
  assert.equal(deaf.closeCode(), 1001);
  assert.equal(server.connections.size, 0);
});

test('upgrades still waiting on verify when close() starts are refused with 503 at once', async (t) => {
  const entered = deferred();
  const { server, url } = await startServer(t, undefined, {
    verify: () => {
      entered.resolve();
      return new Promise<boolean>(() => undefined); // never decides
    },
  });
  const attempt = connectToWebsocket(url).catch((err: unknown) => err);
  await entered.promise;
  const started = Date.now();
  await server.close('shutting down');
  const err = await attempt;
  assert.ok(err instanceof ConnectError && err.status === 503, String(err));
  assert.ok(Date.now() - started < 2_000);
  assert.equal(server.metrics.refused.closing, 1);
});

test('a listen failure goes to whenDead with the cause and rejects listening', async (t) => {
  const { port } = await startServer(t);
  const second = createWebsocketServer('127.0.0.1', port);
  const reason = await new Promise<string>((resolve) => second.whenDead(resolve));
  assert.match(reason, /EADDRINUSE/);
  await assert.rejects(second.listening, /EADDRINUSE/);
});

test('closeOnSignals: SIGTERM closes the server gracefully (1001 and the reason) and the process exits 0', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/signal-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitFor(() => /port \d+/.test(output), 'the child server to listen', 20_000);
  const port = Number(/port (\d+)/.exec(output)?.[1]);

  const conn = await connectToWebsocket(`ws://127.0.0.1:${port}`);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  assert.deepEqual(await closedWith(conn), { code: 1001, reason: 'deploying, come back soon' });
  const [code] = await exited;
  assert.equal(code, 0);
  assert.match(output, /dead: deploying, come back soon/);
});

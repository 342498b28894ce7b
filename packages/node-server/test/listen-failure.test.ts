import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CorowsError, createWebsocketServer } from '../src/index.js';
import { startServer, waitFor } from './helpers.js';

test('a process whose server cannot listen and that handles nothing says why on stderr', async (t) => {
  const { port } = await startServer(t);
  const fixture = fileURLToPath(new URL('./fixtures/unheard-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, String(port)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await once(child, 'exit');
  assert.match(stderr, new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*set whenDead\\(\\) or await server\\.listening`));
});

test('an unheard failure to listen goes to the server\'s error event when it has a listener', async (t) => {
  const { port } = await startServer(t);
  const logged: unknown[][] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
  const server = createWebsocketServer('127.0.0.1', port);
  const errors: Error[] = [];
  server.on('error', (err) => errors.push(err));
  await waitFor(() => server.dead, 'the server to die');
  assert.equal(errors.length, 1);
  const [err] = errors;
  assert.ok(err instanceof CorowsError);
  assert.equal(err.code, 'EADDRINUSE');
  assert.match(err.message, new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}`));
  assert.deepEqual(logged, []);
});

test('a failure to listen that whenDead or listening hears is not reported again', async (t) => {
  const { port } = await startServer(t);
  const logged: unknown[][] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
  const errors: Error[] = [];

  const withHandler = createWebsocketServer('127.0.0.1', port).whenDead(() => undefined);
  withHandler.on('error', (err) => errors.push(err));
  const awaited = createWebsocketServer('127.0.0.1', port);
  awaited.on('error', (err) => errors.push(err));
  await assert.rejects(awaited.listening, /EADDRINUSE/);
  await waitFor(() => withHandler.dead && awaited.dead, 'both servers to die');

  assert.deepEqual(errors, []);
  assert.deepEqual(logged, []);
});

test('a closed server that never failed reports nothing', async (t) => {
  const logged: unknown[][] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
  const server = createWebsocketServer('127.0.0.1', 0);
  await server.close('unused');
  assert.ok(server.dead);
  assert.deepEqual(logged, []);
});

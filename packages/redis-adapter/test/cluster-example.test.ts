import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defer, startRedis } from './helpers.js';
import { SKIP_WITHOUT_REDIS } from './redis-server.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

test('examples/cluster.ts: workers of one cluster relay a message to every client once', { skip: SKIP_WITHOUT_REDIS }, async (t) => {
  const redis = await startRedis(t);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'cluster.ts', '--check'], {
    cwd: EXAMPLES,
    env: { ...process.env, REDIS_URL: redis.url, PORT: '0', WORKERS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  assert.equal(await exited, 0, output);
  assert.match(output, /check: 4 clients on 2 workers/);
  assert.match(output, /reached all 4 clients on 2 workers, each once/);
});

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../src/main.js';

/** Runs the CLI's `main` in this process (argument handling only: nothing here crosses the wire). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  stderr.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
  const code = await main(args, { stdin: new PassThrough(), stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('corows --help, --version and a missing or unknown command', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /serve +a WebSocket server[\s\S]*connect +a WebSocket client/);
  assert.match((await run(['--version'])).stdout, /^\d+\.\d+\.\d+/);
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'corows: which command? serve or connect\n(corows --help shows how to use it)\n');
  const unknown = await run(['listen']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "listen"; the commands are serve and connect/);
});

test('serve --help prints its usage; bad flags exit 2 naming the flag', async () => {
  const help = await run(['serve', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: corows serve \[--host H\] \[--port P\] \[--echo\]/);
  for (const [args, message] of [
    [['--port', 'eighty'], /--port must be a whole number from 0 to 65535 \(0 picks a free port\), got "eighty"/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--port=-1'], /--port must be a whole number from 0 to 65535/],
    [['--port'], /Option '--port <value>' argument missing/],
    [['--verbose'], /unknown option --verbose; the options are --host, --port, --echo, --help \(-h\)/],
    [['now'], /unexpected argument "now"/],
  ] as const) {
    const { code, stderr } = await run(['serve', ...args]);
    assert.equal(code, 2, `corows serve ${args.join(' ')}`);
    assert.match(stderr, message);
    assert.match(stderr, /\(corows serve --help shows how to use it\)\n$/);
  }
});

test('connect --help prints its usage; bad flags and addresses exit 2 naming what was wrong', async () => {
  const help = await run(['connect', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: corows connect <url> \[-H "Name: value"\]\.\.\. \[--protocol P\]\.\.\. \[--wait ms\]/);
  for (const [args, message] of [
    [[], /which address\? Give one, such as corows connect ws:\/\/127\.0\.0\.1:1042/],
    [['http://127.0.0.1:1'], /the address "http:\/\/127\.0\.0\.1:1" uses http:\/\/, expected ws:\/\/ or wss:\/\//],
    [['ws://127.0.0.1:1', '-H', 'no colon'], /-H "no colon" is not a header; write it as -H "Name: value"/],
    [['ws://127.0.0.1:1', '-H', ': empty name'], /-H ": empty name" is not a header/],
    [['ws://127.0.0.1:1', '-H', 'Bad Name: x'], /-H "Bad Name: x" is not a header/],
    [['ws://127.0.0.1:1', '--wait', 'soon'], /--wait must be a whole number of milliseconds, such as 500, got "soon"/],
    [['ws://127.0.0.1:1', '--proto', 'x'], /unknown option --proto; the options are --header \(-H\), --protocol, --wait, --json, --help \(-h\)/],
    [['ws://127.0.0.1:1', 'ws://127.0.0.1:2'], /unexpected argument "ws:\/\/127\.0\.0\.1:2" after the address/],
  ] as const) {
    const { code, stderr } = await run(['connect', ...args]);
    assert.equal(code, 2, `corows connect ${args.join(' ')}`);
    assert.match(stderr, message);
    assert.match(stderr, /\(corows connect --help shows how to use it\)\n$/);
  }
});

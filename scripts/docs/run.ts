/**
 * Runs a README snippet marked `run` as a user would (`node` on the file, with the workspace packages),
 * on free ports instead of the fixed ones it names, and with what it needs beside it: an echo server
 * (`run echo-server`) or a throwaway Redis (`run redis`, its URL in `REDIS_URL`).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createWebsocketServer } from '@corows/node-server';
import { RedisProcess } from '../../packages/redis-adapter/test/redis-server.js';
import type { SnippetFile } from './typecheck.js';

/** How long a snippet may run before it counts as hung. */
const RUN_TIMEOUT = 30_000;

/** What a snippet printed; `failure` says why it failed, if it did. */
export interface RunOutcome {
  stdout: string;
  failure?: string;
}

/** What beside the snippet it needs: nothing, an echo server, or Redis. */
export type RunNeeds = 'alone' | 'echo-server' | 'redis';

/**
 * Fixed ports a snippet names: in `ws://host:PORT` addresses and as the port argument of
 * `createWebsocketServer(host, PORT`. The first is the one an echo server stands in for.
 */
export function fixedPorts(code: string): number[] {
  const ports = [
    ...code.matchAll(/wss?:\/\/[^/'"`\s:]+:(\d{2,5})\b/g),
    ...code.matchAll(/createWebsocketServer(?:<[^>]*>)?\(\s*['"][^'"]*['"]\s*,\s*(\d{2,5})\b/g),
  ].map((match) => Number(match[1]));
  return [...new Set(ports)].filter((port) => port !== 0);
}

/** Runs `snippet` and resolves with what it printed (ports put back as written). */
export async function runSnippet(root: string, snippet: SnippetFile, needs: RunNeeds): Promise<RunOutcome> {
  const code = readFileSync(snippet.path, 'utf8');
  const ports = fixedPorts(code);
  const cleanups: Array<() => Promise<unknown>> = [];
  const env: Record<string, string> = {};
  try {
    const replacements = new Map<number, number>();
    if (needs === 'echo-server') {
      const [port] = ports;
      if (port === undefined) return { stdout: '', failure: '`run echo-server` but the snippet names no ws:// address with a port' };
      const server = createWebsocketServer('127.0.0.1', 0).whenNewConn((conn) => {
        conn.whenNewMsg((msg) => msg !== null && (typeof msg === 'string' ? conn.sendMessage(msg) : conn.sendBinary(msg)));
      });
      cleanups.push(() => server.close());
      replacements.set(port, (await server.listening).port);
    }
    if (needs === 'redis') {
      const redis = await RedisProcess.launch();
      cleanups.push(() => redis.kill());
      env.REDIS_URL = redis.url;
    }
    for (const port of ports) if (!replacements.has(port)) replacements.set(port, await freePort());

    let runnable = code;
    for (const [from, to] of replacements) runnable = runnable.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to));
    const path = snippet.path.replace(/\.ts$/, '.run.ts');
    writeFileSync(path, runnable);
    const outcome = await runNode(root, path, env);
    for (const [from, to] of replacements) outcome.stdout = outcome.stdout.replace(new RegExp(`\\b${to}\\b`, 'g'), String(from));
    return outcome;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

function runNode(root: string, path: string, env: Record<string, string>): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout });
      const why = signal === 'SIGKILL' ? `did not exit within ${RUN_TIMEOUT / 1000} s` : `exited with ${code ?? signal}`;
      resolve({ stdout, failure: `${why}${stderr === '' ? '' : `; stderr:\n${stderr.trimEnd()}`}` });
    });
  });
}

/** A port nothing listens on right now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

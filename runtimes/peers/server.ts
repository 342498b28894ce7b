// A contract server on this runtime (Node, Bun or Deno: the driver starts it as a child process).
//   server.ts <runtime> <peer kind>     serves the scenarios (puppet and subject) on two servers (the
//                                       second with a fast heartbeat), prints their addresses
//   server.ts <runtime> lifecycle       runs the server lifecycle scenarios and exits
// Everything for the driver goes to stdout as `CONTRACT <json>` lines (report.ts).
import process from 'node:process';
import * as corows from '@corows/node-server';
import { serveContract } from '../contract/runner.ts';
import { KEEP_ALIVE, LIMITS } from '../contract/settings.ts';
import type { PeerKind, Runtime } from '../contract/types.ts';
import { runLifecycle } from './lifecycle.ts';
import { tellDriver } from './report.ts';

const [runtime, mode] = process.argv.slice(2) as [Runtime, PeerKind | 'lifecycle'];

if (mode === 'lifecycle') {
  await runLifecycle(corows, tellDriver);
  tellDriver({ done: true });
  process.exit(0);
}

/** A contract server: the default heartbeat (30 s), or KEEP_ALIVE for the scenarios that test it. */
async function serve(keepAlive: typeof KEEP_ALIVE | undefined): Promise<string> {
  const server = corows.createWebsocketServer('127.0.0.1', 0, {
    ...LIMITS,
    ...(keepAlive === undefined ? {} : { keepAlive }),
    verify: (request) => (request.path === '/refuse' ? { status: 403, reason: 'refused by the contract server' } : true),
  });
  server.on('error', (err) => tellDriver({ serverError: String(err) }));
  server.whenNewConn(serveContract({ api: corows, runtime, peer, report: tellDriver }));
  const { port } = await server.listening;
  return `ws://127.0.0.1:${port}`;
}

const peer: PeerKind = mode;
const [listening, heartbeat] = await Promise.all([serve(undefined), serve(KEEP_ALIVE)]);
tellDriver({ listening, heartbeat });

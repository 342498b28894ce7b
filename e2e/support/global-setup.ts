import { existsSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createWebsocketServer } from '@corows/node-server';
import { chromiumPath } from './chromium.js';
import { createRoutes, type ConnRecords } from './routes.js';
import { bundleDir, createSite } from './site.js';

/** The addresses the suite runs against, passed to the test workers in `COROWS_E2E` (see fixtures). */
export interface Site {
  /** The page server: e2e/pages, the bundle at /corows.js, and /api/conn/<id>. */
  http: string;
  /** The real @corows/node-server with the e2e routes (support/routes.ts). */
  ws: string;
  /** A TCP server that accepts and never answers: a handshake that hangs. */
  silent: string;
  /** An address where nothing listens: a refused connection. */
  refused: string;
}

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function close(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the servers on free ports (port 0) before any test and returns the teardown. Fails at once,
 * with what to do, if Chromium or the built bundle is missing.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: run scripts/ensure-tools.sh (it installs Debian's chromium) or set CHROMIUM_PATH`);
  }
  if (!existsSync(join(bundleDir, 'corows.js'))) {
    throw new Error(`the browser bundle is missing in ${bundleDir}: run \`pnpm build\` first`);
  }

  const records: ConnRecords = new Map();
  const corows = createWebsocketServer('127.0.0.1', 0).whenNewConn(createRoutes(records));
  const { port: wsPort } = await corows.listening;
  const site = createSite(records);
  const httpPort = await listen(site);

  const hanging = new Set<Socket>();
  const silent = createServer((socket) => {
    hanging.add(socket);
    socket.on('close', () => hanging.delete(socket));
  });
  const silentPort = await listen(silent);
  const vacant = createServer();
  const refusedPort = await listen(vacant);
  await close(vacant);

  const addresses: Site = {
    http: `http://127.0.0.1:${httpPort}`,
    ws: `ws://127.0.0.1:${wsPort}`,
    silent: `ws://127.0.0.1:${silentPort}`,
    refused: `ws://127.0.0.1:${refusedPort}`,
  };
  process.env.COROWS_E2E = JSON.stringify(addresses);

  return async () => {
    for (const socket of hanging) socket.destroy();
    site.closeAllConnections();
    await Promise.all([corows.close('e2e over'), close(site), close(silent)]);
  };
}

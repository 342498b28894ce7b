import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { CorowsError } from '@corows/core';
import type { ResolvedOptions } from './options.js';
import { createHttpOrHttpsServer } from './tls.js';

/** The bound address of a listening server. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** The HTTP server under a corows server: one corows created and listens with, or one it was attached to. */
export interface HttpHost {
  readonly server: Server;
  /** Whether corows created this HTTP server (and so stops it on `close()`). */
  readonly owned: boolean;
  /** Resolves with the bound address once listening; rejects with a `CorowsError` if listening fails. */
  readonly listening: Promise<ServerAddress>;
  /** Stops an owned HTTP server: no new connections, plain HTTP ones dropped; resolves once it has closed. */
  stop(): Promise<void>;
}

/**
 * Creates the HTTP (or, with `tls`, HTTPS) server of `createWebsocketServer` (the one place corows makes one) and listens on
 * `host:port`; HTTP server errors after that go to `onError`. Node's own request timers bound the handshake: a client that connects and does not
 * complete its request within `handshakeTimeout` gets 408 and is dropped; plain HTTP requests get 426.
 */
export function listenHttp<Data>(host: string, port: number, options: ResolvedOptions<Data>, onError: (err: Error) => void): HttpHost {
  const timeout = options.handshakeTimeout;
  const server = createHttpOrHttpsServer(
    options.tls,
    { headersTimeout: timeout, requestTimeout: timeout, connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(timeout / 4))) },
    answerPlainHttp,
  );
  const listening = new Promise<ServerAddress>((resolve, reject) => {
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (server.listening) onError(err);
      else reject(new CorowsError(`the server could not listen on ${host}:${port}: ${withCode(err)}`, { code: err.code, cause: err }));
    });
    server.listen(port, host, () => resolve(addressOf(server, { host, port })));
  });
  return { server, owned: true, listening, stop: () => stopServer(server) };
}

/** Uses an HTTP or HTTPS server the application created (and keeps running after `close()`). */
export function attachHttp(server: Server): HttpHost {
  const listening = new Promise<ServerAddress>((resolve) => {
    if (server.listening) resolve(addressOf(server, { host: '', port: 0 }));
    else server.once('listening', () => resolve(addressOf(server, { host: '', port: 0 })));
  });
  return { server, owned: false, listening, stop: () => Promise.resolve() };
}

function answerPlainHttp(_req: IncomingMessage, res: ServerResponse): void {
  res
    .writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' })
    .end('426 Upgrade Required: this is a WebSocket endpoint\n');
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function addressOf(server: Server, fallback: ServerAddress): ServerAddress {
  const bound = server.address();
  return typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : fallback;
}

/** The error's message, naming its code if it does not already (Bun's says "Is port … in use?"). */
function withCode(err: NodeJS.ErrnoException): string {
  return err.code === undefined || err.message.includes(err.code) ? err.message : `${err.message} (${err.code})`;
}

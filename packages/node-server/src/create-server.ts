import type { Server } from 'node:http';
import type { ServerOptions } from './options.js';
import { WebsocketServer } from './server.js';
import { describeValue } from '@corows/core/server';

/**
 * Creates a WebSocket server listening on `host:port` (seed: `create_websocket_server`). Synchronous,
 * like the seed: it returns at once and listens in the background; a failure to listen goes to
 * `whenDead` (and rejects `listening`). Throws a `TypeError`/`RangeError` at once only for arguments
 * that could never work. `Data` is the type of each connection's `conn.data`.
 *
 * @example
 * ```ts
 * createWebsocketServer('127.0.0.1', 1042)
 *   .whenNewConn(async (conn) => {
 *     conn.whenNewMsg((msg) => conn.sendMessage(`server echo: ${msg}`));
 *     await conn.sendMessage('server hello');
 *     console.log('first message:', await conn.receiveMessage());
 *   })
 *   .whenDead((reason) => console.log('server dead:', reason));
 * ```
 */
export function createWebsocketServer<Data = Record<string, unknown>>(host: string, port: number, options?: ServerOptions<Data>): WebsocketServer<Data> {
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`createWebsocketServer(): host must be a non-empty string such as "127.0.0.1" or "0.0.0.0", got ${describeValue(host)}`);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`createWebsocketServer(): port must be a whole number from 0 to 65535, got ${describeValue(port)}`);
  }
  return new WebsocketServer<Data>({ listen: { host, port } }, options);
}

/**
 * Serves WebSocket on an HTTP or HTTPS server your application already has (Express, Fastify, Koa, a
 * plain `http.createServer`), sharing its port: plain requests stay the app's, upgrade requests for
 * `options.path` (every path if unset) become connections. Several corows servers can share one HTTP
 * server on different paths. `close()` closes the WebSocket side only. Synchronous and chainable, like
 * {@link createWebsocketServer}; `listening` resolves once the HTTP server listens.
 *
 * @example
 * ```ts
 * const app = express();
 * const http = app.listen(8080);
 * attachWebsocketServer(http, { path: '/chat' }).whenNewConn((conn) => conn.join('lobby'));
 * ```
 */
export function attachWebsocketServer<Data = Record<string, unknown>>(server: Server, options?: ServerOptions<Data>): WebsocketServer<Data> {
  if (typeof (server as Partial<Server> | null)?.on !== 'function' || typeof (server as Partial<Server>).listen !== 'function') {
    throw new TypeError('attachWebsocketServer(): the first argument must be a Node http.Server or https.Server (for Express, the value app.listen() returns)');
  }
  return new WebsocketServer<Data>({ attach: server }, options);
}

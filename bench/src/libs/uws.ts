import { createRequire } from 'node:module';
import type * as Uws from '@trufflesuite/uws-js-unofficial';
import type { EchoPeer, Lib, ServerHandle, ServerMode } from './types.js';

/**
 * uWebSockets.js' native module for this Node, loaded directly: the package's own entry falls back to
 * a JavaScript imitation on `ws` when the binary does not load, which must never pass for uWS.js here.
 */
function loadUws(): typeof Uws {
  const file = `@trufflesuite/uws-js-unofficial/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    return createRequire(import.meta.url)(file) as typeof Uws;
  } catch (err) {
    throw new Error(`uWS.js has no binary for ${process.platform}-${process.arch}, Node ABI ${process.versions.modules} (${file}): ${String(err)}`);
  }
}

/**
 * uWebSockets.js (the `@trufflesuite/uws-js-unofficial` build of it, a bench devDependency only), the
 * fastest WebSocket server for Node: the ceiling. Used as its examples show, with its defaults, and the
 * bench's one rule: the application gets each message as a string. It has no client: the rows that
 * measure it drive it with lean `ws` clients.
 */
export const uwsLib: Lib = {
  id: 'uws',

  async listen(mode: ServerMode): Promise<ServerHandle> {
    if (mode !== 'echo') throw new Error('the uWS.js server of the bench only echoes');
    const uws = loadUws();
    let open = 0;
    const sockets = new Set<Uws.WebSocket<unknown>>();
    const app = uws.App().ws('/*', {
      compression: uws.DISABLED,
      maxPayloadLength: 1024 * 1024,
      open: (ws) => {
        open++;
        sockets.add(ws);
        ws.subscribe('all');
      },
      message: (ws, message, isBinary) => {
        // The ArrayBuffer is only valid during this call: decoding it is the application's copy.
        if (isBinary) ws.send(message, true);
        else ws.send(Buffer.from(message).toString());
      },
      close: (ws) => {
        open--;
        sockets.delete(ws);
      },
    });
    const listenSocket = await new Promise<Uws.us_listen_socket>((resolve, reject) => {
      app.listen('127.0.0.1', 0, (token) => (token === false ? reject(new Error('uWS.js could not listen on 127.0.0.1')) : resolve(token)));
    });
    return {
      port: uws.us_socket_local_port(listenSocket as Uws.us_socket),
      connectionCount: () => open,
      broadcastMode: 'app.publish() to a topic every connection subscribed to',
      broadcast: (text) => app.publish('all', text),
      sendEach(text) {
        for (const ws of sockets) ws.send(text);
      },
      readAll: () => Promise.reject(new Error('the uWS.js server of the bench only echoes')),
      close: async () => {
        uws.us_listen_socket_close(listenSocket);
      },
    };
  },

  connect(): Promise<EchoPeer> {
    return Promise.reject(new Error('uWS.js is a server only; the bench drives it with lean ws clients'));
  },
};

import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { takeHeld } from '../timing.js';
import { Pump } from './pump.js';
import type { EchoPeer, Lib, ServerHandle, ServerMode } from './types.js';

/**
 * Raw `ws`, used as its README shows, with one rule that every library here follows: the
 * application gets each message as a string (`data.toString()`), as an app that reads its messages
 * would, since corows and Socket.IO hand out strings too.
 */
export const wsLib: Lib = {
  id: 'ws',

  async listen(mode: ServerMode): Promise<ServerHandle> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    const held: string[] = [];
    wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      if (mode === 'echo') {
        ws.on('message', (data: RawData, isBinary) => ws.send(isBinary ? data : data.toString()));
      } else {
        // Events cannot wait: an app that reads later must queue what arrives.
        ws.on('message', (data: RawData) => held.push(data.toString()));
      }
    });
    await new Promise<void>((resolve, reject) => wss.once('listening', resolve).once('error', reject));
    return {
      port: (wss.address() as { port: number }).port,
      connectionCount: () => wss.clients.size,
      broadcastMode: 'loop over wss.clients',
      broadcast(text) {
        for (const client of wss.clients) {
          if (client.readyState === WebSocket.OPEN) client.send(text);
        }
      },
      sendEach(text) {
        for (const client of wss.clients) {
          if (client.readyState === WebSocket.OPEN) client.send(text);
        }
      },
      readAll: (expected, deadline) => takeHeld(held, expected, deadline),
      close: () =>
        new Promise<void>((resolve) => {
          for (const client of wss.clients) client.terminate();
          wss.close(() => resolve());
        }),
    };
  },

  async connect(port: number): Promise<EchoPeer> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.on('error', () => undefined);
    const pump = new Pump();
    ws.on('message', (data: RawData) => {
      const next = pump.next(data.toString());
      if (next !== undefined) ws.send(next);
    });
    return {
      get mismatches() {
        return pump.mismatches;
      },
      pump: (payload, inFlight, onEcho) => pump.start(payload, inFlight, onEcho, (p) => ws.send(p)),
      close: () =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    };
  },
};

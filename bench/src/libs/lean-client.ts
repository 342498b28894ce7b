import { WebSocket } from 'ws';
import { SOCKET_IO_EVENT } from './socketio.js';

/**
 * How a lean load-generator connection speaks: plain WebSocket messages (raw `ws` and corows
 * servers), or Socket.IO's packets over a plain WebSocket. The rows with 10,000 connections use these
 * instead of each library's client, so the load generator costs the same whichever server is measured.
 */
export type Wire = 'websocket' | 'socket.io';

/** One lean connection, open (for Socket.IO: joined to the main namespace). */
export interface LeanConn {
  readonly ws: WebSocket;
  /** Sends one application message (for Socket.IO: one `m` event). */
  send(text: string): void;
}

/**
 * Opens a lean connection from `localAddress` and calls `onMessage` for each application message.
 * Socket.IO's packets (engine.io v4): `0{…}` open → we send `40` (join `/`) → `40{…}` joined;
 * `2` ping → `3` pong; `42[…]` an event.
 */
export function openLean(port: number, wire: Wire, localAddress: string, onMessage: () => void): Promise<LeanConn> {
  const url = wire === 'websocket' ? `ws://127.0.0.1:${port}/` : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
  const conn: LeanConn = {
    ws,
    send: wire === 'websocket' ? (text) => ws.send(text) : (text) => ws.send(`42${JSON.stringify([SOCKET_IO_EVENT, text])}`),
  };
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.once('close', (code) => reject(new Error(`closed before open (code ${code})`)));
    if (wire === 'websocket') {
      ws.once('open', () => resolve(conn));
      ws.on('message', onMessage);
      return;
    }
    ws.on('message', (data) => {
      const packet = data.toString();
      if (packet.startsWith('42')) onMessage();
      else if (packet === '2') ws.send('3');
      else if (packet.startsWith('40')) resolve(conn);
      else if (packet.startsWith('0')) ws.send('40');
    });
  });
}

/**
 * The client address of connection `index`, spread over 127.0.0.0/8 (Linux routes all of it to
 * loopback) so that 10,000 connections, round after round, never run out of ephemeral ports.
 */
export function sourceAddress(round: number, index: number): string {
  return `127.${10 + (round % 200)}.${Math.floor(index / 200) % 256}.${1 + (index % 200)}`;
}

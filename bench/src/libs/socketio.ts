import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connectIo } from 'socket.io-client';
import { takeHeld } from '../timing.js';
import { SOCKET_IO_EVENT } from './lean-client.js';
import { Pump } from './pump.js';
import type { EchoPeer, Lib, Requester, ServerHandle, ServerMode } from './types.js';

/** The event requests travel as in request-probe.ts, answered by acknowledgement. */
const REQUEST_EVENT = 'r';

/** Socket.IO with the WebSocket transport only (no long-polling, no compression), as its docs show. */
export const socketIoLib: Lib = {
  id: 'socket.io',

  async listen(mode: ServerMode): Promise<ServerHandle> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
    const held: unknown[] = [];
    io.on('connection', (socket) => {
      if (mode === 'echo') socket.on(SOCKET_IO_EVENT, (data: unknown) => socket.emit(SOCKET_IO_EVENT, data));
      else if (mode === 'reply') socket.on(REQUEST_EVENT, (data: unknown, ack: (reply: unknown) => void) => ack(data));
      // Events cannot wait: an app that reads later must queue what arrives.
      else socket.on(SOCKET_IO_EVENT, (data: unknown) => held.push(data));
    });
    await new Promise<void>((resolve, reject) => http.once('error', reject).listen(0, '127.0.0.1', resolve));
    return {
      port: (http.address() as { port: number }).port,
      connectionCount: () => io.of('/').sockets.size,
      broadcastMode: 'io.emit()',
      broadcast: (text) => io.emit(SOCKET_IO_EVENT, text),
      sendEach(text) {
        for (const socket of io.of('/').sockets.values()) socket.emit(SOCKET_IO_EVENT, text);
      },
      readAll: (expected, deadline) => takeHeld(held, expected, deadline),
      close: () =>
        new Promise<void>((resolve) => {
          io.disconnectSockets(true);
          void io.close(() => resolve());
        }),
    };
  },

  async connectRequester(port: number): Promise<Requester> {
    const socket = connectIo(`ws://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    return {
      how: 'socket.emitWithAck() (no timeout)',
      request: (value) => socket.emitWithAck(REQUEST_EVENT, value) as Promise<unknown>,
      close: async () => {
        socket.disconnect();
      },
    };
  },

  async connect(port: number): Promise<EchoPeer> {
    const socket = connectIo(`ws://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    const pump = new Pump();
    socket.on(SOCKET_IO_EVENT, (data: unknown) => {
      const next = pump.next(data);
      if (next !== undefined) socket.emit(SOCKET_IO_EVENT, next);
    });
    return {
      get mismatches() {
        return pump.mismatches;
      },
      pump: (payload, inFlight, onEcho) => pump.start(payload, inFlight, onEcho, (p) => socket.emit(SOCKET_IO_EVENT, p)),
      close: async () => {
        socket.disconnect();
      },
    };
  },
};

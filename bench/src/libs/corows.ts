import { connectToWebsocket, createWebsocketServer, type WebSocketConn, type WebsocketServer } from '@corows/node-server';
import { Pump } from './pump.js';
import type { EchoPeer, Lib, ServerHandle, ServerMode } from './types.js';

type Style = 'handler' | 'receive';

/** `server.broadcast(message)` (issue 5) where this build has it: it may return a promise or not. */
type Broadcaster = WebsocketServer & { broadcast?: (message: string) => unknown };

/** corows as its README shows it, reading with `whenNewMsg(cb)` (`handler`) or a `receiveMessage()` loop. */
export function corowsLib(style: Style): Lib {
  return {
    id: style === 'handler' ? 'corows-handler' : 'corows-receive',
    listen: (mode) => listen(style, mode),
    connect: (port) => connect(style, port),
    async connectRequester(port) {
      const conn = await connectToWebsocket(`ws://127.0.0.1:${port}`);
      conn.on('error', () => undefined);
      return { how: 'conn.request() (default timeout)', request: (value) => conn.request(value), close: () => conn.close() };
    },
  };
}

async function listen(style: Style, mode: ServerMode): Promise<ServerHandle> {
  const server: Broadcaster = createWebsocketServer('127.0.0.1', 0);
  const held: WebSocketConn[] = [];
  server.whenNewConn((conn) => {
    if (mode === 'hold') held.push(conn);
    else if (mode === 'reply') conn.whenRequest((value) => value);
    else if (style === 'handler') conn.whenNewMsg((msg) => (typeof msg === 'string' ? conn.sendMessage(msg) : undefined));
    else void echoLoop(conn);
  });
  const { port } = await server.listening;
  const native = typeof server.broadcast === 'function';
  return {
    port,
    connectionCount: () => server.connections.size,
    broadcastMode: native ? 'server.broadcast()' : 'pending broadcast(): loop over server.connections',
    broadcast(text) {
      if (server.broadcast !== undefined) return server.broadcast(text);
      for (const conn of server.connections) void conn.sendMessage(text);
      return undefined;
    },
    sendEach(text) {
      for (const conn of server.connections) void conn.sendMessage(text);
    },
    async useRequests(timeoutMs) {
      const conns = [...server.connections];
      for (const conn of conns) conn.whenRequest((value) => value);
      return (await Promise.all(conns.map((conn) => conn.request(0, { timeout: timeoutMs })))).length;
    },
    async readAll(expected, deadline) {
      let count = 0;
      for (const conn of held) {
        while (count < expected) {
          const msg = await conn.receiveMessage({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null);
          if (msg === null) break;
          count++;
        }
      }
      return count;
    },
    close: () => server.close('bench over'),
  };
}

async function echoLoop(conn: WebSocketConn): Promise<void> {
  for (;;) {
    const msg = await conn.receiveMessage();
    if (msg === null) return;
    if (typeof msg === 'string') void conn.sendMessage(msg);
  }
}

async function connect(style: Style, port: number): Promise<EchoPeer> {
  const conn = await connectToWebsocket(`ws://127.0.0.1:${port}`);
  conn.on('error', () => undefined);
  const pump = new Pump();
  if (style === 'handler') {
    conn.whenNewMsg((msg) => {
      if (msg === null) return;
      const next = pump.next(msg);
      if (next !== undefined) void conn.sendMessage(next);
    });
  } else {
    void (async () => {
      for (;;) {
        const msg = await conn.receiveMessage();
        if (msg === null) return;
        const next = pump.next(msg);
        if (next !== undefined) void conn.sendMessage(next);
      }
    })();
  }
  return {
    get mismatches() {
      return pump.mismatches;
    },
    pump: (payload, inFlight, onEcho) => pump.start(payload, inFlight, onEcho, (p) => void conn.sendMessage(p)),
    close: () => conn.close(),
  };
}

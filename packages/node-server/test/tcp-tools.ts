import { createServer, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { ChaosProxy } from './support/chaos-proxy.js';

async function listen(t: TestContext, server: Server, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/**
 * A TCP server that accepts connections and never answers a byte: a WebSocket handshake to it
 * hangs until the client gives up. `accepted` resolves with each accepted socket's close.
 */
export async function startBlackHole(t: TestContext): Promise<{ url: string; accepted: Promise<Socket> }> {
  const sockets = new Set<Socket>();
  let onAccept: (socket: Socket) => void = () => undefined;
  const accepted = new Promise<Socket>((resolve) => (onAccept = resolve));
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.resume(); // read and ignore the handshake, so that the client's close is seen
    onAccept(socket);
  });
  const port = await listen(t, server, sockets);
  return { url: `ws://127.0.0.1:${port}`, accepted };
}

/**
 * A TCP proxy to `127.0.0.1:targetPort`. `freeze()` black-holes every connection open at that moment
 * (see `ChaosProxy` for the other ways to cut): each end sees a peer that has gone silent, as behind a
 * dead NAT or a frozen process. Later connections are forwarded normally.
 */
export async function startProxy(t: TestContext, targetPort: number): Promise<{ url: string; freeze(): void }> {
  const proxy = await ChaosProxy.forTest(t, { target: { host: '127.0.0.1', port: targetPort } });
  return { url: proxy.url, freeze: () => void proxy.cut('blackhole') };
}

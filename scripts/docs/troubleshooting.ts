/**
 * The failures the README's Troubleshooting section explains, produced for real (refused, TLS
 * mismatches, HTTP refusals, 1008/1009 closes, heartbeat timeouts, …) so that the messages it quotes
 * are the ones the code writes today.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  connectToWebsocket,
  createWebsocketServer,
  type ConnectOptions,
  type ServerOptions,
  type WebSocketConn,
  type WebsocketServer,
} from '@corows/node-server';
import { hasOpenssl, makeTestCerts, type TestCerts } from '../../packages/node-server/test/certs.js';

/** The port every quoted message shows, whatever port the scenario used. */
const SHOWN_PORT = '1042';

/** One failure as the README shows it. */
export interface Symptom {
  scenario: string;
  /** `Name: message` of an error, or `close code N, reason "…"` of a close. */
  text: string;
}

type Produce = (ctx: Context) => Promise<string>;

/** What a scenario may start; everything is stopped once it is done. */
class Context {
  readonly ports: number[] = [];
  private readonly stops: Array<() => unknown> = [];
  private certs: TestCerts | undefined;

  async server(options?: ServerOptions): Promise<{ server: WebsocketServer; url: string }> {
    const server = createWebsocketServer('127.0.0.1', 0, options);
    this.stops.push(() => server.close());
    const { port } = await server.listening;
    this.ports.push(port);
    return { server, url: `ws://127.0.0.1:${port}` };
  }

  async client(url: string, options?: ConnectOptions): Promise<WebSocketConn> {
    const conn = await connectToWebsocket(url, options);
    this.stops.push(() => conn.terminate());
    return conn;
  }

  /** A TCP server that accepts connections and never answers (a half-dead or firewalled peer). */
  async silentTcp(): Promise<number> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket.on('error', () => undefined));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.stops.push(() => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      return closed;
    });
    const { port } = server.address() as AddressInfo;
    this.ports.push(port);
    return port;
  }

  /** A plain `ws` server that never answers pings: a frozen peer, as far as a heartbeat can tell. */
  async frozenServer(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise((resolve) => server.once('listening', resolve));
    this.stops.push(() => {
      for (const client of server.clients) client.terminate();
      return new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as AddressInfo;
    this.ports.push(port);
    return `ws://127.0.0.1:${port}`;
  }

  /** A port nothing listens on. */
  async closedPort(): Promise<number> {
    const port = await this.silentTcp();
    await this.stops.pop()?.();
    return port;
  }

  tlsCerts(): TestCerts {
    this.certs ??= makeTestCerts();
    return this.certs;
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.reverse()) await stop();
  }
}

const failure = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${String(err)}`);

/** What a connect that should fail threw. */
async function connectFailure(ctx: Context, url: string, options?: ConnectOptions): Promise<string> {
  try {
    await ctx.client(url, options);
  } catch (err) {
    return failure(err);
  }
  throw new Error(`connecting to ${url} was expected to fail`);
}

/** The close code and reason a connection ends with. */
function closeOf(conn: WebSocketConn): Promise<string> {
  return new Promise((resolve) => conn.once('close', (code, reason) => resolve(`close code ${code}, reason ${JSON.stringify(reason)}`)));
}

/** The scenarios, each with the settings-dependent figures shown as their defaults in the README. */
const SCENARIOS: Array<{ scenario: string; produce: Produce; shown?: Array<[RegExp, string]>; needsTls?: boolean }> = [
  { scenario: 'nothing listens', produce: async (ctx) => connectFailure(ctx, `ws://127.0.0.1:${await ctx.closedPort()}`) },
  { scenario: 'no answer', produce: async (ctx) => connectFailure(ctx, `ws://127.0.0.1:${await ctx.silentTcp()}`, { timeout: 300 }), shown: [[/within 300 ms/, 'within 10000 ms']] },
  { scenario: 'wss:// to a plain server', produce: async (ctx) => connectFailure(ctx, (await ctx.server()).url.replace('ws:', 'wss:')) },
  {
    scenario: 'ws:// to a TLS server',
    needsTls: true,
    produce: async (ctx) => {
      const { cert, key } = ctx.tlsCerts().server;
      return connectFailure(ctx, (await ctx.server({ tls: { cert, key } })).url);
    },
  },
  {
    scenario: 'a certificate the client does not trust',
    needsTls: true,
    produce: async (ctx) => {
      const { cert, key } = ctx.tlsCerts().server;
      return connectFailure(ctx, (await ctx.server({ tls: { cert, key } })).url.replace('ws:', 'wss:'));
    },
  },
  {
    scenario: 'mutual TLS without a client certificate',
    needsTls: true,
    produce: async (ctx) => {
      const { ca, server } = ctx.tlsCerts();
      const { url } = await ctx.server({ tls: { ...server, ca, requestCert: true } });
      return connectFailure(ctx, url.replace('ws:', 'wss:'), { tls: { ca } });
    },
  },
  {
    scenario: '403 from verify',
    produce: async (ctx) => connectFailure(ctx, (await ctx.server({ verify: () => ({ status: 403, reason: 'unknown token' }) })).url),
  },
  {
    scenario: '403 for an origin',
    produce: async (ctx) => {
      const { url } = await ctx.server({ allowedOrigins: ['https://game.example.com'] });
      return connectFailure(ctx, url, { headers: { Origin: 'https://evil.example' } });
    },
  },
  {
    scenario: '503 when full',
    produce: async (ctx) => {
      const { url } = await ctx.server({ maxConnections: 1 });
      await ctx.client(url);
      return connectFailure(ctx, url);
    },
    shown: [[/maxConnections: 1\b/, 'maxConnections: 10000']],
  },
  { scenario: '404 for a path', produce: async (ctx) => connectFailure(ctx, `${(await ctx.server({ path: '/game' })).url}/chat`) },
  {
    scenario: '400 for subprotocols',
    produce: async (ctx) => connectFailure(ctx, (await ctx.server({ protocols: ['game.v2'] })).url, { protocols: ['chat'] }),
  },
  {
    scenario: 'headers in a browser',
    produce: async (ctx) => {
      class BrowserLikeSocket {} // a WebSocket class without ping(): driven as a browser's
      return connectFailure(ctx, `ws://127.0.0.1:${SHOWN_PORT}`, { headers: { Authorization: 'Bearer abc' }, webSocketImpl: BrowserLikeSocket as never });
    },
  },
  {
    scenario: '1009 from the server (what the client sees)',
    produce: async (ctx) => {
      const conn = await ctx.client((await ctx.server({ maxPayload: 1024 })).url);
      const closed = closeOf(conn);
      await conn.sendMessage('x'.repeat(2048));
      return closed;
    },
  },
  {
    scenario: '1009 on the server side',
    produce: async (ctx) => {
      const { server, url } = await ctx.server({ maxPayload: 1024 });
      const serverSide = new Promise<string>((resolve) => server.whenNewConn((conn) => void closeOf(conn).then(resolve)));
      await (await ctx.client(url)).sendMessage('x'.repeat(2048));
      return serverSide;
    },
  },
  {
    scenario: '1009 from the client',
    produce: async (ctx) => {
      const { server, url } = await ctx.server();
      server.whenNewConn((conn) => void conn.sendMessage('y'.repeat(2048)));
      return closeOf(await ctx.client(url, { maxPayload: 1024 }));
    },
  },
  {
    scenario: '1008 for a flood',
    produce: async (ctx) => {
      const conn = await ctx.client((await ctx.server({ rateLimit: { messages: 100, interval: 1000 } })).url);
      const closed = closeOf(conn);
      for (let i = 0; i < 150; i++) void conn.sendMessage(`message ${i}`);
      return closed;
    },
  },
  {
    scenario: 'heartbeat timeout (client)',
    produce: async (ctx) => closeOf(await ctx.client(await ctx.frozenServer(), { keepAlive: 300 })),
    shown: [[/within 300 ms/, 'within 30000 ms']],
  },
  {
    scenario: 'send after close',
    produce: async (ctx) => {
      const conn = await ctx.client((await ctx.server({ maxPayload: 1024 })).url);
      const closed = closeOf(conn);
      await conn.sendMessage('x'.repeat(2048));
      await closed;
      const error = await conn.sendMessage('too late');
      return error === null ? 'the send went through' : failure(error);
    },
  },
  {
    scenario: 'reconnect gives up',
    produce: async (ctx) => {
      const { server, url } = await ctx.server();
      const conn = await ctx.client(url, { reconnect: { maxAttempts: 2, initialDelay: 10 } });
      const closed = closeOf(conn);
      await server.close('maintenance');
      return closed;
    },
  },
  {
    scenario: 'the port is taken',
    produce: async (ctx) => {
      const { url } = await ctx.server();
      const second = createWebsocketServer('127.0.0.1', Number(new URL(url).port));
      return new Promise((resolve) => second.whenDead((reason) => resolve(`whenDead: ${reason}`)));
    },
  },
];

/** OpenSSL's thread id and source location change from run to run and build to build. */
function normalize(text: string, ports: number[], shown: Array<[RegExp, string]>): string {
  let result = text
    .replace(/\b[0-9A-F]{12,16}:error:/g, '…:error:')
    .replace(/\.\.\/deps\/openssl\/\S+?:\d+:/g, '…:');
  for (const port of ports) result = result.replace(new RegExp(`\\b${port}\\b`, 'g'), SHOWN_PORT);
  for (const [pattern, replacement] of shown) result = result.replace(pattern, replacement);
  return result;
}

/** Produces every symptom; a scenario that needs `openssl` and cannot have it says so instead. */
export async function produceSymptoms(): Promise<{ symptoms: Symptom[]; skipped: string[] }> {
  const symptoms: Symptom[] = [];
  const skipped: string[] = [];
  const tls = hasOpenssl();
  for (const { scenario, produce, shown = [], needsTls = false } of SCENARIOS) {
    if (needsTls && !tls) {
      skipped.push(`${scenario} (openssl is not installed)`);
      continue;
    }
    const ctx = new Context();
    try {
      symptoms.push({ scenario, text: normalize(await produce(ctx), ctx.ports, shown) });
    } finally {
      await ctx.stop();
    }
  }
  return { symptoms, skipped };
}

// The server's own lifecycle, on the server's runtime alone (its client runs on the same runtime):
// what createWebsocketServer promises besides its connections.
import type * as NodeServer from '@corows/node-server';
import { equal, isA, match, ok, rejection, sameBytes } from './expect.ts';
import { closedWith, deferred } from './support.ts';

/** The part of `@corows/node-server` these scenarios use. */
export type ServerApi = Pick<typeof NodeServer, 'createWebsocketServer' | 'connectToWebsocket'>;

/** One lifecycle scenario: throws on failure. */
export interface LifecycleScenario {
  id: string;
  name: string;
  run(api: ServerApi): Promise<void>;
}

export const lifecycleScenarios: LifecycleScenario[] = [
  {
    id: 'listening',
    name: 'listening resolves the bound address (port 0 picks a free one); whenNewConn and whenDead chain; bad arguments throw',
    async run(api) {
      const server = api.createWebsocketServer('127.0.0.1', 0);
      try {
        ok(server.whenNewConn(() => undefined) === server && server.whenDead(() => undefined) === server, 'whenNewConn() and whenDead() return the server');
        const address = await server.listening;
        equal(address.host, '127.0.0.1', 'the bound host');
        ok(Number.isInteger(address.port) && address.port > 0, `a free port was picked: ${address.port}`);
        const conn = await api.connectToWebsocket(`ws://127.0.0.1:${address.port}`);
        await conn.close();
      } finally {
        await server.close();
      }
      const badHost = (() => { try { api.createWebsocketServer('', 1); return undefined; } catch (err) { return err; } })();
      isA(badHost, TypeError, 'createWebsocketServer("", 1)');
      const badPort = (() => { try { api.createWebsocketServer('127.0.0.1', 70_000); return undefined; } catch (err) { return err; } })();
      isA(badPort, RangeError, 'createWebsocketServer(host, 70000)');
      match(badPort.message, /70000/, 'its message names the port');
    },
  },
  {
    id: 'address-in-use',
    name: 'a port in use: whenDead names EADDRINUSE and listening rejects; whenDead registered after death is called at once',
    async run(api) {
      const first = api.createWebsocketServer('127.0.0.1', 0);
      try {
        const { port } = await first.listening;
        const second = api.createWebsocketServer('127.0.0.1', port);
        const reason = await new Promise<string>((resolve) => second.whenDead(resolve));
        match(reason, /EADDRINUSE/, 'the reason whenDead got');
        isA(await rejection(second.listening, 'listening of the server that could not listen'), Error, 'its listening rejection');
        equal(await new Promise<string>((resolve) => second.whenDead(resolve)), reason, 'whenDead registered after death');
      } finally {
        await first.close();
      }
    },
  },
  {
    id: 'server-close',
    name: 'close(reason) closes every connection with 1001, then calls whenDead(reason)',
    async run(api) {
      const server = api.createWebsocketServer('127.0.0.1', 0);
      let accepted = 0;
      const bothAccepted = deferred();
      server.whenNewConn(() => ++accepted === 2 && bothAccepted.resolve());
      const dead = new Promise<string>((resolve) => server.whenDead(resolve));
      const { port } = await server.listening;
      const clients = await Promise.all([1, 2].map(() => api.connectToWebsocket(`ws://127.0.0.1:${port}`)));
      await bothAccepted.promise;
      equal(server.connections.size, 2, 'server.connections');
      await server.close('maintenance');
      for (const client of clients) equal((await closedWith(client))[0], 1001, 'the close code a client got');
      equal(await dead, 'maintenance', 'the reason whenDead got');
      equal(server.connections.size, 0, 'server.connections after close()');
    },
  },
  {
    id: 'broadcast',
    name: 'broadcast() reaches every connection, text and binary, in order; except leaves one out',
    async run(api) {
      const server = api.createWebsocketServer('127.0.0.1', 0);
      try {
        const accepted: NodeServer.ServerConn[] = [];
        const allAccepted = deferred();
        server.whenNewConn((conn) => accepted.push(conn) === 3 && allAccepted.resolve());
        const { port } = await server.listening;
        const clients = await Promise.all([0, 1, 2].map((n) => api.connectToWebsocket(`ws://127.0.0.1:${port}/?n=${n}`)));
        await allAccepted.promise;
        const first = accepted.find((conn) => conn.url === '/?n=0');
        ok(first !== undefined, `the server saw client 0: ${accepted.map((conn) => conn.url).join(', ')}`);
        equal(await server.broadcast('to all'), null, 'broadcast(text)');
        equal(await server.broadcast(Uint8Array.of(1, 2, 3)), null, 'broadcast(bytes)');
        equal(await server.broadcast('not to client 0', { except: first }), null, 'broadcast(text, { except })');
        equal(await server.broadcast('last'), null, 'broadcast(text) again');
        for (const [n, client] of clients.entries()) {
          equal(await client.receiveMessage(), 'to all', `client ${n}'s first message`);
          sameBytes(await client.receiveMessage(), Uint8Array.of(1, 2, 3), `client ${n}'s second message`);
          if (n > 0) equal(await client.receiveMessage(), 'not to client 0', `client ${n}'s third message`);
          equal(await client.receiveMessage(), 'last', `client ${n}'s last message`);
        }
        await Promise.all(clients.map((client) => client.close()));
      } finally {
        await server.close();
      }
    },
  },
  {
    id: 'conn-handler-throws',
    name: 'a whenNewConn handler that throws is reported through the error event; the server lives on',
    async run(api) {
      const server = api.createWebsocketServer('127.0.0.1', 0);
      try {
        const reported = new Promise<Error>((resolve) => server.on('error', resolve));
        let calls = 0;
        server.whenNewConn((conn) => {
          if (++calls === 1) throw new Error('conn handler broke');
          void conn.sendMessage('welcome');
        });
        const { port } = await server.listening;
        const first = await api.connectToWebsocket(`ws://127.0.0.1:${port}`);
        match((await reported).message, /conn handler broke/, 'the error event');
        const second = await api.connectToWebsocket(`ws://127.0.0.1:${port}`);
        equal(await second.receiveMessage(), 'welcome', 'the next connection is served');
        await Promise.all([first.close(), second.close()]);
      } finally {
        await server.close();
      }
    },
  },
];

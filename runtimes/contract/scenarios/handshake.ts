import { equal, isA, match, ok, rejection } from '../expect.ts';
import { command, type PuppetHandshake } from '../puppet.ts';
import type { Scenario } from '../types.ts';

/** What each end sees of the opening handshake, and how a connect fails. */
export const handshakeScenarios: Scenario[] = [
  {
    id: 'client-handshake',
    sides: ['client'],
    name: 'the client sends its headers (an array as several values) and path; where headers cannot be set, a header table is refused',
    async run(_conn, { api, can, addresses }) {
      const address = `${addresses.puppet}&q=1`;
      if (!can.headers) {
        const err = await rejection(api.connectToWebsocket(address, { 'X-Token': 'a' }), 'connectToWebsocket() with headers');
        isA(err, api.CorowsError, 'connectToWebsocket() with headers where they cannot be set');
        equal((err as { code?: string }).code, 'ERR_UNSUPPORTED', 'its code');
        match(err.message, /headers/, 'its message');
        return;
      }
      const conn = await api.connectToWebsocket(address, { 'X-Token': ['a', 2], 'X-Plain': 'p,q' });
      try {
        equal(conn.url, address, 'conn.url');
        await conn.sendMessage(command({ report: 'handshake' }));
        const seen = JSON.parse(String(await conn.receiveMessage())) as PuppetHandshake;
        const url = new URL(address);
        equal(seen.path, url.pathname + url.search, 'the path the peer saw');
        const values = (name: string): string =>
          seen.headers.filter(([header]) => header.toLowerCase() === name).map(([, value]) => value).join(', ');
        equal(values('x-token'), 'a, 2', 'x-token as the peer saw it (an array is several values)');
        equal(values('x-plain'), 'p,q', 'x-plain as the peer saw it (a string is sent as it is)');
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'server-handshake',
    sides: ['server'],
    name: 'the server sees the upgrade request: its path with the query, its headers with lower-case names',
    async run(conn) {
      equal(conn.url, '/subject/server-handshake?from=puppet', 'conn.url');
      const names = Object.keys(conn.headers);
      ok(names.length > 0 && names.every((name) => name === name.toLowerCase()), `header names are lower-case: ${names.join(', ')}`);
      equal(String(conn.headers.upgrade).toLowerCase(), 'websocket', 'the upgrade header');
      equal(conn.headers['sec-websocket-version'], '13', 'the sec-websocket-version header');
      match(conn.headers.host, /^127\.0\.0\.1:\d+$/, 'the host header');
    },
  },
  {
    id: 'connect-failures',
    sides: ['client'],
    name: 'a bad address rejects with a TypeError before any network work; a refused connect or upgrade with a ConnectError naming the address',
    async run(_conn, { api, can, addresses }) {
      const notWs = await rejection(api.connectToWebsocket('http://127.0.0.1:1/'), 'connectToWebsocket("http://…")');
      isA(notWs, TypeError, 'connectToWebsocket("http://…")');
      match(notWs.message, /uses http:\/\/, expected ws:\/\/ or wss:\/\//, 'its message');

      const refused = await rejection(api.connectToWebsocket(addresses.refused, { timeout: 5_000 }), 'a connect where nothing listens');
      isA(refused, api.ConnectError, 'a connect where nothing listens');
      ok(refused.message.includes(`could not connect to ${addresses.refused}`), `its message names the address: ${refused.message}`);
      if (can.failureDetail) equal(refused.code, 'ECONNREFUSED', 'its code');

      const refusedUpgrade = await rejection(api.connectToWebsocket(addresses.refusing, { timeout: 5_000 }), 'a connect the server refuses with 403');
      isA(refusedUpgrade, api.ConnectError, 'a connect the server refuses with 403');
      ok(refusedUpgrade.message.includes(`could not connect to ${addresses.refusing}`), `its message names the address: ${refusedUpgrade.message}`);
      if (can.failureDetail) equal(refusedUpgrade.status, 403, 'its status');
    },
  },
];

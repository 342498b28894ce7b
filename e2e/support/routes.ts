import type { Message, WebSocketConn } from '@corows/node-server';

/** What the server saw of one connection, for tests to read back (`GET /api/conn/<id>`). */
export interface ConnRecord {
  url: string;
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
  received: string[];
  /** What a route noted along the way (e.g. `/service`: a request whose requester gave up). */
  notes: string[];
  closeCode?: number;
  closeReason?: string;
}

/** Every connection that carried an `id` query parameter, by that id. */
export type ConnRecords = Map<string, ConnRecord>;

type Route = (conn: WebSocketConn, query: URLSearchParams) => unknown;

/** Describes a message for the record: text as it is, binary as `<n bytes>`. */
const describe = (msg: Message): string => (typeof msg === 'string' ? msg : `<${msg.byteLength} bytes>`);

/**
 * The server side of the e2e scenarios, chosen by the connection's path:
 * - `/echo`: sends every message back as it came (text as text, binary as binary).
 * - `/json`: parses each text message as JSON and answers `{ echo: value }` with `send()`.
 * - `/script`: obeys JSON commands, in order: `{ "send": ["a", "b"] }` sends those texts back to
 *   back; `{ "close": [4001, "bye"] }` closes with that code and reason.
 * - `/seed`: the seed's server (greets, intercepts the first message, echoes the rest).
 * - `/chat?room=R&name=N`: relays `N: text` to every other connection in room R.
 * - `/service?id=I`: answers requests: `{ double: n, delay }` with `2n` after `delay` ms; `{ fail: text }`
 *   throws an error with that message and code `E_FAIL`; `{ hang: true }` never answers, and notes
 *   `aborted` when the requester gives up. A text message `ask` makes it ask the page
 *   `{ question: 'name?' }` and send back `answer: <reply>` (or `error: <message>`).
 */
export function createRoutes(records: ConnRecords): (conn: WebSocketConn) => void {
  const rooms = new Map<string, Set<WebSocketConn>>();

  const routes: Record<string, Route> = {
    '/echo': (conn) =>
      conn.whenNewMsg((msg) => {
        if (msg === null) return;
        void (typeof msg === 'string' ? conn.sendMessage(msg) : conn.sendBinary(msg));
      }),

    '/json': (conn) =>
      conn.whenNewMsg((msg) => {
        if (typeof msg === 'string') void conn.send({ echo: JSON.parse(msg) as unknown });
      }),

    '/script': (conn) =>
      conn.whenNewMsg(async (msg) => {
        if (typeof msg !== 'string') return;
        const command = JSON.parse(msg) as { send?: string[]; close?: [number, string] };
        for (const text of command.send ?? []) void conn.sendMessage(text);
        if (command.close !== undefined) await conn.close(...command.close);
      }),

    '/seed': async (conn) => {
      conn.whenNewMsg((msg) => {
        if (msg === null) return;
        void conn.sendMessage(`server echo: ${String(msg)}`);
      });
      void conn.sendMessage('server hello');
      await conn.receiveMessage();
    },

    '/service': (conn, query) => {
      const notes = records.get(query.get('id') ?? '')?.notes;
      conn.whenRequest(async (value, { signal }) => {
        const ask = value as { double?: number; delay?: number; fail?: string; hang?: boolean };
        if (ask.fail !== undefined) throw Object.assign(new Error(ask.fail), { code: 'E_FAIL' });
        if (ask.hang === true) {
          return new Promise((_, reject) => signal.addEventListener('abort', () => {
            notes?.push('aborted');
            reject(new Error('abandoned'));
          }));
        }
        await new Promise((resolve) => setTimeout(resolve, ask.delay ?? 0));
        return (ask.double ?? 0) * 2;
      });
      conn.whenNewMsg((msg) => {
        if (msg !== 'ask') return;
        conn.request({ question: 'name?' }, { timeout: 5_000 }).then(
          (reply) => conn.sendMessage(`answer: ${JSON.stringify(reply)}`),
          (err: Error) => conn.sendMessage(`error: ${err.name}: ${err.message}`),
        );
      });
    },

    '/chat': (conn, query) => {
      const room = query.get('room') ?? '';
      const name = query.get('name') ?? 'someone';
      const members = rooms.get(room) ?? new Set<WebSocketConn>();
      rooms.set(room, members.add(conn));
      conn.whenNewMsg((msg) => {
        if (msg === null) {
          members.delete(conn);
          return;
        }
        for (const other of members) if (other !== conn) void other.sendMessage(`${name}: ${describe(msg)}`);
      });
    },
  };

  return (conn) => {
    const url = new URL(conn.url, 'ws://e2e');
    const id = url.searchParams.get('id');
    if (id !== null) record(conn, id, records);
    const route = routes[url.pathname];
    if (route === undefined) {
      void conn.close(4004, `no route ${url.pathname}`);
      return;
    }
    void route(conn, url.searchParams);
  };
}

function record(conn: WebSocketConn, id: string, records: ConnRecords): void {
  const entry: ConnRecord = { url: conn.url, protocol: conn.protocol, headers: { ...conn.headers }, received: [], notes: [] };
  records.set(id, entry);
  conn.on('message', (msg) => entry.received.push(describe(msg)));
  conn.on('close', (code, reason) => {
    entry.closeCode = code;
    entry.closeReason = reason;
  });
}

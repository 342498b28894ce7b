import type { WebSocketConn, WebsocketServer } from '@corows/node-server';
import { readJoin, readSay, type ChatLine, type RoomEvent, type Welcome } from './protocol.js';

/** Lines of chat the room remembers for newcomers. */
const HISTORY = 50;
/** How long a new connection has to say who it is, in milliseconds. */
const JOIN_TIMEOUT = 10_000;

/** Close code for a client that did not start with a valid join (application range 4000–4999). */
export const CLOSE_BAD_JOIN = 4000;

/** A chat room on a corows server: who is in it and what was said. */
export interface ChatRoom {
  /** The names of the members, in order of arrival. */
  readonly online: readonly string[];
}

/**
 * Runs one chat room on `server`, in the seed's style: each new connection's first message is taken
 * with `await conn.receiveMessage()` (the join), everything after it goes to `conn.whenNewMsg()`.
 * Bad input gets an `error` event back and never affects the others; `log` hears joins, leaves and
 * resumes. On a server with `resume`, a member whose link drops stays in the room while its session
 * lives, and what was said meanwhile reaches it when it is back.
 */
export function openChatRoom(server: WebsocketServer, log: (line: string) => void = () => undefined): ChatRoom {
  const members = new Map<WebSocketConn, string>();
  const history: ChatLine[] = [];
  const online = (): string[] => [...members.values()];
  const broadcast = (event: RoomEvent): void => {
    for (const member of members.keys()) void member.send(event);
  };

  server.whenNewConn(async (conn) => {
    const first = await conn.receiveMessage({ timeout: JOIN_TIMEOUT }).catch(() => null);
    const join = readJoin(first);
    if ('error' in join) {
      if (first !== null) await conn.send({ type: 'error', message: join.error } satisfies RoomEvent);
      await conn.close(CLOSE_BAD_JOIN, 'expected a join message').catch(() => undefined);
      return;
    }
    // With sessions, a member whose link dropped is 'CONNECTING' and will be back: only a closed one is gone.
    if (conn.state === 'CLOSING' || conn.state === 'CLOSED') return;
    const name = uniqueName(join.name, new Set(members.values()));
    members.set(conn, name);
    void conn.send({ type: 'welcome', you: name, online: online(), history } satisfies Welcome);
    broadcast({ type: 'joined', name, online: online() });
    const session = conn.session === null ? '' : `, session ${conn.session.id}`;
    log(`${name} joined (${members.size} online${session})`);
    conn.on('resumed', () => log(`${name} is back: the session resumed, nothing lost`));

    conn.whenNewMsg((msg) => {
      if (msg === null) {
        members.delete(conn);
        broadcast({ type: 'left', name, online: online() });
        log(`${name} left (${members.size} online)`);
        return;
      }
      const say = readSay(msg);
      if ('error' in say) {
        void conn.send({ type: 'error', message: say.error } satisfies RoomEvent);
        return;
      }
      const line: ChatLine = { name, text: say.text, at: Date.now() };
      history.push(line);
      if (history.length > HISTORY) history.shift();
      broadcast({ type: 'said', ...line });
    });
  });

  return {
    get online() {
      return online();
    },
  };
}

function uniqueName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  let n = 2;
  while (taken.has(`${wanted} (${n})`)) n++;
  return `${wanted} (${n})`;
}

import { connect, type NetConnectOpts, type Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';

/** The event every Socket.IO message of the bench travels as. */
export const SOCKET_IO_EVENT = 'm';

/**
 * How a lean load-generator connection speaks: plain WebSocket messages (raw `ws`, corows and
 * uWS.js servers); plain messages on a link that agreed on the corows protocol by header, as corows'
 * own Node client does (`docs/PROTOCOL.md` §1.1: control messages, U+0000 first, are answered or
 * reported, never counted as messages); or Socket.IO's packets over a plain WebSocket. The rows with
 * many connections use these instead of each library's client, so the load generator costs the same
 * whichever server is measured.
 */
export type Wire = 'websocket' | 'corows' | 'socket.io';

/** One lean connection, open (for Socket.IO: joined to the main namespace). */
export interface LeanConn {
  readonly ws: WebSocket;
  /** Sends one application message (for Socket.IO: one `m` event). */
  send(text: string): void;
  /** `corows` wire: sends request `id` (a `req` control message, PROTOCOL.md §4) carrying `value`. */
  request(id: number, value: unknown): void;
}

/** What a lean connection reports besides opening. */
export interface LeanHooks {
  /**
   * Each application message, by its first character's code (a "tag" that tells kinds of messages
   * apart without decoding them).
   */
  onMessage(tag: number): void;
  /** Each heartbeat from the server: a protocol ping, or Socket.IO's `2` packet. */
  onPing?: () => void;
  /** `corows` wire: each reply (`res` or `err`) to a request this connection sent with {@link LeanConn.request}. */
  onReply?: () => void;
}

/** How a lean connection is opened, besides its address. */
export interface LeanOptions {
  /** Put in the URL's query, such as `room=hot`. */
  query?: string;
  /**
   * Writes what is sent in one turn of the event loop in one system call (the TCP socket corked until
   * `process.nextTick`), and skips UTF-8 validation: for load generators that must cost little per
   * message. @default false
   */
  batchSends?: boolean;
}

/** A handshake that takes longer fails (every wait of the bench is bounded). */
const HANDSHAKE_TIMEOUT_MS = 60_000;

/** What a Socket.IO event `m` carrying a string starts with: `42["m","`. */
const EVENT_PREFIX = `42${JSON.stringify([SOCKET_IO_EVENT, ''])}`.slice(0, -2);

/**
 * Opens a lean connection from `localAddress` and reports what arrives to `hooks`. Socket.IO's packets
 * (engine.io v4): `0{…}` open → we send `40` (join `/`) → `40{…}` joined; `2` ping → `3` pong; `42[…]`
 * an event.
 */
export function openLean(port: number, wire: Wire, localAddress: string, hooks: LeanHooks | ((tag: number) => void), options: LeanOptions = {}): Promise<LeanConn> {
  const { onMessage, onPing, onReply } = typeof hooks === 'function' ? { onMessage: hooks, onPing: undefined, onReply: undefined } : hooks;
  const query = options.query ?? '';
  const url = wire !== 'socket.io'
    ? `ws://127.0.0.1:${port}/${query === '' ? '' : `?${query}`}`
    : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket${query === '' ? '' : `&${query}`}`;
  let socket: Socket | undefined;
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    localAddress,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    ...(wire === 'corows' && { headers: { 'Corows-Protocol': '1' } }),
    ...(options.batchSends === true && {
      skipUTF8Validation: true,
      // Our own TCP socket (an option of http.request), so that we can cork it.
      createConnection: (opts: object) => (socket = connect(opts as NetConnectOpts)),
    }),
  });
  const write = wire === 'websocket' ? (text: string) => ws.send(text)
    : wire === 'corows' ? (text: string) => ws.send(text.charCodeAt(0) === 0 ? `\u0000${text}` : text)
    : (text: string) => ws.send(`42${JSON.stringify([SOCKET_IO_EVENT, text])}`);
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket?.uncork();
  };
  const conn: LeanConn = {
    ws,
    send: options.batchSends !== true ? write : (text) => {
      if (!corked && socket !== undefined) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      write(text);
    },
    request(id, value) {
      if (wire !== 'corows') throw new Error(`request() needs the corows wire, not ${wire}`);
      ws.send(`\u0000${JSON.stringify({ t: 'req', id, v: value })}`);
    },
  };
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.once('close', (code) => reject(new Error(`closed before open (code ${code})`)));
    if (wire !== 'socket.io') {
      ws.once('open', () => resolve(conn));
      if (wire === 'websocket') ws.on('message', (data: RawData) => onMessage((data as Buffer)[0] ?? 0));
      else ws.on('message', (data: RawData, binary: boolean) => (binary ? onMessage((data as Buffer)[0] ?? 0) : readCorows(data as Buffer, ws, onMessage, onReply)));
      if (onPing !== undefined) ws.on('ping', onPing);
      return;
    }
    ws.on('message', (data) => {
      const packet = data.toString();
      if (packet.startsWith('42')) onMessage(packet.startsWith(EVENT_PREFIX) ? packet.charCodeAt(EVENT_PREFIX.length) : 0);
      else if (packet === '2') {
        ws.send('3');
        onPing?.();
      } else if (packet.startsWith('40')) resolve(conn);
      else if (packet.startsWith('0')) ws.send('40');
    });
  });
}

/**
 * A text frame on a link that agreed on the corows protocol (PROTOCOL.md §2): an application message (one
 * more U+0000 in front if its own text starts with one), or a control message: a request is answered
 * with its own value, a reply reported.
 */
function readCorows(data: Buffer, ws: WebSocket, onMessage: (tag: number) => void, onReply: (() => void) | undefined): void {
  if (data[0] !== 0) return onMessage(data[0] ?? 0);
  if (data[1] === 0) return onMessage(data[2] ?? 0);
  const frame = JSON.parse(data.toString('utf8', 1)) as { t: string; id?: number; v?: unknown };
  if (frame.t === 'req') ws.send(`\u0000${JSON.stringify({ t: 'res', id: frame.id, v: frame.v ?? null })}`);
  else if (frame.t === 'res' || frame.t === 'err') onReply?.();
}

/**
 * The client address of connection `index`, spread over 127.0.0.0/8 (Linux routes all of it to
 * loopback) so that 10,000s of connections, round after round, never run out of ephemeral ports.
 */
export function sourceAddress(round: number, index: number): string {
  return `127.${10 + (round % 200)}.${Math.floor(index / 200) % 256}.${1 + (index % 200)}`;
}

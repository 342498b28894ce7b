import type { IncomingMessage } from 'node:http';
import { type ControlFrame, type LinkSupervisor, type LinkSwitch, type ResumeSettings } from '@corows/core';
import { decodeControl, encodeControl, isCorowsAgreed, SESSION_PARAM } from '@corows/core/server';
import type { WebSocket } from 'ws';
import { SessionRegistry, type SessionRefusal } from './session-registry.js';
import { ServerSession, type PeerBounds } from './session-supervisor.js';

/** What the door needs from its server. */
export interface DoorHost<Data, Conn> {
  /** Makes (and announces) the connection of a new session, kept by `supervise`'s supervisor. */
  create(ws: WebSocket, req: IncomingMessage, data: Data | undefined, supervise: (links: LinkSwitch) => LinkSupervisor): Conn;
}

/**
 * Where a link that asks for a session (its URL carries `corows_session`) comes in: it reads the
 * link's first frame, the `hello`, within `timeout` ms, and then opens a new session (a new connection
 * for `whenNewConn`), resumes a live one (the link joins the existing connection), or refuses with
 * `refused` and closes the link with 1008, leaving any session alone (PROTOCOL.md §5.2).
 */
export class SessionDoor<Data, Conn> {
  readonly registry: SessionRegistry<ServerSession>;

  constructor(
    private readonly settings: ResumeSettings,
    private readonly timeout: number,
    private readonly host: DoorHost<Data, Conn>,
  ) {
    this.registry = new SessionRegistry<ServerSession>(settings.window, (session, reason) => session.expired(reason));
  }

  /** Takes the link if it asks for a session (`true`); `false` leaves it to the plain path. */
  admit(ws: WebSocket, req: IncomingMessage, data: Data | undefined): boolean {
    const query = (req.url ?? '').indexOf('?');
    if (query < 0) return false;
    const id = new URLSearchParams((req.url as string).slice(query + 1)).get(SESSION_PARAM);
    if (id === null || !isCorowsAgreed(ws, ws.protocol)) return false; // a plain client: a plain connection
    const bad = SessionRegistry.checkId(id);
    if (bad !== undefined) {
      refuse(ws, bad);
      return true;
    }
    const quiet = (): void => undefined; // a socket error before the connection listens must not crash Node
    const timer = setTimeout(() => {
      ws.off('message', onHello);
      ws.close(1008, `corows session: no hello within ${this.timeout} ms`);
    }, this.timeout);
    const onHello = (raw: Buffer, isBinary: boolean): void => {
      clearTimeout(timer);
      ws.off('error', quiet);
      const text = isBinary ? '' : raw.toString();
      this.hello(ws, req, data, id, text.charCodeAt(0) === 0 && text.charCodeAt(1) !== 0 ? decodeControl(text) : undefined);
    };
    ws.on('error', quiet);
    ws.once('message', onHello);
    ws.once('close', () => clearTimeout(timer));
    return true;
  }

  private hello(ws: WebSocket, req: IncomingMessage, data: Data | undefined, id: string, frame: ControlFrame | string | undefined): void {
    if (frame === undefined || typeof frame === 'string' || frame.t !== 'hello') {
      refuse(ws, { code: 'bad-hello', reason: 'the first message of a session link must be a hello' });
      return;
    }
    const bounds = peerBounds(frame);
    if (frame.secret === undefined) {
      let supervisor: ServerSession | undefined;
      const opened = this.registry.open(id, (secret) => {
        // The welcome goes first, before whenNewConn can send anything.
        const { window, maxUnacked, maxUnackedBytes } = this.settings;
        ws.send(encodeControl({ t: 'welcome', secret, received: 0, window, maxUnacked, maxUnackedBytes }));
        const conn = this.host.create(ws, req, data, (links) => (supervisor = new ServerSession(links, this.settings, this.registry, id)));
        (supervisor as ServerSession).conn = conn as never;
        return supervisor as ServerSession;
      });
      if ('code' in opened) refuse(ws, opened);
      else opened.started(bounds);
      return;
    }
    const received = frame.received;
    if (typeof received !== 'number' || !Number.isSafeInteger(received) || received < 0) {
      refuse(ws, { code: 'bad-hello', reason: 'a resuming hello needs received, a whole number' });
      return;
    }
    const found = this.registry.resume(id, frame.secret);
    if ('code' in found) refuse(ws, found);
    else found.resume(ws, req.socket, received, bounds);
  }
}

function peerBounds(frame: ControlFrame): PeerBounds | undefined {
  const { maxUnacked, maxUnackedBytes } = frame;
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  return valid(maxUnacked) && valid(maxUnackedBytes) ? { maxUnacked, maxUnackedBytes } : undefined;
}

/** Answers `refused` and closes the link; nothing else is touched. */
function refuse(ws: WebSocket, refusal: SessionRefusal): void {
  ws.send(encodeControl({ t: 'refused', code: refusal.code, reason: refusal.reason }));
  ws.close(1008, `corows session refused: ${refusal.code}`);
}

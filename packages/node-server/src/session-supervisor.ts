import { Session } from '@corows/core/server';
import { CloseCode, type LinkSupervisor, type LinkSwitch, type NodeTransport, type OutgoingData, type ResumeSettings, type SessionInfo, type WebSocketConn } from '@corows/core';
import type { WebSocket } from 'ws';
import type { SessionRegistry } from './session-registry.js';

/** The bounds a `hello` announces: acknowledgements go out after a quarter of them. */
export interface PeerBounds {
  readonly maxUnacked: number;
  readonly maxUnackedBytes: number;
}

/**
 * The server's end of one session (PROTOCOL.md §5): the supervisor of the session's one `ServerConn`.
 * When a link drops, the connection does not close: it waits (`state` `'CONNECTING'`), holds what the
 * application sends, and its registry starts the window. A resume attaches the new link, answers
 * `welcome` and replays what the client missed. The session ends, and the connection with it, when the
 * window passes, a bound is exceeded, or the application closes the connection.
 */
export class ServerSession implements LinkSupervisor {
  readonly layer: Session;
  /** The connection it keeps (set right after the connection is made). */
  conn: WebSocketConn | undefined;
  private away = false;
  private resumes = 0;
  private ended = false;

  constructor(
    private readonly links: LinkSwitch,
    private readonly settings: ResumeSettings,
    private readonly registry: SessionRegistry<ServerSession>,
    /** The routing id. */
    readonly id: string,
  ) {
    this.layer = new Session(settings, () => undefined, (reason) => this.overflow(reason));
    links.useSession(this.layer);
  }

  get between(): boolean {
    return this.away;
  }

  get dialing(): boolean {
    return false;
  }

  /** `conn.session`. */
  get session(): SessionInfo {
    return { id: this.id, resumes: this.resumes };
  }

  opening(): void {}

  opened(): void {}

  dropped(code: number, reason: string, closeRequested: boolean): boolean {
    this.layer.suspend();
    // A close frame from the client (any code but 1006) is its close() for good: it will not come back.
    if (closeRequested || this.ended || code !== CloseCode.Abnormal) {
      this.end(`the connection closed (${code}${reason === '' ? '' : `: ${reason}`})`);
      return false;
    }
    this.away = true;
    this.registry.away(this.id);
    return true;
  }

  hold(data: OutgoingData): Promise<Error | null> {
    return this.layer.send(data);
  }

  stop(code: number, reason: string): void {
    this.end(reason === '' ? `the connection closed (${code})` : reason);
    this.links.finish(code, reason);
  }

  /** A new session, welcomed on its first link: live from now on (what `whenNewConn` sent goes out). */
  started(peerBounds: PeerBounds | undefined): void {
    if (this.ended) return;
    if (peerBounds !== undefined) this.layer.acks.peerBounds(peerBounds);
    this.layer.start(0);
  }

  /** A resume with the right secret: `ws` replaces the current link, the client had `received` units. */
  resume(ws: WebSocket, transport: NodeTransport | undefined, received: number, peerBounds: PeerBounds | undefined): void {
    if (peerBounds !== undefined) this.layer.acks.peerBounds(peerBounds);
    if (!this.away) this.links.dropLink(); // a half-open old link: the client has moved on
    this.layer.suspend();
    this.links.attach(ws, transport);
    this.away = false;
    this.registry.back(this.id);
    const { maxUnacked, maxUnackedBytes } = this.settings;
    this.layer.say({ t: 'welcome', received: this.layer.received, maxUnacked, maxUnackedBytes });
    const problem = this.layer.start(received);
    if (problem !== undefined) {
      this.layer.say({ t: 'refused', code: 'bad-hello', reason: problem });
      this.overflow(`corows session: ${problem}`);
      return;
    }
    this.resumes += 1;
    this.links.events.emit('resumed');
  }

  /** The window passed (the registry has forgotten the session). */
  expired(reason: string): void {
    this.ended = true;
    this.layer.reset();
    this.links.finish(CloseCode.Abnormal, reason);
  }

  /** A bound was exceeded: the client hears `refused`, the connection closes with 1008 and why. */
  private overflow(reason: string): void {
    if (this.ended) return;
    this.end(reason);
    this.layer.say({ t: 'refused', code: 'ended', reason });
    if (this.away) this.links.finish(CloseCode.PolicyViolation, reason);
    else void this.conn?.close(CloseCode.PolicyViolation, reason.slice(0, 120)).catch(() => undefined);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.registry.end(this.id, reason);
    this.layer.reset();
  }
}

import type { LinkSwitch } from './conn-parts.js';
import { Session, type ControlFrame } from './session.js';
import type { SessionInfo } from './types.js';
import type { UnitBounds } from './unit-log.js';
import { newRoutingId, sessionUrl } from './session-id.js';
import { resolveResume, type ResumeOptions, type ResumeSettings } from './session-options.js';

/**
 * The client's `resume` option, checked (a `TypeError`/`RangeError` naming it), with the first link's
 * routing id and URL; `undefined` without `resume`.
 */
export function sessionSetup(
  resume: boolean | ResumeOptions | undefined,
  href: string,
  describeValue: (value: unknown) => string,
): { settings: ResumeSettings; href: string; id: string; url: string } | undefined {
  const settings = resolveResume(resume, 'connectToWebsocket()', describeValue);
  if (settings === undefined) return undefined;
  const id = newRoutingId();
  return { settings, href, id, url: sessionUrl(href, id) };
}

/**
 * Where the client's session stands: the answer to a `hello` is awaited (`hello`), a link carries it
 * (`on`), no link does (`away`), or there is none and the connection is a plain reconnecting one (`off`).
 */
type Mode = 'hello' | 'on' | 'away' | 'off';

/**
 * The client's end of a session (`resume`, PROTOCOL.md §5.2), driven by the reconnector: sends
 * `hello` first on each link, holds the application's units until `welcome`, then replays what the
 * server missed; on `refused` it emits `reset` and starts a new session under a new routing id; with
 * a server that offers no session it becomes a plain reconnecting connection (`conn.session` null).
 */
export class ClientSession {
  readonly session: Session;
  private secret: string | undefined;
  private resuming = false;
  private resumes = 0;
  private mode: Mode = 'hello';
  /** The routing id in the URL of the link being opened. */
  private dialed: string;
  private settle: (() => void) | undefined;
  /** Resolves once the first link's `hello` is answered (or the session is off). */
  readonly settled = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(
    private readonly links: LinkSwitch,
    bounds: UnitBounds,
    /** The routing id of the first link (already in its URL). */
    private id: string,
    /** Drops the current link and opens a new one at once (a new routing id is in `url`). */
    private readonly restart: () => void,
  ) {
    this.dialed = id;
    this.session = new Session(bounds, (frame) => this.answered(frame), (reason) => this.reset(reason));
    links.useSession(this.session);
  }

  /** `conn.session`. */
  get info(): SessionInfo | null {
    return this.mode === 'off' || this.secret === undefined ? null : { id: this.id, resumes: this.resumes };
  }

  /** Whether sends go to the session (rather than the plain outbox). */
  get active(): boolean {
    return this.mode !== 'off';
  }

  /** The URL of the next link. */
  url(href: string): string {
    this.dialed = this.id;
    return this.mode === 'off' ? href : sessionUrl(href, this.id);
  }

  /** A link opened: says `hello` first, if it speaks the corows protocol. */
  linkOpened(): void {
    if (this.mode === 'off') return;
    if (!this.session.agreed) {
      this.plain();
      return;
    }
    if (this.dialed !== this.id) {
      this.restart(); // the session was reset while this link was being opened under the old id
      return;
    }
    this.mode = 'hello';
    this.resuming = this.secret !== undefined;
    const { maxUnacked, maxUnackedBytes } = this.session.bounds;
    const resume = this.resuming ? { secret: this.secret, received: this.session.received } : {};
    this.session.say({ t: 'hello', ...resume, maxUnacked, maxUnackedBytes });
  }

  /** The link dropped. */
  linkDown(): void {
    if (this.mode === 'off') return;
    // A first hello left unanswered may have opened a session on the server: the next one starts afresh.
    if (this.mode === 'hello' && this.secret === undefined) this.id = newRoutingId();
    this.mode = 'away';
    this.session.suspend();
  }

  /** The connection ended for good. */
  end(): void {
    this.session.reset();
    this.settle?.();
  }

  private answered(frame: ControlFrame): void {
    if (frame.t === 'refused' && this.mode === 'on') {
      this.reset(`the server ended the session: ${String(frame.reason)}`); // a bound exceeded there
      return;
    }
    if (this.mode !== 'hello') return; // a late answer, or a stray one: not for this link
    if (frame.t === 'welcome') this.welcomed(frame);
    else if (frame.t === 'refused' && this.resuming) this.reset(`the server refused to resume the session: ${String(frame.reason)}`);
    else if (frame.t === 'refused') this.plain();
  }

  private welcomed(frame: ControlFrame): void {
    const received = frame.received;
    if (!this.resuming) {
      if (typeof frame.secret !== 'string' || frame.secret.length < 22) {
        this.session.broken('corows session: a welcome to a new session without a secret');
        return;
      }
      this.secret = frame.secret;
    }
    if (typeof frame.maxUnacked === 'number' && typeof frame.maxUnackedBytes === 'number') {
      this.session.acks.peerBounds({ maxUnacked: frame.maxUnacked, maxUnackedBytes: frame.maxUnackedBytes });
    }
    const problem = this.session.start(typeof received === 'number' ? received : -1);
    if (problem !== undefined) {
      this.session.broken(`corows session: ${problem}`);
      return;
    }
    this.mode = 'on';
    this.settle?.();
    if (this.resuming) {
      this.resumes += 1;
      this.links.events.emit('resumed');
    }
  }

  /** The session is over (refused, or a bound exceeded): a new one starts on a new link. */
  private reset(reason: string): void {
    const missing = this.session.reset();
    this.id = newRoutingId();
    this.secret = undefined;
    this.resumes = 0;
    this.mode = 'away';
    this.links.sessionEnded(reason);
    this.links.events.emit('reset', reason, missing);
    this.restart();
  }

  /** No session with this server: what was held goes out as plain messages, in order. */
  private plain(): void {
    this.mode = 'off';
    const held = this.session.log.after(0);
    this.session.reset();
    this.links.useSession(undefined);
    if (Array.isArray(held)) for (const unit of held) void this.links.write(unit.data, 'send()');
    this.settle?.();
  }
}

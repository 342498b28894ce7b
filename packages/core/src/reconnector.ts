import { CloseCode } from './close-codes.js';
import type { LinkSupervisor, LinkSwitch } from './conn-parts.js';
import type { Dial } from './dial.js';
import { ConnectionClosedError } from './errors.js';
import type { waitForOpen } from './handshake.js';
import { Outbox, type OutgoingData } from './outbox.js';
import type { ReconnectOptions, ReconnectPolicy } from './reconnect-policy.js';
import { reconnectDelay, resolveReconnect, shouldReconnectAfterClose, shouldRetryConnect } from './reconnect-rules.js';
import { ClientSession, sessionSetup } from './session-client.js';
import type { ResumeOptions, ResumeSettings } from './session-options.js';
import type { WebSocketLike } from './socket.js';
import type { SessionInfo } from './types.js';

/** What a {@link Reconnector} needs to open new links. */
export interface ReconnectSetup {
  readonly policy: ReconnectPolicy;
  /** The address, for error messages. */
  readonly address: string;
  /** Milliseconds each attempt may take. */
  readonly timeout: number;
  /** Starts a new connection attempt with the same options, to `url` (@default the address). */
  readonly redial: (url?: string) => WebSocketLike;
  /** With `resume`: the session's bounds, the address's href and the first link's routing id. */
  readonly resume?: { readonly settings: ResumeSettings; readonly href: string; readonly id: string };
  /** Reports a failed handshake in detail (see `Dial.watch`). */
  readonly watch: Dial['watch'];
  /** Resolves once an attempt's socket is open (`waitForOpen`; given, so that this module imports nothing internal). */
  readonly waitForOpen: typeof waitForOpen;
  /** The random source of the jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * Where the connection stands: the first link is opening (`first`: a failure rejects
 * `connectToWebsocket` and ends it), a link is up (`open`), waiting out a delay (`waiting`), or an
 * attempt is under way (`dialing`).
 */
type Phase = 'first' | 'open' | 'waiting' | 'dialing';

/**
 * The client's `reconnect`: a supervisor that keeps one connection alive across links. When a link
 * drops with a retryable close code (`isRetryableCloseCode`: 1001, 1006 — a heartbeat timeout too —,
 * 1011, 1012, 1013) it waits (`ReconnectOptions`), opens a new one and attaches it; sends made
 * meanwhile wait in its bounded outbox and go out first, in order, once the new link's `open`
 * listeners have run. It ends the connection on `close()`/`terminate()`, on a close code that is not
 * retryable, on an attempt refused for good (HTTP 4xx), or after `maxAttempts` failures in a row (a
 * link that drops before `stableAfter` is one).
 */
export class Reconnector implements LinkSupervisor {
  private readonly outbox: Outbox;
  private phase: Phase = 'first';
  /** Failed attempts in a row (see `ReconnectOptions.stableAfter`). */
  private attempt = 0;
  /** When the current link opened (`Date.now()`). */
  private openedAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attemptWatch: AbortController | undefined;
  /** How the last link ended: the code the connection closes with if it gives up. */
  private droppedCode: number = CloseCode.Abnormal;
  /** With `resume`: the client's end of the session. */
  readonly client: ClientSession | undefined;

  constructor(
    private readonly links: LinkSwitch,
    private readonly setup: ReconnectSetup,
  ) {
    this.outbox = new Outbox(setup.policy.maxOutbox);
    const resume = setup.resume;
    if (resume !== undefined) this.client = new ClientSession(links, resume.settings, resume.id, () => this.restart());
  }

  /** `conn`, once the first link's `hello` is answered (`conn.session` is known then); `undefined` without `resume`. */
  ready<T>(conn: T): Promise<T> | undefined {
    return this.client?.settled.then(() => conn);
  }

  get session(): SessionInfo | null {
    return this.client?.info ?? null;
  }

  get between(): boolean {
    return this.phase === 'waiting' || this.phase === 'dialing';
  }

  get dialing(): boolean {
    return this.phase === 'dialing';
  }

  opening(): void {
    this.phase = 'open';
    this.openedAt = Date.now();
    this.client?.linkOpened();
  }

  opened(): void {
    this.outbox.flush((data, action) => this.links.write(data, action));
  }

  dropped(code: number, reason: string, closeRequested: boolean): boolean {
    if (this.phase === 'dialing') return true; // the attempt's own watcher (see dial) reports it
    this.client?.linkDown();
    if (this.phase === 'first' || closeRequested || !shouldReconnectAfterClose(code)) {
      this.failHeld(code);
      return false;
    }
    if (Date.now() - this.openedAt >= this.setup.policy.stableAfter) this.attempt = 0;
    this.droppedCode = code;
    this.retryLater(code, reason);
    return true;
  }

  hold(data: OutgoingData, action: string): Promise<Error | null> | undefined {
    return this.client?.active === true ? this.client.session.send(data) : this.outbox.hold(data, action);
  }

  /** The session was reset: a new link for the new session, at once. */
  private restart(): void {
    if (this.phase === 'open') this.links.dropLink();
    if (this.phase === 'open' || this.phase === 'first') {
      this.phase = 'waiting';
      this.retryTimer = setTimeout(() => this.dial(), 0);
    }
  }

  stop(code: number, reason: string): void {
    this.giveUp(code, reason);
  }

  /** Waits, then dials; `code` and `reason`: why (the link's close, or the failed attempt). */
  private retryLater(code: number, reason: string): void {
    const { policy } = this.setup;
    if (this.attempt >= policy.maxAttempts) {
      const tries = `${this.attempt} attempt${this.attempt === 1 ? '' : 's'}`;
      this.giveUp(this.droppedCode, `gave up reconnecting after ${tries}; the last failed with: ${reason}`);
      return;
    }
    this.attempt += 1;
    const delay = reconnectDelay(policy, this.attempt, this.setup.random);
    this.phase = 'waiting';
    this.retryTimer = setTimeout(() => this.dial(), delay);
    this.links.announceRetry(this.attempt, delay, code, reason);
  }

  private dial(): void {
    this.retryTimer = undefined;
    this.phase = 'dialing';
    let socket: WebSocketLike;
    try {
      socket = this.setup.redial(this.client?.url(this.setup.resume?.href ?? ''));
    } catch (err) {
      this.attemptFailed(err);
      return;
    }
    this.links.attach(socket);
    const attempt = new AbortController();
    this.attemptWatch = attempt;
    this.setup.waitForOpen(socket, this.setup.address, { timeout: this.setup.timeout, signal: attempt.signal }, this.setup.watch).then(
      () => {
        if (this.attemptWatch === attempt) this.attemptWatch = undefined;
      },
      (err: unknown) => {
        if (this.attemptWatch !== attempt) return;
        this.attemptWatch = undefined;
        if (this.phase === 'dialing') this.attemptFailed(err);
      },
    );
  }

  private attemptFailed(err: unknown): void {
    this.links.dropLink();
    const error = err instanceof Error ? err : new Error(String(err));
    this.links.reportError(error);
    if (shouldRetryConnect(err)) this.retryLater(CloseCode.Abnormal, error.message);
    else this.giveUp(this.droppedCode, `gave up reconnecting: ${error.message}`);
  }

  private giveUp(code: number, reason: string): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const attempt = this.attemptWatch;
    this.attemptWatch = undefined;
    if (this.phase === 'dialing') this.links.dropLink();
    attempt?.abort();
    this.failHeld(code);
    this.links.finish(code, reason);
  }

  private failHeld(code: number): void {
    this.client?.end();
    this.outbox.fail((action) => new ConnectionClosedError(action, 'CLOSED', code));
  }
}

/**
 * `connectToWebsocket`'s `reconnect` and `resume`, checked (a `TypeError`/`RangeError` naming the bad
 * one): the first link's URL if `resume` gives it a routing id, how the connection is supervised
 * (`ConnOptions.supervise`), and `ready`, which waits for the session to be known.
 */
export function supervision(
  reconnect: boolean | ReconnectOptions | undefined,
  resume: boolean | ResumeOptions | undefined,
  href: string,
  link: Omit<ReconnectSetup, 'policy' | 'resume'>,
  describeValue: (value: unknown) => string,
): { url: string | undefined; supervise: ((links: LinkSwitch) => Reconnector) | undefined; ready<T>(conn: T): Promise<T> | undefined } {
  const policy = resolveReconnect(reconnect, describeValue);
  const session = sessionSetup(resume, href, describeValue);
  const setup = policy === undefined ? undefined : { ...link, policy, resume: session };
  let supervisor: Reconnector | undefined;
  return {
    url: session?.url,
    supervise: setup === undefined ? undefined : (links) => (supervisor = new Reconnector(links, setup)),
    ready: (conn) => supervisor?.ready(conn),
  };
}

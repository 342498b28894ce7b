import type { OutgoingData } from './outbox.js';
import type { Session } from './session.js';
import type { NodeTransport, WebSocketLike } from './socket.js';
import type { GuardedEmitter } from './guarded-emitter.js';
import type { SessionInfo, WebSocketConnEvents } from './types.js';

/**
 * What a server (or anything that serves many connections) plugs into each of them: its limits and
 * counters, on the one path every message takes. One object per server, shared by its connections.
 * Every method gets the connection it is about.
 */
export interface ConnPolicy<Conn> {
  /**
   * A message of `bytes` arrived on `conn` (`undefined` where the socket does not tell); `false` drops
   * it before anything sees it (the policy has dealt with the connection, e.g. closed it with 1008).
   */
  admitIncoming(conn: Conn, bytes: number | undefined): boolean;
  /** A frame is about to be written on `conn`; an `Error` refuses it and is what the send resolves. */
  admitOutgoing(conn: Conn, data: OutgoingData): Error | undefined;
  /** `conn` has closed for good, with `code`: called before its `close` listeners run. */
  closed(conn: Conn, code: number): void;
  /**
   * When this end sent a close frame and the peer dropped without answering, report the code this end
   * sent rather than 1006 (a server that closed a client for a reason wants to see that reason).
   */
  readonly reportSentCode: boolean;
}

/**
 * What a connection lets its {@link LinkSupervisor} do: the supervisor swaps the connection's links,
 * the connection never calls back into what called it.
 */
export interface LinkSwitch {
  /** Wraps `socket` as the connection's link in place of the current one (whose events are ignored from then on). */
  attach(socket: WebSocketLike, transport?: NodeTransport): void;
  /** @internal Puts a session layer into the connection's pipeline, or takes it out (`undefined`): see `@corows/core/server`. */
  useSession(session: Session | undefined): void;
  /** Stops listening to the current link and drops its socket; its close is not reported. */
  dropLink(): void;
  /** Writes one frame on the current, open link (the supervisor's held messages). */
  write(data: OutgoingData, action: string): Promise<Error | null>;
  /** Closes the connection for good: `close` fires, receives end. */
  finish(code: number, reason: string): void;
  /** The connection, to emit its events (`resumed`, `reset`). */
  readonly events: GuardedEmitter<WebSocketConnEvents>;
  /** Reports a failure through the connection's `error` event. */
  reportError(err: Error): void;
  /** Emits `reconnecting` on the connection. */
  announceRetry(attempt: number, delay: number, code: number, reason: string): void;
  /** The session ended (`reason`) and the connection goes on in a new one: requests of the old one get no reply. */
  sessionEnded(reason: string): void;
}

/**
 * Keeps a connection alive across links (the client's `reconnect`): decides what a dropped link
 * means, holds the sends made while no link is open, and opens new links through a {@link LinkSwitch}.
 */
export interface LinkSupervisor {
  /** Whether the connection is between links (waiting or dialing): its `state` is then `'CONNECTING'`. */
  readonly between: boolean;
  /** The session the connection is in (`conn.session`); absent or `null` if none. */
  readonly session?: SessionInfo | null;
  /** Whether failures of the socket are the supervisor's to report (a dialing attempt). */
  readonly dialing: boolean;
  /** The current link opened; the connection's `open` listeners run next. */
  opening(): void;
  /** The connection's `open` listeners have run: what they sent is written; now the held sends. */
  opened(): void;
  /**
   * The current link closed with `code`: `true` if the supervisor goes on with a new link, `false` if
   * the connection ends. `closeRequested`: the application called `close()` or `terminate()`.
   */
  dropped(code: number, reason: string, closeRequested: boolean): boolean;
  /** A send while no link is open: the promise of the held send, or `undefined` to refuse it as closed. */
  hold(data: OutgoingData, action: string): Promise<Error | null> | undefined;
  /** `close()`/`terminate()` between links: ends the connection with `code` and `reason`. */
  stop(code: number, reason: string): void;
}

import { openLink } from '#link';
import { CloseCode } from './close-codes.js';
import type { ConnPolicy } from './conn-parts.js';
import { CorowsProtocol } from './corows-protocol.js';
import { describeError } from './describe.js';
import { CorowsError } from './errors.js';
import type { KeepAliveSettings } from './keep-alive-options.js';
import { Inbox, sendResult, type InboxFlow } from './inbox.js';
import type { Beater, KeepAliveMember } from './keep-alive.js';
import { loadedKeepAlive, loadKeepAlive } from './keep-alive-loader.js';
import type { Link, LinkListener } from './link-api.js';
import type { OutgoingData } from './outbox.js';
import { OPEN, type NodeTransport, type WebSocketLike } from './socket.js';
import type { Message, WebSocketConnEvents } from './types.js';
import type { ControlFrame, Session } from './session.js';
import { decodeControl, encodeControl, SESSION_TYPES } from './session-frames.js';
import type { GuardedEmitter } from './guarded-emitter.js';

const EMPTY_FRAME = new Uint8Array(0);

/** What a {@link Pipeline} tells the connection it serves (events go out through `emit`). */
export interface PipelineOwner extends GuardedEmitter<WebSocketConnEvents> {
  /** The current link opened (not for a link already open when attached). */
  linkOpened(): void;
  /** The current link closed, or was found dead. */
  linkEnded(code: number, reason: string): void;
  /** A failure: a socket's error, or (`fromHandler`) a `whenNewMsg` handler's. */
  reportError(err: Error, fromHandler: boolean): void;
}

/**
 * The parts of one connection, in the order a message takes them. In: link → policy (limits,
 * counters) → keep-alive (the peer is alive) → protocol (corows' own messages stop here) → the
 * connection's `message` event → inbox → the application. Out: the application → protocol (reserved
 * frames refused) → policy (backpressure, counters) → link. The connection around it keeps the state
 * and the closing; a supervisor (reconnect) may swap its link.
 */
export class Pipeline implements LinkListener, InboxFlow, Beater {
  link!: Link;
  readonly inbox: Inbox;
  readonly protocol = new CorowsProtocol();
  /** Dead-peer detection, when the connection has `keepAlive` (made once its module is loaded). */
  keepAlive: KeepAliveMember | undefined;
  /** The session layer, while the connection is in a session (PROTOCOL.md §5). */
  session: Session | undefined;
  private ended = false;
  private readingPaused = false;
  private pongsWatched = false;
  /** What `ws` sent because the peer broke the protocol: it then reports 1006, never having read the answer. */
  private broken: { code: number; reason: string } | undefined;

  constructor(
    private readonly owner: PipelineOwner,
    maxQueue: number,
    keepAlive: KeepAliveSettings | undefined,
    private readonly policy: ConnPolicy<PipelineOwner> | undefined,
  ) {
    this.inbox = new Inbox(maxQueue, this);
    if (keepAlive !== undefined) this.makeKeepAlive(keepAlive);
  }

  /** Wraps `socket` as the link, in place of the previous one, whose later events are ignored. */
  attach(socket: WebSocketLike, transport?: NodeTransport): void {
    (this.link as Link | undefined)?.detach(this);
    this.broken = undefined;
    this.link = openLink(socket, this, transport);
    this.pongsWatched = false;
    if (this.owner.listenerCount('pong') > 0) this.watchPongs();
    if (this.link.readyState === OPEN) this.linkUp(false);
  }

  /** Stops listening to the link and drops its socket; its close is not reported. */
  dropLink(): void {
    this.keepAlive?.stop();
    this.link.detach(this);
    this.link.terminate();
  }

  /** Puts `session` between the protocol and the policy (or takes it out, with `undefined`). */
  useSession(session: Session | undefined): void {
    this.session = session;
    session?.bind({
      writeFrame: (data) => this.writeRaw(data, 'send()', () => new CorowsError('the link is down', { code: 'ERR_CLOSED' })),
      writeControl: (frame) => this.sendControl(frame),
      broken: (reason) => this.link.close(CloseCode.ProtocolError, reason),
    });
  }

  /** Writes one control message on the open link, below the session; `false` if no link is open. */
  sendControl(frame: ControlFrame): boolean {
    if (this.link.readyState !== OPEN) return false;
    this.link.send(encodeControl(frame), () => undefined);
    return true;
  }

  /** Writes one frame on the open link (a session numbers and keeps it); resolves `null` once written, or the `Error`. */
  write(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null> {
    const refused = this.protocol.refuse(data);
    if (refused !== undefined) return Promise.resolve(refused);
    return this.session === undefined ? this.writeRaw(data, action, closedError) : this.session.send(data);
  }

  /** Writes one frame on the open link, below the session. */
  private writeRaw(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null> {
    const refused = this.policy?.admitOutgoing(this.owner, data);
    if (refused !== undefined) return Promise.resolve(refused);
    return sendResult(
      new Promise((resolve) => {
        try {
          this.link.send(data, (err) => resolve(err === undefined || err === null ? null : this.sendFailure(action, err, closedError)));
        } catch (err) {
          resolve(this.sendFailure(action, err, closedError));
        }
      }),
    );
  }

  /** The connection closed for good. */
  end(): void {
    this.ended = true;
    this.keepAlive?.leave();
    this.inbox.end();
  }

  // The link's events (LinkListener).

  onOpen(): void {
    this.linkUp(true);
  }

  onMessage(msg: Message, bytes: number | undefined): void {
    if (this.policy !== undefined && !this.policy.admitIncoming(this.owner, bytes)) return;
    this.keepAlive?.heard();
    if (this.protocol.isOwn(msg)) {
      this.heartbeatArrived();
      return;
    }
    if (this.session !== undefined && !this.sessionArrived(msg, bytes)) return;
    this.owner.emit('message', msg);
    this.inbox.deliver(msg);
  }

  onClose(code: number, reason: string): void {
    this.keepAlive?.stop();
    const broken = this.broken;
    if (code === CloseCode.Abnormal && broken !== undefined) this.owner.linkEnded(broken.code, broken.reason);
    else this.owner.linkEnded(code, reason);
  }

  onError(err: Error, protocolCode: number | undefined): void {
    if (protocolCode !== undefined) this.broken ??= { code: protocolCode, reason: err.message };
    this.owner.reportError(err, false);
  }

  onPong(): void {
    this.keepAlive?.heard();
    this.owner.emit('pong');
  }

  // The inbox's flow (InboxFlow).

  pause(): void {
    this.setReadingPaused(true);
  }

  resume(): void {
    this.setReadingPaused(false);
  }

  handlerFailed(err: unknown): void {
    this.owner.reportError(new CorowsError(`whenNewMsg handler failed: ${describeError(err)}`, { code: 'ERR_HANDLER', cause: err }), true);
  }

  // What the keep-alive drives (Beater).

  sendHeartbeat(): boolean {
    if (this.link.readyState !== OPEN || this.policy?.admitOutgoing(this.owner, EMPTY_FRAME) !== undefined) return false;
    try {
      this.link.send(EMPTY_FRAME, () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  watchPongs(): void {
    if (this.pongsWatched) return;
    this.pongsWatched = true;
    this.link.watchPongs?.();
  }

  linkTimedOut(reason: string): void {
    this.dropLink();
    this.owner.linkEnded(CloseCode.Abnormal, reason);
  }

  private makeKeepAlive(settings: KeepAliveSettings): void {
    const module = loadedKeepAlive();
    if (module !== undefined) {
      this.keepAlive = new module.KeepAliveMember(settings, this);
      return;
    }
    void loadKeepAlive().then(() => {
      if (this.ended) return;
      this.makeKeepAlive(settings);
      if ((this.link as Link | undefined)?.readyState === OPEN) this.keepAlive?.start(this.link, this.protocol.heartbeat, this.readingPaused);
    });
  }

  /** Counts a unit for the session, or handles a control message (`false`: nothing for the application). */
  private sessionArrived(msg: Message, bytes: number | undefined): boolean {
    const frame = decodeControl(msg);
    if (frame instanceof Error) this.link.close(CloseCode.ProtocolError, `corows: ${frame.message}`);
    else if (frame !== undefined && SESSION_TYPES.has(frame.t)) this.session?.control(frame);
    else if (frame === undefined) this.session?.arrived(bytes ?? (typeof msg === 'string' ? msg.length : msg.byteLength));
    return frame === undefined;
  }

  private linkUp(announce: boolean): void {
    this.protocol.linkUp(this.link.protocol);
    if (this.readingPaused) this.link.pause?.();
    this.keepAlive?.start(this.link, this.protocol.heartbeat, this.readingPaused);
    if (announce) this.owner.linkOpened();
  }

  /** A corows heartbeat: the answer to ours (a browser client), or the peer's, to answer. */
  private heartbeatArrived(): void {
    if (this.keepAlive?.mode === 'message') this.owner.emit('pong');
    else this.sendHeartbeat();
  }

  private setReadingPaused(paused: boolean): void {
    this.readingPaused = paused;
    if (paused) this.link.pause?.();
    else this.link.resume?.();
    this.keepAlive?.suspend(paused);
  }

  private sendFailure(action: string, err: unknown, closedError: () => Error): Error {
    if (err instanceof CorowsError) return err; // already says what happened (e.g. a server's backpressure limit)
    if (this.link.readyState !== OPEN) return closedError();
    return new CorowsError(`${action} failed: ${describeError(err)}`, { code: 'ERR_SEND', cause: err });
  }
}

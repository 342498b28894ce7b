import { openLink } from '#link';
import { armCancel } from './cancel.js';
import { CloseCode } from './close-codes.js';
import type { ConnPolicy } from './conn-parts.js';
import { CorowsProtocol, PING, PONG, type ProtocolReceiver } from './corows-protocol.js';
import { describeError } from './describe.js';
import { CorowsError } from './errors.js';
import type { KeepAliveSettings } from './keep-alive-options.js';
import { Inbox, sendResult, type InboxFlow } from './inbox.js';
import type { Beater, KeepAliveMember } from './keep-alive.js';
import { loadedKeepAlive, loadKeepAlive } from './keep-alive-loader.js';
import type { Link, LinkListener } from './link-api.js';
import type { OutgoingData } from './outbox.js';
import { loadControlPlane, loadedControlPlane } from './control-loader.js';
import type { ControlPlane } from './control-plane.js';
import { OPEN, type NodeTransport, type WebSocketLike } from './socket.js';
import type { Message, WebSocketConnEvents } from './types.js';
import type { GuardedEmitter } from './guarded-emitter.js';
import type { Session } from './session.js';



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
 * Each connection's control plane, made on first use: kept beside the pipeline rather than in it, so
 * that the many connections that never use requests do not pay a field for them.
 */
const controls = new WeakMap<Pipeline, ControlPlane | Promise<ControlPlane>>();

/**
 * The parts of one connection, in the order a message takes them. In: link → policy (limits,
 * counters) → keep-alive (the peer is alive) → protocol (corows' own messages stop here) → the
 * connection's `message` event → inbox → the application. Out: the application → protocol (reserved
 * frames refused) → policy (backpressure, counters) → link. The connection around it keeps the state
 * and the closing; a supervisor (reconnect) may swap its link.
 */
export class Pipeline implements LinkListener, InboxFlow, Beater, ProtocolReceiver {
  link!: Link;
  readonly inbox: Inbox;
  readonly protocol = new CorowsProtocol();
  /** Dead-peer detection, when the connection has `keepAlive` (made once its module is loaded). */
  keepAlive: KeepAliveMember | undefined;
  /** The code the connection closed with for good, once it has. */
  endedWith: number | undefined;
  /** The session layer, while the connection is in one (PROTOCOL.md §5): it numbers, keeps and counts units. */
  session: Session | undefined;
  private readingPaused = false;
  private pongsWatched = false;
  /** What `ws` sent because the peer broke the protocol: it then reports 1006, never having read the answer. */
  private broken: { code: number; reason: string } | undefined;

  constructor(
    readonly owner: PipelineOwner,
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

  /** Writes one frame on the open link; resolves `null` once written, or the `Error`. */
  write(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null> {
    const framed = this.protocol.encode(data);
    return this.session?.send(framed) ?? this.writeFrame(framed, action, closedError);
  }


  /** The control plane (control messages, requests), once made: `undefined` on a connection that never needed one. */
  get control(): ControlPlane | Promise<ControlPlane> | undefined {
    return controls.get(this);
  }

  private setControl(control: ControlPlane): ControlPlane {
    controls.set(this, control);
    return control;
  }

  /**
   * Runs `use` on the control plane (control messages, requests): at once, or once its module is
   * loaded; without `create`, only if there is one already.
   */
  withControl<T>(use: (control: ControlPlane) => T, create = true): T | Promise<T> | undefined {
    // armCancel is given: as a browser chunk, the control plane's module imports only public names.
    let control = controls.get(this);
    if (control === undefined) {
      if (!create) return undefined;
      const module = loadedControlPlane();
      control = module !== undefined ? new module.ControlPlane(this, armCancel) : loadControlPlane().then((loaded) => this.setControl(new loaded.ControlPlane(this, armCancel)));
      controls.set(this, control);
    }
    return control instanceof Promise ? control.then(use) : use(control);
  }

  /** Writes one frame as it goes (the protocol's own, or an application message already framed). */
  writeFrame(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null> {
    const refused = this.policy?.admitOutgoing(this.owner, data);
    if (refused !== undefined) return Promise.resolve(refused);
    return sendResult(
      new Promise((resolve) => {
        try {
          this.link.send(data, (err) => resolve(err === undefined || err === null ? null : this.sendFailure(action, err, closedError)), this.inbox.size > 0);
        } catch (err) {
          resolve(this.sendFailure(action, err, closedError));
        }
      }),
    );
  }

  /** The connection closed for good with `code`; pending requests fail. */
  end(code: number): void {
    this.endedWith = code;
    this.keepAlive?.leave();
    this.inbox.end();
    this.withControl((control) => control.end(code), false);
  }

  /** The link dropped with `code` and the connection goes on with another: requests in flight on it fail. */
  linkLost(code: number): void {
    if (this.session === undefined) this.withControl((control) => control.linkLost(code), false);
  }

  // The link's events (LinkListener).

  onOpen(): void {
    this.linkUp(true);
  }

  onMessage(msg: Message, bytes: number | undefined): void {
    if (this.policy !== undefined && !this.policy.admitIncoming(this.owner, bytes)) return;
    this.keepAlive?.heard();
    const app = this.protocol.read(msg, this);
    if (app === undefined) return;
    this.session?.delivered(app, bytes);
    this.owner.emit('message', app);
    this.inbox.deliver(app);
  }

  // What the protocol layer hands over (ProtocolReceiver).

  /** A corows heartbeat: the peer's `ping`, to answer, or the `pong` to ours (a browser client). */
  heartbeatArrived(ping: boolean): void {
    if (ping) this.sendHeartbeat(PONG);
    else this.owner.emit('pong');
  }

  controlArrived(text: string): void {
    // In a session, the session layer reads it first (units are counted) and hands on what it read;
    // `null`: it was the session's own. Without one, the control plane reads it.
    const read = this.session?.route(text);
    if (read !== null) void this.withControl((control) => control.arrived(text, read));
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

  sendHeartbeat(frame = PING): boolean {
    if (this.link.readyState !== OPEN || this.policy?.admitOutgoing(this.owner, frame) !== undefined) return false;
    try {
      this.link.send(frame, () => undefined);
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
      if (this.endedWith !== undefined) return;
      this.makeKeepAlive(settings);
      if ((this.link as Link | undefined)?.readyState === OPEN) this.keepAlive?.start(this.link, this.protocol.agreed, this.readingPaused);
    });
  }

  private linkUp(announce: boolean): void {
    this.protocol.linkUp(this.link);
    if (this.readingPaused) this.link.pause?.();
    this.keepAlive?.start(this.link, this.protocol.agreed, this.readingPaused);
    if (announce) this.owner.linkOpened();
    this.withControl((control) => control.linkUp(), false);
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

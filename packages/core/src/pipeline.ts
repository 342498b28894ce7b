import { openLink } from '#link';
import { armCancel } from './cancel.js';
import { CloseCode } from './close-codes.js';
import type { ConnPolicy } from './conn-parts.js';
import { CorowsProtocol, type ProtocolReceiver } from './corows-protocol.js';
import { describeError } from './describe.js';
import { CorowsError } from './errors.js';
import type { KeepAliveSettings } from './keep-alive-options.js';
import { Inbox, sendResult, type InboxFlow } from './inbox.js';
import type { Beater, KeepAliveMember } from './keep-alive.js';
import { loadedKeepAlive, loadKeepAlive } from './keep-alive-loader.js';
import type { Link, LinkListener } from './link-api.js';
import type { OutgoingData } from './outbox.js';
import { encodeJson } from './outgoing.js';
import { loadControlPlane, loadedControlPlane } from './control-loader.js';
import type { ControlPlane } from './control-plane.js';
import type { Agreement } from './requests.js';
import { OPEN, type NodeTransport, type WebSocketLike } from './socket.js';
import type { Message, RequestHandler, RequestOptions, WebSocketConnEvents } from './types.js';
import type { GuardedEmitter } from './guarded-emitter.js';
import type { Session } from './session.js';

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
export class Pipeline implements LinkListener, InboxFlow, Beater, ProtocolReceiver {
  link!: Link;
  readonly inbox: Inbox;
  readonly protocol = new CorowsProtocol(this);
  /** Control messages and requests, made on first use (its module is loaded then). */
  private control: ControlPlane | Promise<ControlPlane> | undefined;
  /** Dead-peer detection, when the connection has `keepAlive` (made once its module is loaded). */
  keepAlive: KeepAliveMember | undefined;
  /** The session layer, while the connection is in one (PROTOCOL.md §5): it numbers, keeps and counts units. */
  session: Session | undefined;
  /** What requests get once the connection has closed for good (set then). */
  private endedWith: Error | undefined;
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

  /** Writes one frame on the open link; resolves `null` once written, or the `Error`. */
  write(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null> {
    const refused = this.protocol.refuse(data);
    if (refused !== undefined) return Promise.resolve(refused);
    return this.session?.send(this.protocol.encode(data)) ?? this.writeFrame(this.protocol.encode(data), action, closedError);
  }

  /** Puts `session` between the protocol and the policy (`undefined` takes it out). */
  useSession(session: Session | undefined): void {
    this.session = session;
    session?.bind(this);
  }

  /** Writes one control message (already encoded) on the open link. */
  writeControl(text: string): Promise<Error | null> {
    return this.session?.send(text) ?? this.writeFrame(text, 'a corows control message', () => new CorowsError('a corows control message could not be written: the link closed', { code: 'ERR_CLOSED' }));
  }

  /** `conn.request()`. */
  request(value: unknown, options: RequestOptions | undefined): Promise<unknown> {
    const control = this.useControl();
    return control instanceof Promise ? control.then((loaded) => loaded.requests.request(value, options)) : control.requests.request(value, options);
  }

  /** `conn.whenRequest()`. */
  setRequestHandler(handler: RequestHandler): void {
    this.withControl((control) => control.requests.setHandler(handler), true);
  }

  /** The control plane of this connection, loading its module on first use. */
  private useControl(): ControlPlane | Promise<ControlPlane> {
    if (this.control !== undefined) return this.control;
    const module = loadedControlPlane();
    if (module !== undefined) return (this.control = this.makeControl(module));
    return (this.control = loadControlPlane().then((loaded) => (this.control = this.makeControl(loaded))));
  }

  private makeControl(module: typeof import('./control-plane.js')): ControlPlane {
    return new module.ControlPlane({
      agreement: () => this.agreement(),
      writeControl: (text) => this.writeControl(text),
      closedError: () => this.endedWith,
      reportError: (err) => this.owner.reportError(err, false),
      closeLink: (code, reason) => this.closeLink(code, reason),
      armCancel,
      encodeJson,
    });
  }

  /** Runs `use` on the control plane, if there is one (or `create` it): at once, or once its module is loaded. */
  private withControl(use: (control: ControlPlane) => void, create = false): void {
    const control = create ? this.useControl() : this.control;
    if (control instanceof Promise) void control.then(use);
    else if (control !== undefined) use(control);
  }

  closeLink(code: number, reason: string): void {
    try {
      this.link.close(code, reason);
    } catch {
      this.link.terminate();
    }
  }

  /** Whether the current link can carry corows control messages now. */
  agreement(): Agreement {
    if (this.endedWith !== undefined || (this.link.readyState !== OPEN && this.session === undefined)) return 'down';
    return this.protocol.agreed ? 'agreed' : 'plain';
  }

  /** Writes one frame as it is on the open link, below the protocol and the session. */
  writeFrame(data: OutgoingData, action: string, closedError: () => Error): Promise<Error | null> {
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

  /** The connection closed for good; pending requests fail with `err`. */
  end(err: Error): void {
    this.endedWith = err;
    this.keepAlive?.leave();
    this.inbox.end();
    this.withControl((control) => control.end(err));
  }

  /** The link dropped and the connection goes on with another: requests in flight on it fail with `err`. */
  linkLost(err: Error): void {
    if (this.session === undefined) this.withControl((control) => control.linkLost(err));
  }

  // The link's events (LinkListener).

  onOpen(): void {
    this.linkUp(true);
  }

  onMessage(msg: Message, bytes: number | undefined): void {
    if (this.policy !== undefined && !this.policy.admitIncoming(this.owner, bytes)) return;
    this.keepAlive?.heard();
    const app = this.protocol.read(msg);
    if (app === undefined) return;
    this.session?.delivered(app, bytes);
    this.owner.emit('message', app);
    this.inbox.deliver(app);
  }

  // What the protocol layer hands over (ProtocolReceiver).

  /** A corows heartbeat: the answer to ours (a browser client), or the peer's, to answer. */
  heartbeatArrived(): void {
    if (this.keepAlive?.mode === 'message') this.owner.emit('pong');
    else this.sendHeartbeat();
  }

  controlArrived(text: string): void {
    if (this.session?.route(text) !== true) this.withControl((control) => control.arrived(text), true);
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
    this.withControl((control) => control.linkUp());
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

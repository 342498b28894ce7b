import type { EventEmitter } from 'eventemitter3';
import { refuseClose } from './close-codes.js';
import type { ConnPolicy, LinkSupervisor } from './conn-parts.js';
import { linkSwitch } from './link-switch.js';
import { checkMaxQueue, type ConnOptions } from './conn-options.js';
import { Closing } from './closing.js';
import { checkFunction, describeError } from './describe.js';
import { ConnectionClosedError } from './errors.js';
import { GuardedEmitter } from './guarded-emitter.js';
import { resolveKeepAlive } from './keep-alive-options.js';
import { readSelectedProtocol } from './negotiation.js';
import type { Link } from './link-api.js';
import type { OutgoingData } from './outbox.js';
import { checkBinary, checkText, encodeJson } from './outgoing.js';
import { Pipeline } from './pipeline.js';
import { OPEN, type WebSocketLike } from './socket.js';
import type { ConnState, HeartbeatMode, Message, MessageHandler, ReceiveOptions, RequestHandler, RequestOptions, SessionInfo, WebSocketConnEvents } from './types.js';

const STATES: readonly ConnState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

/**
 * One WebSocket connection in the coroutine style of coromega: `await conn.receiveMessage()` reads the
 * next message where you stand; `conn.whenNewMsg(cb)` handles the ones nobody is waiting for. Both ends
 * of a connection (what `connectToWebsocket` returns and what the server hands to `whenNewConn`) are
 * this class.
 *
 * **Inbox rule**, for each arriving message in order: (1) the oldest pending `receiveMessage()` gets it;
 * (2) otherwise the `whenNewMsg` handler gets it; (3) otherwise it waits in the inbox for whichever
 * comes first. Nothing is lost, nothing is delivered twice. When the inbox holds `maxQueue` messages,
 * the connection stops reading from the socket (Node) until it drains, so a slow consumer costs bounded
 * memory (about `maxQueue` × the largest message).
 *
 * **Errors**: a `whenNewMsg` handler or a listener that throws or rejects is reported through the
 * `error` event (or `console.error` when nobody listens), and delivery goes on.
 *
 * **Reconnecting** (client, `reconnect`): one connection lives across links; `state` is `'CONNECTING'`
 * between them, receives wait, sends wait in a bounded outbox, written after the next `open`'s
 * listeners (README: "Messages in flight when a link drops").
 *
 * @example
 * ```ts
 * const conn = await connectToWebsocket('ws://127.0.0.1:1042');
 * conn.whenNewMsg((msg) => console.log('not intercepted:', msg));
 * await conn.sendMessage('client hello');
 * console.log('first message:', await conn.receiveMessage());
 * ```
 */
export class WebSocketConn extends GuardedEmitter<WebSocketConnEvents> {
  /** Client side: the address dialled. Server side: the upgrade request's path and query. */
  readonly url: string;
  /** Client side: the headers sent. Server side: the upgrade request's headers, with lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, where known (server side). */
  readonly remoteAddress: string | undefined;

  private readonly pipeline: Pipeline;
  private readonly policy: ConnPolicy<WebSocketConn> | undefined;
  private readonly supervisor: LinkSupervisor | undefined;
  /** `close()` or `terminate()` was called: the connection is ending for good. */
  private closeRequested = false;
  private finished = false;
  /** Made when the closing starts, or when someone waits for it. */
  private closing: Closing | undefined;

  /**
   * Wraps an open or opening WebSocket (Node's `ws`, a browser's `WebSocket`, or anything shaped like
   * one), to give corows' API to a socket made elsewhere; `connectToWebsocket` and the server do it for you.
   */
  constructor(socket: WebSocketLike, options: ConnOptions = {}) {
    super();
    this.url = options.url ?? '';
    this.headers = options.headers ?? {};
    this.remoteAddress = options.remoteAddress;
    this.policy = options.policy;
    const keepAlive = resolveKeepAlive(options.keepAlive, 'WebSocketConn');
    this.pipeline = new Pipeline(this, checkMaxQueue(options.maxQueue), keepAlive, this.policy);
    this.supervisor = options.supervise?.(linkSwitch(this.pipeline, this, (code, reason) => this.finish(code, reason), (action) => new ConnectionClosedError(action, this.state, this.closeCode)));
    this.pipeline.attach(socket, options.transport);
  }

  /** `'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED'`, as LuatOS `state()`; `'CONNECTING'` between links. */
  get state(): ConnState {
    if (this.finished) return 'CLOSED';
    if (this.supervisor?.between === true) return 'CONNECTING';
    return STATES[this.link.readyState] ?? 'CLOSED';
  }

  /** `true` while the connection is open (LuatOS `online()`). */
  get online(): boolean {
    return this.state === 'OPEN';
  }

  /** How this end detects a dead peer, set when a link opens or the keep-alive module has loaded: `'protocol'`, `'message'` or `'off'`. */
  get heartbeat(): HeartbeatMode {
    return this.pipeline.keepAlive?.mode ?? 'off';
  }

  /** The session this connection is in (`resume`), or `null`: none, or a peer without sessions. */
  get session(): SessionInfo | null {
    return this.supervisor?.session ?? null;
  }

  /** The close code, once closed (1006 if the connection dropped without a close frame). */
  get closeCode(): number | undefined {
    return this.closing?.code;
  }
  /** The close reason, once closed. */
  get closeReason(): string | undefined {
    return this.closing?.reason;
  }

  /** The subprotocol the server selected (`''` if none), without corows' part of it (see `negotiateSubprotocol`). */
  get protocol(): string {
    return readSelectedProtocol(this.link.protocol).protocol;
  }

  /** Bytes queued by `send*()` but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.link.bufferedAmount;
  }

  /** How many arrived messages wait in the inbox for a `receiveMessage()` or a handler. */
  get queuedMessages(): number {
    return this.pipeline.inbox.size;
  }

  /**
   * Sends `text` as one text frame (seed: `send_message`). Resolves `null` once written (in browsers:
   * once handed to the browser), or an `Error` if it could not be sent (connection not open, wrong
   * type). Never rejects and never throws, so an un-awaited send to a dead peer cannot crash Node.
   * With `reconnect`, a send while the link is down waits in the outbox. In Node the sends of one
   * event-loop turn are written together when it ends (at most 64 KiB is held back).
   */
  sendMessage(text: string): Promise<Error | null> {
    const checked = checkText(text);
    return checked instanceof Error ? Promise.resolve(checked) : this.write(checked, 'sendMessage()');
  }

  /**
   * Sends `JSON.stringify(value)` as one text frame (seed: `send`). A value JSON cannot encode
   * (a cycle, a `BigInt`, `undefined`, a function) resolves a `TypeError` and sends nothing.
   * Never rejects and never throws.
   */
  send(value: unknown): Promise<Error | null> {
    const text = encodeJson(value);
    return text instanceof Error ? Promise.resolve(text) : this.write(text, 'send()');
  }

  /**
   * Sends one binary frame (an empty one too). Resolves like {@link WebSocketConn.sendMessage}; never
   * rejects.
   */
  sendBinary(data: Uint8Array | ArrayBuffer): Promise<Error | null> {
    const checked = checkBinary(data);
    return checked instanceof Error ? Promise.resolve(checked) : this.write(checked, 'sendBinary()');
  }

  /**
   * The next message that has not been delivered yet (seed: `receive_message`); it is never also given
   * to `whenNewMsg`. Several pending calls are served in call order. After close, buffered messages are
   * still returned in order, then `null`, at once, every time.
   *
   * Cancel-safe: with `timeout` (ms) or `signal`, a call that gives up rejects with a `TimeoutError` or
   * `AbortError` and takes no message; the next message goes to whoever is next in line.
   */
  receiveMessage(options?: ReceiveOptions): Promise<Message | null> {
    return this.pipeline.inbox.receive(options);
  }

  /**
   * Sets the handler for each message that no `receiveMessage()` is waiting for, in arrival order, and
   * `null` exactly once when the connection has closed and the inbox is empty (seed: `when_new_msg`).
   * Messages already buffered go to it after the current synchronous code, so a `receiveMessage()` made
   * right after this call still takes the next message. A new call replaces the handler.
   */
  whenNewMsg(handler: MessageHandler): void {
    checkFunction(handler, 'whenNewMsg()');
    this.pipeline.inbox.setHandler(handler);
  }

  /**
   * Asks the peer and resolves with its reply, as skynet's `skynet.call` (any number in flight; `T` is not
   * checked). Rejects with a `RemoteError` (the peer's handler failed, or it has none), `TimeoutError`,
   * `AbortError`, `ConnectionClosedError`, or `'ERR_UNSUPPORTED'` (a plain peer). See README "Requests".
   */
  request<T = unknown>(value: unknown, options?: RequestOptions): Promise<T> {
    return Promise.resolve(this.pipeline.withControl((control) => control.requests.request(value, options))) as Promise<T>;
  }

  /**
   * Sets the handler of the peer's requests: what it returns (or resolves) is the reply; a throw
   * reaches the requester as a `RemoteError`. Set it before the peer may ask (see README "Requests").
   */
  whenRequest(handler: RequestHandler): void {
    checkFunction(handler, 'whenRequest()');
    void this.pipeline.withControl((control) => control.requests.setHandler(handler));
  }

  /**
   * Starts the closing handshake and resolves once the connection is closed. Idempotent: later calls
   * wait for the same close. Rejects with a `RangeError` if the code or reason is not allowed (codes
   * 1000–1003, 1007–1014 and 3000–4999; the reason is at most 123 bytes of UTF-8).
   * @param code close code, @default 1000
   * @param reason close reason, @default ''
   */
  close(code = 1000, reason = ''): Promise<void> {
    if (this.finished) return Promise.resolve();
    if (this.closeRequested) return (this.closing ??= new Closing()).closed;
    const refused = refuseClose(code, reason);
    if (refused !== undefined) return refused;
    if (this.supervisor?.between === true) {
      this.closeRequested = true;
      this.supervisor.stop(code, reason);
      return Promise.resolve();
    }
    try {
      this.link.close(code, reason);
    } catch (err) {
      return Promise.reject(new RangeError(`close(${code}, ${JSON.stringify(reason)}) refused: ${describeError(err)}`, { cause: err }));
    }
    this.closeRequested = true;
    const closing = (this.closing ??= new Closing());
    closing.sentCode = code;
    return closing.closed;
  }

  /** Drops the connection at once, without a closing handshake (close code 1006). */
  terminate(): void {
    if (this.finished) return;
    this.closeRequested = true;
    if (this.supervisor?.between === true) this.supervisor.stop(1006, '');
    else this.link.terminate();
  }

  /**
   * Sends a ping (a WebSocket ping in Node, the corows heartbeat in a browser talking to a corows
   * server); the answer fires `pong`. `false` where that is not possible (not open, or not corows).
   */
  ping(): boolean {
    if (this.heartbeat === 'message') return this.pipeline.sendHeartbeat();
    return this.link.ping?.() ?? false;
  }

  /** `for await (const msg of conn)` reads like repeated `receiveMessage()` and ends at close. */
  async *[Symbol.asyncIterator](): AsyncIterator<Message, void, undefined> {
    for (let msg = await this.receiveMessage(); msg !== null; msg = await this.receiveMessage()) yield msg;
  }

  /** Pongs are listened for on the socket only while someone needs them (see `Link.watchPongs`). */
  protected override listenerAdded(event: EventEmitter.EventNames<WebSocketConnEvents>): void {
    if (event === 'pong') this.pipeline.watchPongs();
  }

  /** The current link (for the server's broadcasts and backpressure checks). */
  protected get link(): Link {
    return this.pipeline.link;
  }

  /** @internal The current link opened (see `PipelineOwner`). */
  linkOpened(): void {
    this.supervisor?.opening();
    this.emit('open');
    this.supervisor?.opened();
  }

  /** @internal The current link closed or was found dead (see `PipelineOwner`). */
  linkEnded(code: number, reason: string): void {
    const sent = this.closing?.sentCode;
    const reported = code === 1006 && sent !== undefined && this.policy?.reportSentCode === true ? sent : code;
    if (this.supervisor?.dropped(reported, reason, this.closeRequested) !== true) this.finish(reported, reason);
    else this.pipeline.linkLost(reported);
  }

  /** @internal Emits `error`; an unheard handler failure goes to `console.error` rather than vanish. */
  reportError(err: Error, fromHandler: boolean): void {
    if (fromHandler) this.reportUnexpected(err);
    else if (this.supervisor?.dialing !== true && this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Closes the connection for good: no more messages arrive; `close` fires once. */
  private finish(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    const closing = (this.closing ??= new Closing());
    closing.code = code;
    closing.reason = reason;
    this.pipeline.end(code);
    this.policy?.closed(this, code);
    this.emit('close', code, reason);
    closing.settle();
  }

  /** Writes one frame, or holds it while a supervisor brings a new link. */
  private write(data: OutgoingData, action: string): Promise<Error | null> {
    const closedError = (): Error => new ConnectionClosedError(action, this.state, this.closeCode);
    if (this.link.readyState === OPEN && this.supervisor?.between !== true) return this.pipeline.write(data, action, closedError);
    const held = this.finished || this.closeRequested ? undefined : this.supervisor?.hold(data, action);
    return held ?? Promise.resolve(closedError());
  }
}

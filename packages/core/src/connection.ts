import { openLink } from '#link';
import type { EventEmitter } from 'eventemitter3';
import { CloseCode, closeCodeProblem } from './close-codes.js';
import { describeError, describeValue, typeName } from './describe.js';
import { GuardedEmitter } from './guarded-emitter.js';
import { ConnectionClosedError, CorowsError } from './errors.js';
import {
  heard,
  heartbeatGroup,
  leaveGroup,
  resolveKeepAlive,
  startBeats,
  stopBeats,
  suspendBeats,
  type HeartbeatMember,
  type HeartbeatRingNode,
  type KeepAlive,
} from './heartbeat.js';
import { isHeartbeatMessage, readSelectedProtocol } from './heartbeat-protocol.js';
import { Inbox, sendResult } from './inbox.js';
import { isNodeWebSocket, OPEN, type Link, type LinkListener, type NodeTransport, type WebSocketLike } from './socket.js';
import type { ConnState, HeartbeatMode, Message, MessageHandler, ReceiveOptions, WebSocketConnEvents } from './types.js';

/** Default {@link ConnOptions.maxQueue}: messages buffered before the socket stops being read. */
export const DEFAULT_MAX_QUEUE = 1024;

const STATES: readonly ConnState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

/** How a {@link WebSocketConn} is set up around a socket. */
export interface ConnOptions {
  /** The address (client side) or the upgrade request's path and query (server side). */
  url?: string;
  /** The handshake headers: sent (client side) or received, with lower-case names (server side). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, where known. */
  remoteAddress?: string | undefined;
  /**
   * Node: the TCP (or TLS) socket under `socket`, if you know it (a server knows it from the
   * upgrade). corows then writes each event-loop turn's messages together, and its heartbeat counts
   * the bytes read instead of listening for pongs. A `ws` client's is found on its own.
   */
  transport?: NodeTransport;
  /**
   * How many unconsumed messages the inbox holds before it stops reading from the socket (Node);
   * reading resumes when it has drained to half. Browsers cannot pause a WebSocket, so there the
   * inbox keeps growing past this mark.
   * @default 1024
   */
  maxQueue?: number;
  /**
   * Dead-peer detection (see `KeepAliveOptions`): a number is the heartbeat interval in milliseconds,
   * `true` the defaults (30 s), `false` or `0` none.
   * @default false (the server turns it on for its connections: see `ServerOptions.keepAlive`)
   */
  keepAlive?: KeepAlive;
}

const EMPTY_FRAME = new Uint8Array(0);

// A connection's yes/no state, as bits of one number: each field costs 8 B per connection, and a
// server holds 10,000s of them.
/** `close()` or `terminate()` was called. */
const CLOSE_REQUESTED = 1;
/** Closed for good. */
const FINISHED = 2;
/** The inbox is full: the socket is not read. */
const READING_PAUSED = 4;
/** The peer agreed on the corows heartbeat (subprotocol). */
const HEARTBEAT_AGREED = 8;
/** {@link WebSocketConn.heartbeat}: neither bit is `'off'`. */
const MODE_PROTOCOL = 16;
const MODE_MESSAGE = 32;
/** The current link reports pongs (see `Link.watchPongs`). */
const PONGS_WATCHED = 64;

/**
 * What a connection keeps about its closing: made when the closing starts (or someone waits for it),
 * so that an open connection carries one field for all of it.
 */
class Ending {
  /** The close code this end sent, if it started the closing handshake. */
  sentCode: number | undefined = undefined;
  code: number | undefined = undefined;
  reason: string | undefined = undefined;
  closed: Promise<void> | undefined = undefined;
  resolveClosed: (() => void) | undefined = undefined;
  /** The close code `ws` sent because the peer broke the protocol (1002, 1007, 1008, 1009), and why. */
  protocolCode: number | undefined = undefined;
  protocolReason = '';
}

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
 * **Errors**: a `whenNewMsg` handler that throws or rejects is reported through the `error` event, and
 * delivery goes on. eventemitter3 does not throw on an `error` event that nobody listens to, so when
 * there is no `error` listener corows writes handler failures to `console.error` instead of losing them.
 *
 * **Reconnecting** (client, `connectToWebsocket(addr, { reconnect })`): one connection lives across
 * links. When the link drops with a retryable code (`isRetryableCloseCode`; a heartbeat timeout is
 * 1006), `state` becomes `'CONNECTING'`, `reconnecting` (attempt, delay, cause) fires, and after the
 * delay a new link opens and `open` fires. `receiveMessage()` and `whenNewMsg` wait across the gap:
 * `null` (and the `close` event) come only when the connection closes for good: `close()`, a close
 * code that is not retryable, an attempt answered with HTTP 4xx, or `maxAttempts` failures in a row.
 *
 * **Messages in flight when a link drops** — what is guaranteed:
 * - A send made while the link is down is kept in the outbox (at most `reconnect.maxOutbox`; past it
 *   the send resolves an `OutboxFullError`) and written on the next link first, in order, before any
 *   later send; it resolves `null` then, or a `ConnectionClosedError` if the connection closes for good.
 * - Messages arrive in the order they were sent, across links, and none twice: corows never sends a
 *   message again.
 * - Messages already received stay in the inbox and are delivered, in order, before the new link's.
 *
 * What is not: a send that resolved `null` was handed to the operating system (Node) or the browser,
 * not received. If the link drops, what was still in buffers, on the wire or in the dying peer is lost,
 * and so is what is sent to a dead link before the drop is noticed (a silent peer is noticed within
 * `keepAlive`'s interval + timeout). Likewise, what the server had sent that had not arrived is lost.
 * The new link may reach another server process that knows nothing of the old one: authenticate and
 * subscribe again on `open`. For at-least-once delivery, number your messages, have the peer
 * acknowledge them, send the unacknowledged ones again on `open`, and drop duplicates by number.
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

  /** The current socket. A reconnecting connection attaches a new one with {@link WebSocketConn.attachSocket}. */
  protected link!: Link;
  private readonly inbox: InstanceType<typeof WebSocketConn.ConnInbox>;
  /** The bits above ({@link CLOSE_REQUESTED}, …). */
  private flags = 0;
  private ending: Ending | undefined;

  /**
   * Wraps an open or opening WebSocket: Node's `ws`, a browser's `WebSocket`, or anything shaped like
   * one. `connectToWebsocket` and the server create connections for you; wrap a socket yourself only to
   * give corows' API to a socket made elsewhere.
   */
  constructor(socket: WebSocketLike, options: ConnOptions = {}) {
    super();
    this.url = options.url ?? '';
    this.headers = options.headers ?? {};
    this.remoteAddress = options.remoteAddress;
    const keepAlive = resolveKeepAlive(options.keepAlive, 'WebSocketConn');
    this.inbox = new WebSocketConn.ConnInbox(checkMaxQueue(options.maxQueue), this);
    // In the group for life, beaten while a link is open (see startHeartbeat): no field holds the group.
    if (keepAlive !== undefined) heartbeatGroup(keepAlive).add(this.inbox, false);
    this.attachSocket(socket, options.transport);
  }

  // A small class rather than objects of arrow functions: a connection lives as long as its socket,
  // and the closures cost about 0.5 KB per connection (heap snapshots). It sits inside the class to
  // reach its private members.

  /**
   * The connection's inbox, which is also what its links report to and its member in its heartbeat
   * group: one object for the three, as each object costs 32 B or more per connection. A link that
   * was replaced is detached (`Link.detach`), so whatever reaches this is from the current link.
   */
  private static readonly ConnInbox = class extends Inbox implements LinkListener, HeartbeatMember {
    ringPrev: HeartbeatRingNode | undefined = undefined;
    ringNext: HeartbeatRingNode | undefined = undefined;
    beatState = 0;
    /**
     * The bytes the link had read when the last beat went, where it counts them (Node, with the TCP
     * socket known: see `ConnOptions.transport`). Then any byte read after a ping (its pong, or a
     * message) is a sign of life, and the socket needs no pong listener.
     */
    private bytesAtBeat: number | undefined;

    constructor(
      maxQueue: number,
      private readonly conn: WebSocketConn,
    ) {
      super(maxQueue);
    }

    protected pause(): void {
      this.conn.pauseReading(true);
    }

    protected resume(): void {
      this.conn.pauseReading(false);
    }

    protected handlerFailed(err: unknown): void {
      this.conn.reportError(new CorowsError(`whenNewMsg handler failed: ${describeError(err)}`, { code: 'ERR_HANDLER', cause: err }), true);
    }

    onOpen(): void {
      this.conn.linkUp(true);
    }

    onMessage(msg: Message, bytes: number | undefined): void {
      if (!this.conn.admitMessage(bytes)) return;
      heard(this);
      this.conn.arrived(msg);
    }

    onClose(code: number, reason: string): void {
      this.conn.stopHeartbeat();
      const broken = this.conn.ending;
      // `ws` stops reading once it has answered a protocol error, so it reports 1006: report what it sent.
      if (code === CloseCode.Abnormal && broken?.protocolCode !== undefined) this.conn.linkClosed(broken.protocolCode, broken.protocolReason);
      else this.conn.linkClosed(code, reason);
    }

    onError(err: Error, protocolCode: number | undefined): void {
      if (protocolCode !== undefined) {
        const ending = (this.conn.ending ??= new Ending());
        if (ending.protocolCode === undefined) {
          ending.protocolCode = protocolCode;
          ending.protocolReason = err.message;
        }
      }
      this.conn.reportError(err, false);
    }

    onPong(): void {
      heard(this);
      this.conn.emit('pong');
    }

    beat(): void {
      if (this.conn.hasFlag(MODE_MESSAGE)) {
        this.conn.sendHeartbeat();
        return;
      }
      this.bytesAtBeat = this.conn.link.bytesRead;
      // Without a count of bytes, only the pong can tell that the peer is alive.
      if (this.bytesAtBeat === undefined) this.conn.watchPongs();
      this.conn.link.ping();
    }

    heardSinceBeat(): boolean {
      const bytes = this.conn.link.bytesRead;
      return bytes !== undefined && this.bytesAtBeat !== undefined && bytes > this.bytesAtBeat;
    }

    timedOut(reason: string): void {
      this.conn.detachLink();
      this.conn.linkClosed(CloseCode.Abnormal, reason);
    }
  };

  /** `'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED'`, as LuatOS `state()`. */
  get state(): ConnState {
    if (this.isFinished) return 'CLOSED';
    return STATES[this.link.readyState] ?? 'CLOSED';
  }

  /** `true` while the connection is open (LuatOS `online()`). */
  get online(): boolean {
    return this.state === 'OPEN';
  }

  /**
   * How this end detects a dead peer (see `KeepAliveOptions`): `'protocol'` with WebSocket pings
   * (Node), `'message'` with corows heartbeat messages (a browser client talking to a corows server),
   * `'off'` when `keepAlive` is off or the peer cannot take part (a browser client talking to a server
   * that is not corows). Set when the connection opens.
   */
  get heartbeat(): HeartbeatMode {
    return this.hasFlag(MODE_PROTOCOL) ? 'protocol' : this.hasFlag(MODE_MESSAGE) ? 'message' : 'off';
  }

  /** The close code, once closed (1006 if the connection dropped without a close frame). */
  get closeCode(): number | undefined {
    return this.ending?.code;
  }

  /** The close reason, once closed. */
  get closeReason(): string | undefined {
    return this.ending?.reason;
  }

  /**
   * The subprotocol the server selected (`''` if none), without the corows heartbeat's part of it
   * (see `negotiateSubprotocol`).
   */
  get protocol(): string {
    return readSelectedProtocol(this.link.protocol).protocol;
  }

  /** Bytes queued by `send*()` but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.link.bufferedAmount;
  }

  /** How many arrived messages wait in the inbox for a `receiveMessage()` or a handler. */
  get queuedMessages(): number {
    return this.inbox.size;
  }

  /**
   * Sends `text` as one text frame (seed: `send_message`). Resolves `null` once written (in browsers:
   * once handed to the browser), or an `Error` if it could not be sent (connection not open, wrong
   * type). Never rejects and never throws, so an un-awaited send to a dead peer cannot crash Node.
   * With `reconnect`, a send while the link is down waits in the outbox (see the class comment).
   * In Node, where the TCP socket is known (server connections, `ws` clients), the sends of one
   * event-loop turn are written together when it ends (at most 64 KiB is held back).
   */
  sendMessage(text: string): Promise<Error | null> {
    if (typeof text !== 'string') {
      return Promise.resolve(new TypeError(`sendMessage() takes a string, got ${typeName(text)}; use send() to send a value as JSON`));
    }
    return this.write(text, 'sendMessage()');
  }

  /**
   * Sends `JSON.stringify(value)` as one text frame (seed: `send`). A value JSON cannot encode
   * (a cycle, a `BigInt`, `undefined`, a function) resolves a `TypeError` and sends nothing.
   * Never rejects and never throws.
   */
  send(value: unknown): Promise<Error | null> {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      return Promise.resolve(new TypeError(`send() cannot encode the value as JSON: ${describeError(err)}`, { cause: err }));
    }
    if (text === undefined) {
      return Promise.resolve(new TypeError(`send() cannot encode ${typeName(value)} as JSON; nothing was sent`));
    }
    return this.write(text, 'send()');
  }

  /**
   * Sends one binary frame. Resolves like {@link WebSocketConn.sendMessage}; never rejects. On a
   * connection that agreed on the corows heartbeat (see `negotiateSubprotocol`), an empty one is the
   * heartbeat and resolves an error instead.
   */
  sendBinary(data: Uint8Array | ArrayBuffer): Promise<Error | null> {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      return Promise.resolve(new TypeError(`sendBinary() takes a Uint8Array or an ArrayBuffer, got ${typeName(data)}`));
    }
    if (this.hasFlag(HEARTBEAT_AGREED) && data.byteLength === 0) {
      return Promise.resolve(new CorowsError('sendBinary(): an empty binary message is the corows heartbeat on this connection (subprotocol corows.heartbeat); send at least one byte', { code: 'ERR_RESERVED' }));
    }
    return this.write(data, 'sendBinary()');
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
    return this.inbox.receive(options);
  }

  /**
   * Sets the handler for each message that no `receiveMessage()` is waiting for, in arrival order, and
   * `null` exactly once when the connection has closed and the inbox is empty (seed: `when_new_msg`).
   * Messages already buffered go to it after the current synchronous code, so a `receiveMessage()` made
   * right after this call still takes the next message. A new call replaces the handler.
   */
  whenNewMsg(handler: MessageHandler): void {
    if (typeof handler !== 'function') {
      throw new TypeError(`whenNewMsg() takes a function, got ${typeName(handler)}`);
    }
    this.inbox.setHandler(handler);
  }

  /**
   * Starts the closing handshake and resolves once the connection is closed. Idempotent: later calls
   * wait for the same close. Rejects with a `RangeError` if the code or reason is not allowed (codes
   * 1000 and 3000–4999 are always allowed; the reason is at most 123 bytes of UTF-8).
   * @param code close code, @default 1000
   * @param reason close reason, @default ''
   */
  close(code = 1000, reason = ''): Promise<void> {
    if (this.isFinished) return Promise.resolve();
    const closed = this.whenClosed();
    if (!this.closeRequested) {
      const problem = closeCodeProblem(code, reason);
      if (problem !== undefined) return Promise.reject(new RangeError(`close(${describeValue(code)}, ${describeValue(reason)}) refused: ${problem}`));
      try {
        this.link.close(code, reason);
      } catch (err) {
        return Promise.reject(new RangeError(`close(${code}, ${JSON.stringify(reason)}) refused: ${describeError(err)}`, { cause: err }));
      }
      this.closeRequested = true;
      (this.ending ??= new Ending()).sentCode = code;
    }
    return closed;
  }

  /** Drops the connection at once, without a closing handshake (close code 1006). */
  terminate(): void {
    this.closeRequested = true;
    this.link.terminate();
  }

  /**
   * Sends a ping; the peer's answer fires the `pong` event. A WebSocket ping in Node; in a browser
   * talking to a corows server, the corows heartbeat message. Returns `false` where that is not
   * possible: the connection is not open, or a browser talks to a server that is not corows.
   */
  ping(): boolean {
    if (this.hasFlag(MODE_MESSAGE)) return this.sendHeartbeat();
    return this.link.ping();
  }

  /** `for await (const msg of conn)` reads like repeated `receiveMessage()` and ends at close. */
  async *[Symbol.asyncIterator](): AsyncIterator<Message, void, undefined> {
    for (;;) {
      const msg = await this.receiveMessage();
      if (msg === null) return;
      yield msg;
    }
  }

  /**
   * Wraps `socket` as this connection's link, in place of the previous one, whose later events are
   * ignored from now on. The inbox stays: messages not yet delivered are delivered first.
   */
  protected attachSocket(socket: WebSocketLike, transport?: NodeTransport): void {
    (this.link as Link | undefined)?.detach(this.inbox);
    if (this.ending !== undefined) this.ending.protocolCode = undefined; // the old link's
    this.link = openLink(socket, this.inbox, transport);
    this.setFlag(PONGS_WATCHED, false);
    if (this.listenerCount('pong') > 0) this.watchPongs();
    if (this.link.readyState === OPEN) this.linkUp(false);
  }

  // Pongs are listened for on the socket only while someone needs them (see `Link.watchPongs`): a
  // `pong` listener on the connection, or a heartbeat that counts on them.
  override on<T extends EventEmitter.EventNames<WebSocketConnEvents>>(event: T, fn: EventEmitter.EventListener<WebSocketConnEvents, T>, context?: unknown): this {
    if (event === 'pong') this.watchPongs();
    return super.on(event, fn, context);
  }

  override addListener<T extends EventEmitter.EventNames<WebSocketConnEvents>>(event: T, fn: EventEmitter.EventListener<WebSocketConnEvents, T>, context?: unknown): this {
    if (event === 'pong') this.watchPongs();
    return super.addListener(event, fn, context);
  }

  override once<T extends EventEmitter.EventNames<WebSocketConnEvents>>(event: T, fn: EventEmitter.EventListener<WebSocketConnEvents, T>, context?: unknown): this {
    if (event === 'pong') this.watchPongs();
    return super.once(event, fn, context);
  }

  /** Stops listening to the current link and drops its socket; its close is not reported. */
  protected detachLink(): void {
    this.stopHeartbeat();
    this.link.detach(this.inbox);
    this.link.terminate();
  }

  /** The current link opened (after the constructor): by default, tells the `open` listeners. */
  protected linkOpened(): void {
    this.emit('open');
  }

  /**
   * The current link closed (or was declared dead): by default, the connection is closed for good.
   * A reconnecting connection opens a new link instead.
   */
  protected linkClosed(code: number, reason: string): void {
    this.finish(code, reason);
  }

  /** Closes the connection for good: no more messages arrive; `close` fires once. */
  protected finish(code: number, reason: string): void {
    if (this.isFinished) return;
    this.setFlag(FINISHED, true);
    leaveGroup(this.inbox);
    const ending = (this.ending ??= new Ending());
    ending.code = code;
    ending.reason = reason;
    this.inbox.end();
    this.emit('close', code, reason);
    ending.resolveClosed?.();
  }

  /** Whether the connection has closed for good. */
  protected get isFinished(): boolean {
    return this.hasFlag(FINISHED);
  }

  /** `close()` or `terminate()` was called: the connection is ending for good. */
  protected get closeRequested(): boolean {
    return this.hasFlag(CLOSE_REQUESTED);
  }

  protected set closeRequested(requested: boolean) {
    this.setFlag(CLOSE_REQUESTED, requested);
  }

  /** The close code this end sent with `close()`, if it started the closing handshake. */
  protected get sentCloseCode(): number | undefined {
    return this.ending?.sentCode;
  }

  private watchPongs(): void {
    if (this.hasFlag(PONGS_WATCHED)) return;
    this.setFlag(PONGS_WATCHED, true);
    this.link.watchPongs();
  }

  private hasFlag(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  private setFlag(flag: number, on: boolean): void {
    this.flags = on ? this.flags | flag : this.flags & ~flag;
  }

  private linkUp(announce: boolean): void {
    this.setFlag(HEARTBEAT_AGREED, readSelectedProtocol(this.link.protocol).heartbeat);
    if (this.hasFlag(READING_PAUSED)) this.link.pause();
    this.startHeartbeat();
    if (announce) this.linkOpened();
  }

  private startHeartbeat(): void {
    this.setFlag(MODE_PROTOCOL | MODE_MESSAGE, false);
    const inGroup = this.inbox.ringNext !== undefined; // keepAlive is on
    if (inGroup && isNodeWebSocket(this.link.socket)) this.setFlag(MODE_PROTOCOL, true);
    else if (inGroup && this.hasFlag(HEARTBEAT_AGREED)) this.setFlag(MODE_MESSAGE, true);
    else return this.stopHeartbeat();
    startBeats(this.inbox, this.hasFlag(READING_PAUSED));
  }

  private stopHeartbeat(): void {
    stopBeats(this.inbox);
  }

  private pauseReading(pause: boolean): void {
    this.setFlag(READING_PAUSED, pause);
    if (pause) this.link.pause();
    else this.link.resume();
    suspendBeats(this.inbox, pause);
  }

  private arrived(msg: Message): void {
    if (this.hasFlag(HEARTBEAT_AGREED) && isHeartbeatMessage(msg)) {
      if (this.hasFlag(MODE_MESSAGE)) this.emit('pong');
      else this.sendHeartbeat();
      return;
    }
    this.emit('message', msg);
    this.inbox.deliver(msg);
  }

  private sendHeartbeat(): boolean {
    if (this.link.readyState !== OPEN || this.admitSend(EMPTY_FRAME) !== undefined) return false;
    try {
      this.link.send(EMPTY_FRAME, () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Called with each message the current link delivers, before anything else sees it; `false` drops
   * it. The server's connections count traffic and apply their rate limit here. By default every
   * message goes on.
   * @param bytes the payload's size in bytes, where the socket tells it (Node)
   */
  protected admitMessage(bytes: number | undefined): boolean {
    return true;
  }

  /**
   * Called before each frame is written on the open link (messages, and answers to heartbeats); an
   * `Error` refuses the frame and is what the send resolves. The server's connections apply their
   * backpressure limit and count traffic here. By default every frame goes.
   */
  protected admitSend(data: string | ArrayBuffer | ArrayBufferView): Error | undefined {
    return undefined;
  }

  /**
   * Writes now what this tick's sends hold back to write together (Node): for a backpressure check,
   * which must count only what the network has not taken.
   */
  protected flushWrites(): void {
    this.link.flush();
  }

  /** Writes one frame on the current link; resolves `null` once written, or the `Error`. */
  protected write(data: string | ArrayBuffer | ArrayBufferView, action: string): Promise<Error | null> {
    if (this.link.readyState !== OPEN) {
      return Promise.resolve(new ConnectionClosedError(action, this.state, this.closeCode));
    }
    const refused = this.admitSend(data);
    if (refused !== undefined) return Promise.resolve(refused);
    return sendResult(
      new Promise((resolve) => {
        try {
          this.link.send(data, (err) => resolve(err === undefined || err === null ? null : this.sendFailure(action, err)));
        } catch (err) {
          resolve(this.sendFailure(action, err));
        }
      }),
    );
  }

  private sendFailure(action: string, err: unknown): Error {
    if (err instanceof CorowsError) return err; // already says what happened (e.g. a server's backpressure limit)
    if (this.link.readyState !== OPEN) return new ConnectionClosedError(action, this.state, this.closeCode);
    return new CorowsError(`${action} failed: ${describeError(err)}`, { code: 'ERR_SEND', cause: err });
  }

  private whenClosed(): Promise<void> {
    const ending = (this.ending ??= new Ending());
    ending.closed ??= new Promise((resolve) => {
      ending.resolveClosed = resolve;
    });
    return ending.closed;
  }

  /** Emits `error`; an unheard handler failure goes to `console.error` rather than vanish. */
  protected reportError(err: Error, fromHandler: boolean): void {
    if (fromHandler) this.reportUnexpected(err);
    else if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/** Returns `maxQueue` or its default; throws a `RangeError` if it is not a whole number ≥ 1. */
export function checkMaxQueue(maxQueue: number | undefined): number {
  if (maxQueue === undefined) return DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) {
    throw new RangeError(`maxQueue must be a whole number of messages, at least 1, got ${describeValue(maxQueue)}`);
  }
  return maxQueue;
}

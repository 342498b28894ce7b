import { EventEmitter } from 'eventemitter3';
import { ConnectionClosedError, CorowsError } from './errors.js';
import { Inbox } from './inbox.js';
import { CLOSED, OPEN, openLink, type Link, type WebSocketLike } from './socket.js';
import type { ConnState, Message, MessageHandler, ReceiveOptions, WebSocketConnEvents } from './types.js';

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
   * How many unconsumed messages the inbox holds before it stops reading from the socket (Node);
   * reading resumes when it has drained to half. Browsers cannot pause a WebSocket, so there the
   * inbox keeps growing past this mark.
   * @default 1024
   */
  maxQueue?: number;
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
 * @example
 * ```ts
 * const conn = await connectToWebsocket('ws://127.0.0.1:1042');
 * conn.whenNewMsg((msg) => console.log('not intercepted:', msg));
 * await conn.sendMessage('client hello');
 * console.log('first message:', await conn.receiveMessage());
 * ```
 */
export class WebSocketConn extends EventEmitter<WebSocketConnEvents> {
  /** Client side: the address dialled. Server side: the upgrade request's path and query. */
  readonly url: string;
  /** Client side: the headers sent. Server side: the upgrade request's headers, with lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, where known (server side). */
  readonly remoteAddress: string | undefined;

  protected link: Link;
  private readonly inbox: Inbox;
  private code: number | undefined;
  private reason: string | undefined;
  private closeRequested = false;
  private closedPromise: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;

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
    const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    if (!Number.isInteger(maxQueue) || maxQueue < 1) {
      throw new RangeError(`maxQueue must be a whole number of messages, at least 1, got ${String(maxQueue)}`);
    }
    this.inbox = new Inbox(maxQueue, {
      pause: () => this.link.pause(),
      resume: () => this.link.resume(),
      handlerFailed: (err) => this.reportError(new CorowsError(`whenNewMsg handler failed: ${describeError(err)}`, { code: 'ERR_HANDLER', cause: err }), true),
    });
    this.link = openLink(socket, {
      onOpen: () => this.emit('open'),
      onMessage: (msg) => {
        this.emit('message', msg);
        this.inbox.deliver(msg);
      },
      onClose: (code, reason) => this.onClosed(code, reason),
      onError: (err) => this.reportError(err, false),
      onPong: () => this.emit('pong'),
    });
  }

  /** `'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED'`, as LuatOS `state()`. */
  get state(): ConnState {
    return STATES[this.link.readyState] ?? 'CLOSED';
  }

  /** `true` while the connection is open (LuatOS `online()`). */
  get online(): boolean {
    return this.link.readyState === OPEN;
  }

  /** The close code, once closed (1006 if the connection dropped without a close frame). */
  get closeCode(): number | undefined {
    return this.code;
  }

  /** The close reason, once closed. */
  get closeReason(): string | undefined {
    return this.reason;
  }

  /** The subprotocol the server selected (`''` if none). */
  get protocol(): string {
    return this.link.protocol;
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

  /** Sends one binary frame. Resolves like {@link WebSocketConn.sendMessage}; never rejects. */
  sendBinary(data: Uint8Array | ArrayBuffer): Promise<Error | null> {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      return Promise.resolve(new TypeError(`sendBinary() takes a Uint8Array or an ArrayBuffer, got ${typeName(data)}`));
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
    if (this.link.readyState === CLOSED) return Promise.resolve();
    const closed = this.whenClosed();
    if (!this.closeRequested) {
      try {
        this.link.close(code, reason);
      } catch (err) {
        return Promise.reject(new RangeError(`close(${code}, ${JSON.stringify(reason)}) refused: ${describeError(err)}`, { cause: err }));
      }
      this.closeRequested = true;
    }
    return closed;
  }

  /** Drops the connection at once, without a closing handshake (close code 1006). */
  terminate(): void {
    this.link.terminate();
  }

  /**
   * Sends a protocol ping; the peer's answer fires the `pong` event. Returns `false` where that is not
   * possible: the connection is not open, or this is a browser (browsers cannot send pings).
   */
  ping(): boolean {
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

  private write(data: string | ArrayBuffer | ArrayBufferView, action: string): Promise<Error | null> {
    if (this.link.readyState !== OPEN) {
      return Promise.resolve(new ConnectionClosedError(action, this.state, this.code));
    }
    return new Promise((resolve) => {
      try {
        this.link.send(data, (err) => resolve(err === undefined || err === null ? null : this.sendFailure(action, err)));
      } catch (err) {
        resolve(this.sendFailure(action, err));
      }
    });
  }

  private sendFailure(action: string, err: unknown): Error {
    if (err instanceof CorowsError) return err; // already says what happened (e.g. a server's backpressure limit)
    if (this.link.readyState !== OPEN) return new ConnectionClosedError(action, this.state, this.code);
    return new CorowsError(`${action} failed: ${describeError(err)}`, { code: 'ERR_SEND', cause: err });
  }

  private whenClosed(): Promise<void> {
    this.closedPromise ??= new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    return this.closedPromise;
  }

  private onClosed(code: number, reason: string): void {
    this.code = code;
    this.reason = reason;
    this.inbox.end();
    this.emit('close', code, reason);
    this.resolveClosed?.();
  }

  /** Emits `error`; an unheard handler failure goes to `console.error` rather than vanish. */
  protected reportError(err: Error, fromHandler: boolean): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else if (fromHandler) console.error('corows:', err);
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

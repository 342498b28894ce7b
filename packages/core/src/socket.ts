import { Fifo } from './fifo.js';
import type { Message } from './types.js';

/** `readyState` values, the same in every WebSocket implementation. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** A Node `Buffer`, as `ws` delivers it: a `Uint8Array` whose `toString()` decodes UTF-8. */
interface NodeBufferLike extends Uint8Array {
  toString(encoding?: 'utf8'): string;
}

/**
 * The part of a WHATWG `WebSocket` (browsers, Deno, Bun, undici, and `ws` too) that corows uses.
 * Any object of this shape can be wrapped in a {@link WebSocketConn}.
 */
export interface DomWebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => unknown) | null;
  onmessage: ((ev: { data: unknown }) => unknown) | null;
  onclose: ((ev: { code: number; reason: string }) => unknown) | null;
  onerror: ((ev: unknown) => unknown) | null;
}

/**
 * The part of Node's `ws` WebSocket that corows uses: Node-style events (no event object per message),
 * a write callback, flow control (`pause`/`resume`), protocol pings and `terminate`. As Node's
 * `EventEmitter` does, `on` must call each listener with `this` set to the socket. As Node's streams
 * do, `send` must call `cb` once per call, never synchronously, in the order of the calls.
 */
export interface NodeWebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  binaryType: string;
  on(event: 'message', listener: (data: NodeBufferLike, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: NodeBufferLike) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'open' | 'pong', listener: () => void): unknown;
  on(event: 'unexpected-response', listener: (request: unknown, response: { statusCode?: number; statusMessage?: string }) => void): unknown;
  send(data: string | ArrayBuffer | ArrayBufferView, cb: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  pause(): void;
  resume(): void;
  terminate(): void;
}

/** Either kind of socket: corows picks the richer Node interface when the object has it. */
export type WebSocketLike = DomWebSocketLike | NodeWebSocketLike;

/**
 * A WebSocket class, as the `webSocketImpl` option takes it: `new Impl(url, protocols, options?)`.
 * Node's `ws` takes `options` (headers, TLS); a WHATWG `WebSocket` (browsers, undici) is given none.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

/** Where a {@link Link} reports what happens on its socket. */
export interface LinkListener {
  onOpen(): void;
  /** `bytes`: the payload's size in bytes, where the socket tells it cheaply (Node's `ws`). */
  onMessage(msg: Message, bytes: number | undefined): void;
  onClose(code: number, reason: string): void;
  /**
   * `protocolCode`: the close code `ws` sent because the peer broke the protocol, when that is the
   * error (it then reports the close as 1006, never having read the peer's answer).
   */
  onError(err: Error, protocolCode: number | undefined): void;
  onPong(): void;
}

/** One socket behind one interface, whichever implementation it is. */
export interface Link {
  readonly socket: WebSocketLike;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  /** Writes one frame; `done` gets an error if it could not be written. */
  send(data: string | ArrayBuffer | ArrayBufferView, done: (err?: Error) => void): void;
  /** Starts the closing handshake. Throws if the code or reason is invalid. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake (a plain close where not supported). */
  terminate(): void;
  /** Stops reading from the socket (no-op where the implementation cannot). */
  pause(): void;
  /** Reads from the socket again. */
  resume(): void;
  /** Sends a protocol ping; `false` where the implementation cannot, or the socket is not open. */
  ping(): boolean;
  /**
   * Reports pongs to the listener from now on; call it once per link. Pongs are listened for only
   * when something needs them: on `ws`, a fourth event doubles each socket's listener table (96 B).
   */
  watchPongs(): void;
  /** Stops reporting to `listener` (the one given when it was opened): whatever the socket does from now on is ignored. */
  detach(listener: LinkListener): void;
}

/** Whether `socket` is Node's `ws` (or shaped like it). */
export function isNodeWebSocket(socket: WebSocketLike): socket is NodeWebSocketLike {
  return typeof (socket as Partial<NodeWebSocketLike>).on === 'function' &&
    typeof (socket as Partial<NodeWebSocketLike>).pause === 'function';
}

/**
 * The close code `ws` sends when the peer breaks the protocol (its error codes are `WS_ERR_*`), per
 * RFC 6455. `ws` then stops reading, so it never sees the peer's answer and reports 1006; corows
 * reports what was sent.
 */
function protocolCloseCode(err: Error): number | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return undefined;
  if (code === 'WS_ERR_INVALID_UTF8') return 1007;
  if (code.startsWith('WS_ERR_UNSUPPORTED_') && code.endsWith('_LENGTH')) return 1009;
  if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') return 1008;
  return 1002;
}

/** A {@link Link} on Node's `ws` (or a socket shaped like it). */
export function nodeLink(socket: NodeWebSocketLike, listener: LinkListener): Link {
  return new NodeLink(socket, listener);
}

/** A {@link Link} on a WHATWG `WebSocket`. */
export function domLink(socket: DomWebSocketLike, listener: LinkListener): Link {
  return new DomLink(socket, listener);
}

/** Where the listeners below find a `ws` socket's link. */
const LINK = Symbol('corows.link');

/**
 * A `ws` socket serving a {@link NodeLink}: where its events go; `null` once detached (its listeners
 * stay installed, reporting to nobody), `undefined` if never wrapped.
 */
interface LinkedSocket extends NodeWebSocketLike {
  [LINK]?: LinkListener | null;
}

// The socket listeners are plain functions, shared by every socket: the socket (`this`, as Node's
// EventEmitter calls them) holds its link. A closure per listener and socket would cost about 0.3 KB
// per connection, which counts on a server holding 10,000s of them (heap snapshots).
function onSocketOpen(this: LinkedSocket): void {
  this[LINK]?.onOpen();
}

function onSocketMessage(this: LinkedSocket, data: NodeBufferLike, isBinary: boolean): void {
  this[LINK]?.onMessage(isBinary ? data : data.toString(), data.length);
}

function onSocketClose(this: LinkedSocket, code: number, reason: NodeBufferLike): void {
  this[LINK]?.onClose(code, reason.toString());
}

function onSocketError(this: LinkedSocket, err: Error): void {
  this[LINK]?.onError(err, protocolCloseCode(err));
}

function onSocketPong(this: LinkedSocket): void {
  this[LINK]?.onPong();
}

/** What every link reads from, or passes straight to, its socket. */
abstract class SocketLink<Socket extends DomWebSocketLike | NodeWebSocketLike> {
  constructor(readonly socket: Socket) {}

  get readyState(): number {
    return this.socket.readyState;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}

// Classes rather than object literals with getters and arrow functions: one link lives as long as its
// connection, and the literal cost about 1.4 KB more per connection (heap snapshots, 2,000 connections).
class NodeLink extends SocketLink<LinkedSocket> implements Link {
  /** Made on the first send: a connection that never sends does not pay for it. */
  private writes: WriteQueue | undefined;

  /**
   * A socket serves one link: wrapping it again hands its events to the new link. The socket holds
   * the listener (see the listeners above), so the link does not.
   */
  constructor(socket: LinkedSocket, listener: LinkListener) {
    super(socket);
    socket.binaryType = 'nodebuffer';
    const linkedBefore = socket[LINK] !== undefined;
    socket[LINK] = listener;
    if (linkedBefore) return;
    if (socket.readyState === CONNECTING) socket.on('open', onSocketOpen);
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
  }

  send(data: string | ArrayBuffer | ArrayBufferView, done: (err?: Error) => void): void {
    const writes = (this.writes ??= new WriteQueue());
    this.socket.send(data, writes.written);
    writes.push(done);
  }

  terminate(): void {
    this.socket.terminate();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  ping(): boolean {
    if (this.socket.readyState !== OPEN) return false;
    this.socket.ping();
    return true;
  }

  watchPongs(): void {
    this.socket.on('pong', onSocketPong);
  }

  detach(listener: LinkListener): void {
    if (this.socket[LINK] === listener) this.socket[LINK] = null;
  }
}

/**
 * The callbacks of one socket's writes in flight, called through one shared callback. Node's streams
 * complete writes in order, and when consecutive writes pass the same callback they schedule one
 * `process.nextTick` for all of them; a callback per write costs a tick and an object each, which
 * measured about 8% of a 64-byte echo's throughput.
 */
class WriteQueue extends Fifo<(err?: Error) => void> {
  readonly written = (err?: Error | null): void => {
    this.shift()?.(err ?? undefined);
  };
}

class DomLink extends SocketLink<DomWebSocketLike> implements Link {
  constructor(socket: DomWebSocketLike, listener: LinkListener) {
    super(socket);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => listener.onOpen();
    socket.onmessage = (ev) =>
      listener.onMessage(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data as ArrayBuffer), undefined);
    socket.onclose = (ev) => listener.onClose(ev.code, ev.reason);
    socket.onerror = () => listener.onError(new Error('the WebSocket reported an error (browsers give no detail)'), undefined);
  }

  send(data: string | ArrayBuffer | ArrayBufferView, done: (err?: Error) => void): void {
    this.socket.send(data);
    done();
  }

  terminate(): void {
    this.socket.close();
  }

  pause(): void {}

  resume(): void {}

  ping(): boolean {
    return false;
  }

  watchPongs(): void {}

  detach(): void {
    this.socket.onopen = null;
    this.socket.onmessage = null;
    this.socket.onclose = null;
    this.socket.onerror = null;
  }
}

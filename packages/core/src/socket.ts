import type { Message } from './types.js';

/** `readyState` values, the same in every WebSocket implementation. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** A Node `Buffer`, as `ws` delivers it: a `Uint8Array` whose `toString()` decodes UTF-8. */
export interface NodeBufferLike extends Uint8Array {
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
  on(event: 'upgrade', listener: (response: { socket: NodeTransport | null }) => void): unknown;
  send(data: string | ArrayBuffer | ArrayBufferView, cb: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  pause(): void;
  resume(): void;
  terminate(): void;
}

/**
 * The TCP (or TLS) socket under a `ws` socket: Node's `net.Socket`. Where corows knows it, it writes
 * each event-loop turn's messages to it together (`cork`), and its heartbeat counts the bytes it read.
 */
export interface NodeTransport {
  /** Bytes read from the peer so far. */
  readonly bytesRead: number;
  readonly writableCorked: number;
  /** Bytes waiting to be written. */
  readonly writableLength: number;
  cork(): void;
  uncork(): void;
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
  /** Bytes read from the peer so far, where this link can count them (Node, once the handshake is done). */
  readonly bytesRead: number | undefined;
  /** Writes one frame; `done` gets an error if it could not be written. */
  send(data: string | ArrayBuffer | ArrayBufferView, done: (err?: Error) => void): void;
  /** Starts the closing handshake. Throws if the code or reason is invalid. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake (a plain close where not supported). */
  terminate(): void;
  /** Writes now what this tick's sends hold back to write together (Node); no-op elsewhere. */
  flush(): void;
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

/** A {@link Link} on a WHATWG `WebSocket`. */
export function domLink(socket: DomWebSocketLike, listener: LinkListener): Link {
  return new DomLink(socket, listener);
}

/** What every link reads from, or passes straight to, its socket. */
export abstract class SocketLink<Socket extends DomWebSocketLike | NodeWebSocketLike> {
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

// A class rather than an object literal with getters and arrow functions (see NodeLink).
class DomLink extends SocketLink<DomWebSocketLike> implements Link {
  readonly bytesRead = undefined;

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

  flush(): void {}

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

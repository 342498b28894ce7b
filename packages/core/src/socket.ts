
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
  on(event: 'upgrade', listener: (response: { socket: NodeTransport | null; headers: Record<string, string | string[] | undefined> }) => void): unknown;
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

/** Whether `socket` is Node's `ws` (or shaped like it). */
export function isNodeWebSocket(socket: WebSocketLike): socket is NodeWebSocketLike {
  return typeof (socket as Partial<NodeWebSocketLike>).on === 'function' &&
    typeof (socket as Partial<NodeWebSocketLike>).pause === 'function';
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

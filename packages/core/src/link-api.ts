import type { OutgoingData } from './outbox.js';
import type { WebSocketLike } from './socket.js';
import type { Message } from './types.js';

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

/**
 * One socket behind one interface, whichever implementation it is: the only part of corows that
 * knows `ws` or the WHATWG `WebSocket`. The optional members are **capabilities**: present only where
 * the socket has them (Node's `ws` has them all, a browser's `WebSocket` none), so that the parts
 * above ask once what a link can do instead of calling no-ops.
 */
export interface Link {
  readonly socket: WebSocketLike;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  /**
   * Writes one frame; `done` gets an error if it could not be written. `more`: other sends are likely
   * to follow this tick (a receive loop has messages waiting to be answered), a hint for batching.
   */
  send(data: OutgoingData, done: (err?: Error) => void, more?: boolean): void;
  /**
   * Runs `write(socket, arg)`, which writes on the socket itself (a server's pre-framed broadcast),
   * batched and ordered with this tick's sends as `send` is (Node); elsewhere it just runs.
   */
  sendWith<T>(write: (socket: WebSocketLike, arg: T) => void, arg: T): void;
  /** Starts the closing handshake. Throws if the code or reason is invalid. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake (a plain close where not supported). */
  terminate(): void;
  /** Stops reporting to `listener` (the one given when it was opened): whatever the socket does from now on is ignored. */
  detach(listener: LinkListener): void;

  /** Flow control: stops reading from the socket (Node; a browser cannot). */
  pause?(): void;
  /** Flow control: reads from the socket again. */
  resume?(): void;
  /** Sends a protocol ping; `false` if the socket is not open (Node; a browser cannot). */
  ping?(): boolean;
  /**
   * Reports pongs to the listener from now on; call it once per link. Pongs are listened for only
   * when something needs them: on `ws`, a fourth event doubles each socket's listener table.
   */
  watchPongs?(): void;
  /** Writes now what this tick's sends hold back to write together (Node, where the TCP socket is known). */
  flush?(): void;
  /** Bytes read from the peer so far, where the link can count them (Node, with the TCP socket known). */
  readonly bytesRead?: number | undefined;
}

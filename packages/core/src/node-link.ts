import type { Link, LinkListener } from './link-api.js';
import {
  CONNECTING,
  OPEN,
  SocketLink,
  type NodeBufferLike,
  type NodeTransport,
  type NodeWebSocketLike,
  type WebSocketLike,
} from './socket.js';
import { firstSendOfTick, holdUntilTickEnd, WriteQueue } from './write-batch.js';
import { explainOversize, moreFramesBuffered } from './ws-internals.js';

// Node only: imported by `#link` in Node (link.ts), never by the browser build.

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

/**
 * `candidate` if corows can batch writes on it and count what it reads, else `undefined` (no batching;
 * the heartbeat listens for pongs instead). A socket that has read nothing did not carry the handshake,
 * so it does not carry the frames either: Bun's `ws` gives its clients no socket at all, and its server
 * reads frames elsewhere than from the upgrade request's socket.
 */
function usableTransport(candidate: NodeTransport | null | undefined): NodeTransport | undefined {
  if (candidate === null || candidate === undefined) return undefined;
  const streamLike = typeof candidate.cork === 'function' && typeof candidate.uncork === 'function' &&
    typeof candidate.writableCorked === 'number' && typeof candidate.writableLength === 'number';
  return streamLike && candidate.bytesRead > 0 ? candidate : undefined;
}

/** A {@link Link} on Node's `ws` (or a socket shaped like it). */
export function nodeLink(socket: NodeWebSocketLike, listener: LinkListener, transport?: NodeTransport): Link {
  return new NodeLink(socket, listener, transport);
}

/** Where the listeners below find whom a `ws` socket reports to. */
const LINK = Symbol('corows.link');

/**
 * A `ws` socket serving a {@link NodeLink}: where its events go; `null` once detached (its listeners
 * stay installed, reporting to nobody), `undefined` if never wrapped.
 */
interface LinkedSocket extends NodeWebSocketLike {
  [LINK]?: LinkListener | null;
}

// The socket listeners are plain functions, shared by every socket: the socket (`this`, as Node's
// EventEmitter calls them) holds its listener: no closure per listener and socket, which counts on a
// server holding 10,000s of them (docs/benchmarks.md).
function onSocketOpen(this: LinkedSocket): void {
  explainOversize(this);
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

// Classes rather than object literals with getters and arrow functions: one link lives as long as its
// connection, and a literal with closures costs much more memory (docs/benchmarks.md).
class NodeLink extends SocketLink<LinkedSocket> implements Link {
  /** Made on the first send: a connection that never sends does not pay for it. */
  private writes: WriteQueue | undefined;
  /** The TCP socket under `socket`: given (a server's connection), or learnt from the handshake (a client's). */
  private transport: NodeTransport | undefined;

  /**
   * A socket serves one link: wrapping it again hands its events to the new link. The socket holds
   * the listener (see the listeners above), so the link does not.
   */
  constructor(socket: LinkedSocket, listener: LinkListener, transport: NodeTransport | undefined) {
    super(socket);
    socket.binaryType = 'nodebuffer';
    this.transport = usableTransport(transport);
    if (transport === undefined && socket.readyState === CONNECTING) {
      socket.on('upgrade', (response) => {
        this.transport = usableTransport(response.socket);
      });
    }
    const linkedBefore = socket[LINK] !== undefined;
    socket[LINK] = listener;
    if (linkedBefore) return;
    if (socket.readyState === CONNECTING) socket.on('open', onSocketOpen);
    else explainOversize(socket);
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
  }

  get bytesRead(): number | undefined {
    return this.transport?.bytesRead;
  }

  send(data: string | ArrayBuffer | ArrayBufferView, done: (err?: Error) => void, more = false): void {
    const writes = (this.writes ??= new WriteQueue());
    // Held to the tick's end if more sends are likely to follow this tick (see write-batch.ts): the
    // caller says so, or frames are waiting to be read, or a send was made before in this tick.
    if (this.transport !== undefined && this.transport.writableCorked === 0 && (more || moreFramesBuffered(this.socket) || !firstSendOfTick())) {
      holdUntilTickEnd(this.transport);
    }
    this.socket.send(data, writes.written);
    writes.push(done);
    this.writeIfHoldingTooMuch();
  }

  sendWith<T>(write: (socket: WebSocketLike, arg: T) => void, arg: T): void {
    this.holdUntilTickEnd();
    write(this.socket, arg);
    this.writeIfHoldingTooMuch();
  }

  terminate(): void {
    this.flush(); // what this tick held back goes to the kernel first, as it would have without batching
    this.socket.terminate();
  }

  flush(): void {
    if (this.transport !== undefined && this.transport.writableCorked > 0) this.transport.uncork();
  }

  /** Corks the TCP socket, if it is not yet, until the end of this tick (see write-batch.ts). */
  private holdUntilTickEnd(): void {
    if (this.transport !== undefined) holdUntilTickEnd(this.transport);
  }

  private writeIfHoldingTooMuch(): void {
    if (this.transport !== undefined && this.transport.writableLength >= FLUSH_BYTES) this.transport.uncork();
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
 * Corked bytes past which a send writes at once rather than at the end of the tick, so that a burst
 * holds back at most about this much. (A backpressure limit calls `flush()` before it judges.)
 */
const FLUSH_BYTES = 64 * 1024;

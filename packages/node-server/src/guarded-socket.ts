import { CloseCode, type NodeWebSocketLike } from '@corows/core';
import type { WebSocket } from 'ws';
import { BackpressureError, RateLimitError } from './errors.js';
import type { MetricsRecorder } from './metrics.js';
import type { BackpressurePolicy } from './options.js';
import { writePrepared, type PreparedMessage } from './prepared-message.js';
import { rateLimitReason, TokenBucket, type RateLimit } from './rate-limit.js';

/** The per-connection limits a {@link GuardedSocket} enforces. */
export interface SocketLimits {
  rateLimit: RateLimit | undefined;
  maxBackpressure: number;
  backpressurePolicy: BackpressurePolicy;
}

const OPEN = 1;

/**
 * A server-side `ws` socket as its `WebSocketConn` sees it, with the server's limits in the way: it
 * counts traffic, closes a client over its rate limit with 1008 before the offending message reaches
 * the inbox, and applies the backpressure policy to every write (sends and broadcasts).
 */
export class GuardedSocket implements NodeWebSocketLike {
  /** Told of a rate-limit or backpressure violation (the connection reports it as an `error` event). */
  onViolation: ((err: Error) => void) | undefined;
  private readonly bucket: TokenBucket | undefined;
  private overRate = false;
  /** The close code this end sent (its own `close()`, or `ws` on a protocol error), if any. */
  private sentCode: number | undefined;

  constructor(
    readonly ws: WebSocket,
    private readonly limits: SocketLimits,
    private readonly metrics: MetricsRecorder,
  ) {
    this.bucket = limits.rateLimit === undefined ? undefined : new TokenBucket(limits.rateLimit);
    ws.on('error', (err: Error & { code?: string }) => {
      this.sentCode ??= closeCodeOfWsError(err.code);
    });
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  get binaryType(): string {
    return this.ws.binaryType;
  }

  set binaryType(type: string) {
    this.ws.binaryType = type as WebSocket['binaryType'];
  }

  on(event: string, listener: (...args: never[]) => void): this {
    const forward = listener as (...args: unknown[]) => void;
    if (event === 'message') {
      this.ws.on('message', (data: Buffer, isBinary: boolean) => {
        this.metrics.received(data.length);
        if (this.admitInbound()) forward(data, isBinary);
      });
    } else if (event === 'close') {
      // A peer that never answers our close frame would make this 1006; report what was sent instead.
      this.ws.on('close', (code: number, reason: Buffer) => forward(code === 1006 ? (this.sentCode ?? code) : code, reason));
    } else {
      this.ws.on(event, forward);
    }
    return this;
  }

  send(data: string | ArrayBuffer | ArrayBufferView, cb: (err?: Error) => void): void {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    const buffered = this.ws.bufferedAmount;
    if (!this.admitOutbound(size)) {
      cb(new BackpressureError(buffered, this.limits.maxBackpressure, this.limits.backpressurePolicy === 'close'));
      return;
    }
    this.metrics.sent(size);
    this.ws.send(data, cb);
  }

  /** Writes a broadcast message; `false` if the socket is not open or the backpressure policy refused it. */
  sendPrepared(message: PreparedMessage): boolean {
    if (this.ws.readyState !== OPEN || !this.admitOutbound(message.payload.length)) return false;
    this.metrics.sent(message.payload.length);
    writePrepared(this.ws, message);
    return true;
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
    this.sentCode ??= code;
  }

  ping(): void {
    this.ws.ping();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  terminate(): void {
    this.ws.terminate();
  }

  private admitInbound(): boolean {
    if (this.overRate) return false;
    if (this.bucket === undefined || this.bucket.take()) return true;
    this.overRate = true;
    this.metrics.rateLimited++;
    const reason = rateLimitReason(this.limits.rateLimit as RateLimit);
    this.close(CloseCode.PolicyViolation, reason);
    this.onViolation?.(new RateLimitError(`the client broke the ${reason}; closed with 1008`));
    return false;
  }

  /** Whether `size` more bytes may be queued; applies the policy when not. */
  private admitOutbound(size: number): boolean {
    const buffered = this.ws.bufferedAmount;
    if (buffered === 0 || buffered + size <= this.limits.maxBackpressure) return true;
    if (this.limits.backpressurePolicy === 'drop') {
      this.metrics.backpressureDropped++;
      return false;
    }
    if (this.ws.readyState === OPEN) {
      this.metrics.backpressureClosed++;
      this.ws.terminate();
      this.onViolation?.(new BackpressureError(buffered, this.limits.maxBackpressure, true));
    }
    return false;
  }
}

/** The close code `ws` sends for a receive error (its `WS_ERR_*` codes), per RFC 6455. */
function closeCodeOfWsError(code: string | undefined): number | undefined {
  if (code === undefined || !code.startsWith('WS_ERR_')) return undefined;
  if (code === 'WS_ERR_INVALID_UTF8') return CloseCode.InvalidPayload;
  if (code.startsWith('WS_ERR_UNSUPPORTED_') && code.endsWith('_LENGTH')) return CloseCode.MessageTooBig;
  if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') return CloseCode.PolicyViolation;
  return CloseCode.ProtocolError;
}

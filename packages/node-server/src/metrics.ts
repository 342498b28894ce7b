/**
 * Why an upgrade request was refused:
 * - `origin`: its `Origin` is not in `allowedOrigins` (403);
 * - `verify`: the `verify` hook refused it (its status, 401 for `false`);
 * - `verifyError`: the `verify` hook threw or rejected (500; the error goes to the server's `error` event);
 * - `maxConnections`: the server was full (503);
 * - `closing`: the server was shutting down (503);
 * - `protocol`: none of the offered subprotocols is in `protocols` (400);
 * - `handshakeTimeout`: the upgrade was not decided within `handshakeTimeout` (408); a client that
 *   never completes its request is dropped by Node's HTTP server, and is not counted here;
 * - `badHandshake`: not a valid WebSocket handshake (`ws` answered 400, 405 or 426).
 */
export type RefusalReason =
  | 'origin'
  | 'verify'
  | 'verifyError'
  | 'maxConnections'
  | 'closing'
  | 'protocol'
  | 'handshakeTimeout'
  | 'badHandshake';

const REFUSAL_REASONS: readonly RefusalReason[] = [
  'origin',
  'verify',
  'verifyError',
  'maxConnections',
  'closing',
  'protocol',
  'handshakeTimeout',
  'badHandshake',
];

/**
 * A snapshot of a server's counters (`server.metrics`): plain numbers, ready for `JSON.stringify` or
 * for any metrics system. Counters only grow, except `connectionsOpen`. Bytes are payload bytes, without
 * WebSocket framing; a broadcast counts once per connection written to.
 */
export interface ServerMetrics {
  /** Connections open now (the size of `server.connections`). */
  connectionsOpen: number;
  /** Connections accepted since the server started. */
  connectionsAccepted: number;
  /** Upgrade requests refused, by reason; every reason is present, 0 if it never happened. */
  refused: Record<RefusalReason, number>;
  /** Messages received from clients (including those that broke the rate limit). */
  messagesIn: number;
  /** Payload bytes received from clients. */
  bytesIn: number;
  /** Messages written to clients. */
  messagesOut: number;
  /** Payload bytes written to clients. */
  bytesOut: number;
  /** Closed connections by close code (`'1000'`, `'1001'`, `'1006'`, …). */
  closes: Record<string, number>;
  /** Connections closed with 1008 for breaking `rateLimit`. */
  rateLimited: number;
  /** Messages dropped under the `'drop'` backpressure policy. */
  backpressureDropped: number;
  /** Connections cut off under the `'close'` backpressure policy. */
  backpressureClosed: number;
}

/** The live counters behind {@link ServerMetrics}. */
export class MetricsRecorder {
  connectionsOpen = 0;
  connectionsAccepted = 0;
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  rateLimited = 0;
  backpressureDropped = 0;
  backpressureClosed = 0;
  private readonly refusals = new Map<RefusalReason, number>();
  private readonly closeCodes = new Map<number, number>();

  refused(reason: RefusalReason): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  opened(): void {
    this.connectionsAccepted++;
    this.connectionsOpen++;
  }

  closed(code: number): void {
    this.connectionsOpen--;
    this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1);
  }

  received(bytes: number): void {
    this.messagesIn++;
    this.bytesIn += bytes;
  }

  sent(bytes: number): void {
    this.messagesOut++;
    this.bytesOut += bytes;
  }

  snapshot(): ServerMetrics {
    const refused = Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, this.refusals.get(reason) ?? 0]));
    const closes = Object.fromEntries([...this.closeCodes].sort(([a], [b]) => a - b).map(([code, n]) => [String(code), n]));
    return {
      connectionsOpen: this.connectionsOpen,
      connectionsAccepted: this.connectionsAccepted,
      refused: refused as Record<RefusalReason, number>,
      messagesIn: this.messagesIn,
      bytesIn: this.bytesIn,
      messagesOut: this.messagesOut,
      bytesOut: this.bytesOut,
      closes,
      rateLimited: this.rateLimited,
      backpressureDropped: this.backpressureDropped,
      backpressureClosed: this.backpressureClosed,
    };
  }
}

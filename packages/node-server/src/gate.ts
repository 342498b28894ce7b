import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerCorowsHeader, COROWS_PROTOCOL_HEADER, markCorowsAgreed, negotiateSubprotocol } from '@corows/core/server';
import { WebSocketServer as WsServer, type ServerOptions as WsServerOptions, type WebSocket } from 'ws';
import type { MetricsRecorder, RefusalReason } from './metrics.js';
import type { ResolvedOptions, VerifyResult } from './options.js';
import { OriginPolicy } from './origin.js';
import { describeUpgrade, type UpgradeRequest } from './upgrade-request.js';

/** What the gate needs from its server. */
export interface GateHost<Data> {
  /** Whether `close()` has been called: refuse everything. */
  isClosing(): boolean;
  /** Connections open now. */
  openConnections(): number;
  /** A request passed the gate and `ws` completed the upgrade. */
  accept(ws: WebSocket, req: IncomingMessage, data: Data | undefined): void;
  /** A user hook failed. */
  report(err: unknown, context: string): void;
}

/** `ws`'s asynchronous `verifyClient` callback. */
type VerifyDone = (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void;

interface Admission<Data> {
  data: Data | undefined;
  protocol: string | false;
}

interface Decision<Data> {
  refuse?: { reason: RefusalReason; status: number; message: string; headers?: Record<string, string> };
  data?: Data;
}

const RETRY_AFTER_SECONDS = '5';

/**
 * The upgrade gate: decides who may connect. `ws` first checks that the request is a valid WebSocket
 * handshake; then, in its asynchronous `verifyClient` step, the gate refuses during shutdown (503), from
 * an origin not in `allowedOrigins` (403), past `maxConnections` (503), without a common subprotocol
 * (400), and asks the `verify` hook, all within `handshakeTimeout` (408). Refusals are HTTP answers with
 * a reason in the body, never a bare socket close, and each is counted by reason.
 */
export class UpgradeGate<Data> {
  private readonly wss: WsServer;
  private readonly origins: OriginPolicy;
  // Entries are deleted once read, not left to the garbage collector: V8 shrinks a weak table on
  // delete only, so a burst of 10,000 handshakes would leave two tables sized for 10,000.
  private readonly admissions = new WeakMap<IncomingMessage, Admission<Data>>();
  private readonly reachedVerify = new WeakSet<IncomingMessage>();
  private readonly pending = new Set<(decision: Decision<Data>) => void>();

  constructor(
    private readonly options: ResolvedOptions<Data>,
    private readonly host: GateHost<Data>,
    private readonly metrics: MetricsRecorder,
  ) {
    this.origins = new OriginPolicy(options.allowedOrigins);
    this.wss = new WsServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.perMessageDeflate satisfies WsServerOptions['perMessageDeflate'],
      closeTimeout: options.closeTimeout,
      verifyClient: (info: { origin: string | undefined; req: IncomingMessage }, done: VerifyDone) => this.verifyClient(info.req, info.origin, done),
      // The application's subprotocol as admitted, plus the corows browser heartbeat when offered.
      handleProtocols: (offered: Set<string>, req: IncomingMessage) =>
        negotiateSubprotocol(offered, (app: string[]) => (options.protocols === undefined ? app[0] ?? false : this.admissions.get(req)?.protocol ?? false)),
    } as ConstructorParameters<typeof WsServer>[0]);
    // The corows protocol, for a client that offers it by header (docs/PROTOCOL.md §1.1).
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const version = answerCorowsHeader(req.headers[COROWS_PROTOCOL_HEADER]);
      if (version !== undefined) headers.push(`Corows-Protocol: ${version}`);
    });
  }

  /** Upgrades in progress (past the first checks, before the connection opens). */
  get inProgress(): number {
    return this.pending.size;
  }

  /** Shutdown: refuses the upgrades still waiting on `verify` with 503 at once. */
  refusePending(): void {
    for (const settle of [...this.pending]) settle(refusal('closing', 503, 'the server is shutting down', true));
  }

  /** Takes one upgrade request routed to this server. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (answerCorowsHeader(req.headers[COROWS_PROTOCOL_HEADER]) !== undefined) markCorowsAgreed(ws);
      const data = this.admissions.get(req)?.data;
      this.admissions.delete(req);
      this.host.accept(ws, req, data);
    });
    if (!this.reachedVerify.delete(req)) this.metrics.refused('badHandshake');
  }

  private verifyClient(req: IncomingMessage, origin: string | undefined, done: VerifyDone): void {
    this.reachedVerify.add(req);
    const early = this.firstChecks(origin);
    if (early !== undefined) {
      this.answer(early, done);
      return;
    }
    const request = describeUpgrade(req);
    const protocol = this.selectProtocol(request);
    if (typeof protocol !== 'string' && request.protocols.length > 0 && this.options.protocols !== undefined) {
      const spoken = Array.isArray(this.options.protocols) ? `; this server speaks ${this.options.protocols.join(', ')}` : '';
      this.answer(refusal('protocol', 400, `none of the offered subprotocols (${request.protocols.join(', ')}) is supported${spoken}`), done);
      return;
    }

    let settled = false;
    const settle = (decision: Decision<Data>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.pending.delete(settle);
      if (decision.refuse === undefined && this.host.isClosing()) decision = refusal('closing', 503, 'the server is shutting down', true);
      if (decision.refuse === undefined) this.admissions.set(req, { data: decision.data, protocol: protocol ?? false });
      this.answer(decision, done);
    };
    this.pending.add(settle);
    const timer = setTimeout(
      () => settle(refusal('handshakeTimeout', 408, `the upgrade was not decided within handshakeTimeout (${this.options.handshakeTimeout} ms)`)),
      this.options.handshakeTimeout,
    );
    const verify = this.options.verify;
    if (verify === undefined) {
      settle({});
      return;
    }
    new Promise<VerifyResult<Data>>((resolve) => resolve(verify(request))).then(
      (result) => settle(this.interpret(result)),
      (err: unknown) => {
        this.host.report(err, 'verify hook failed (the request was refused with 500)');
        settle(refusal('verifyError', 500, 'the server could not verify the request'));
      },
    );
  }

  private firstChecks(origin: string | undefined): Decision<Data> | undefined {
    if (this.host.isClosing()) return refusal('closing', 503, 'the server is shutting down', true);
    if (!this.origins.allows(origin)) return refusal('origin', 403, `origin ${String(origin)} is not allowed to connect`);
    if (this.host.openConnections() + this.pending.size >= this.options.maxConnections) {
      return refusal('maxConnections', 503, `the server is full (maxConnections: ${this.options.maxConnections})`, true);
    }
    return undefined;
  }

  private selectProtocol(request: UpgradeRequest): string | false | undefined {
    const protocols = this.options.protocols;
    if (protocols === undefined || request.protocols.length === 0) return undefined;
    if (Array.isArray(protocols)) return protocols.find((name) => request.protocols.includes(name)) ?? false;
    try {
      const chosen = (protocols as (offered: readonly string[], request: UpgradeRequest) => string | false | undefined)(request.protocols, request);
      if (chosen === false || chosen === undefined) return false;
      if (request.protocols.includes(chosen)) return chosen;
      this.host.report(new TypeError(`the protocols function returned ${JSON.stringify(chosen)}, which the client did not offer (${request.protocols.join(', ')})`), 'protocols');
    } catch (err) {
      this.host.report(err, 'protocols function failed');
    }
    return false;
  }

  private interpret(result: VerifyResult<Data>): Decision<Data> {
    if (result === true || result === undefined) return {};
    if (result === false) return refusal('verify', 401, STATUS_CODES[401] as string);
    if (typeof result === 'object' && result !== null) {
      if ('status' in result) {
        const { status, reason, headers } = result;
        if (Number.isInteger(status) && status >= 400 && status <= 599 && (reason === undefined || typeof reason === 'string')) {
          return { refuse: { reason: 'verify', status, message: reason ?? STATUS_CODES[status] ?? 'Refused', headers: cleanHeaders(headers, this.host) } };
        }
        this.host.report(new TypeError(`verify returned a refusal with status ${String(status)}; use an HTTP status from 400 to 599 and a string reason`), 'verify hook');
        return refusal('verifyError', 500, 'the server could not verify the request');
      }
      if ('data' in result) return { data: result.data };
    }
    this.host.report(new TypeError(`verify returned ${typeof result}; return true, false, { data } or { status, reason }`), 'verify hook');
    return refusal('verifyError', 500, 'the server could not verify the request');
  }

  private answer(decision: Decision<Data>, done: VerifyDone): void {
    const refuse = decision.refuse;
    if (refuse === undefined) {
      done(true);
      return;
    }
    this.metrics.refused(refuse.reason);
    done(false, refuse.status, refuse.message, { 'Content-Type': 'text/plain; charset=utf-8', ...refuse.headers });
  }
}

function refusal<Data>(reason: RefusalReason, status: number, message: string, retryLater = false): Decision<Data> {
  return { refuse: { reason, status, message, headers: retryLater ? { 'Retry-After': RETRY_AFTER_SECONDS } : undefined } };
}

/** Keeps the headers a refusal may carry; reports and drops any that would break the response. */
function cleanHeaders(headers: unknown, host: GateHost<unknown>): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && typeof value === 'string' && !/[\r\n\0]/.test(value)) clean[name] = value;
    else host.report(new TypeError(`verify refusal header ${JSON.stringify(name)} is not a valid HTTP header; it was left out`), 'verify hook');
  }
  return clean;
}

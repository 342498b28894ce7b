import { CloseCode } from './close-codes.js';
import { WebSocketConn, type ConnOptions } from './connection.js';
import type { Dial } from './dial.js';
import { waitForOpen } from './handshake.js';
import { ConnectionClosedError } from './errors.js';
import { Outbox } from './outbox.js';
import { reconnectDelay, shouldReconnectAfterClose, shouldRetryConnect, type ReconnectPolicy } from './reconnect-policy.js';
import { OPEN, type WebSocketLike } from './socket.js';
import type { ConnState, ReconnectCause } from './types.js';

/** What a {@link ReconnectingConn} needs to open new links. */
export interface ReconnectSetup {
  readonly policy: ReconnectPolicy;
  /** The address, for error messages. */
  readonly address: string;
  /** Milliseconds each attempt may take. */
  readonly timeout: number;
  /** Starts a new connection attempt to the same address with the same options. */
  readonly redial: () => WebSocketLike;
  /** Reports a failed handshake in detail (see `Dial.watch`). */
  readonly watch: Dial['watch'];
  /** The random source of the jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * where the connection stands: the first link is opening (`first`: a failure rejects
 * `connectToWebsocket` and ends it), a link is up (`open`), waiting out a delay (`waiting`), or an
 * attempt is under way (`dialing`).
 */
type Phase = 'first' | 'open' | 'waiting' | 'dialing';

/**
 * A client {@link WebSocketConn} that lives across links (`connectToWebsocket(addr, { reconnect })`):
 * when its link drops with a retryable close code (`isRetryableCloseCode`: 1001, 1006 — including a
 * heartbeat timeout —, 1011, 1012, 1013) it waits, opens a new one and goes on, with the same inbox;
 * sends made meanwhile wait in a bounded outbox and go out first, in order, on the new link.
 * It closes for good on `close()`/`terminate()`, on a close code that is not retryable, on an attempt
 * refused for good (an HTTP 4xx answer), or after `maxAttempts` failed attempts in a row.
 */
export class ReconnectingConn extends WebSocketConn {
  private readonly setup: ReconnectSetup;
  private readonly outbox: Outbox;
  private phase: Phase = 'first';
  /** Failed attempts in a row (see `ReconnectOptions.stableAfter`). */
  private attempt = 0;
  /** When the current link opened (`Date.now()`). */
  private openedAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private dialing: AbortController | undefined;
  private dropped: ReconnectCause = { code: CloseCode.Abnormal, reason: '' };

  constructor(socket: WebSocketLike, options: ConnOptions, setup: ReconnectSetup) {
    super(socket, options);
    this.setup = setup;
    this.outbox = new Outbox(setup.policy.maxOutbox);
  }

  /** `'CONNECTING'` while waiting to reconnect or reconnecting; otherwise as for any connection. */
  override get state(): ConnState {
    if (!this.isFinished && (this.phase === 'waiting' || this.phase === 'dialing')) return 'CONNECTING';
    return super.state;
  }

  override close(code = 1000, reason = ''): Promise<void> {
    if (this.isFinished) return Promise.resolve();
    if (this.phase === 'waiting' || this.phase === 'dialing') {
      this.closeRequested = true;
      this.giveUp(code, reason);
      return Promise.resolve();
    }
    return super.close(code, reason);
  }

  override terminate(): void {
    if (this.isFinished) return;
    if (this.phase === 'waiting' || this.phase === 'dialing') {
      this.closeRequested = true;
      this.giveUp(CloseCode.Abnormal, '');
      return;
    }
    super.terminate();
  }

  protected override write(data: string | ArrayBuffer | ArrayBufferView, action: string): Promise<Error | null> {
    const up = this.phase === 'open' && this.link.readyState === OPEN;
    if (up || this.isFinished || this.closeRequested) return super.write(data, action);
    return this.outbox.hold(data, action);
  }

  /** A failing attempt is reported once, as the `ConnectError` of {@link ReconnectingConn.attemptFailed}. */
  protected override reportError(err: Error, fromHandler: boolean): void {
    if (!fromHandler && this.phase === 'dialing') return;
    super.reportError(err, fromHandler);
  }

  /**
   * `open` fires before the outbox is flushed: what its listeners send synchronously (authenticating
   * again, subscribing again) goes first on the new link, before the messages held while it was down.
   */
  protected override linkOpened(): void {
    this.phase = 'open';
    this.openedAt = Date.now();
    super.linkOpened();
    this.outbox.flush((data, action) => super.write(data, action));
  }

  protected override linkClosed(code: number, reason: string): void {
    if (this.phase === 'dialing') return; // the attempt's own watcher (see dial) reports it
    if (this.phase === 'first' || this.closeRequested || !shouldReconnectAfterClose(code)) {
      this.giveUp(code, reason);
      return;
    }
    if (Date.now() - this.openedAt >= this.setup.policy.stableAfter) this.attempt = 0;
    this.dropped = { code, reason };
    this.retryLater({ code, reason });
  }

  private retryLater(cause: ReconnectCause): void {
    const { policy } = this.setup;
    if (this.attempt >= policy.maxAttempts) {
      const tries = `${this.attempt} attempt${this.attempt === 1 ? '' : 's'}`;
      this.giveUp(this.dropped.code, `gave up reconnecting after ${tries}; the last failed with: ${cause.reason}`);
      return;
    }
    this.attempt += 1;
    const delay = reconnectDelay(policy, this.attempt, this.setup.random);
    this.phase = 'waiting';
    this.retryTimer = setTimeout(() => this.dial(), delay);
    this.emit('reconnecting', this.attempt, delay, cause);
  }

  private dial(): void {
    this.retryTimer = undefined;
    this.phase = 'dialing';
    let socket: WebSocketLike;
    try {
      socket = this.setup.redial();
    } catch (err) {
      this.attemptFailed(err);
      return;
    }
    this.attachSocket(socket);
    const attempt = new AbortController();
    this.dialing = attempt;
    waitForOpen(socket, this.setup.address, { timeout: this.setup.timeout, signal: attempt.signal }, this.setup.watch).then(
      () => {
        if (this.dialing === attempt) this.dialing = undefined;
      },
      (err: unknown) => {
        if (this.dialing !== attempt) return;
        this.dialing = undefined;
        if (this.phase === 'dialing') this.attemptFailed(err);
      },
    );
  }

  private attemptFailed(err: unknown): void {
    this.detachLink();
    const error = err instanceof Error ? err : new Error(String(err));
    super.reportError(error, false);
    const cause = { code: CloseCode.Abnormal, reason: error.message };
    if (shouldRetryConnect(err)) this.retryLater(cause);
    else this.giveUp(this.dropped.code, `gave up reconnecting: ${error.message}`);
  }

  private giveUp(code: number, reason: string): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const attempt = this.dialing;
    this.dialing = undefined;
    if (this.phase === 'dialing') this.detachLink();
    attempt?.abort();
    this.outbox.fail((action) => new ConnectionClosedError(action, 'CLOSED', code));
    this.finish(code, reason);
  }
}

import { callHandler } from './call-handler.js';

/** The `whenDead` handler of a server. */
export type DeadHandler = (reason: string) => unknown;

/**
 * A server's `whenDead`: the handler, and the reason once the server has died. The handler is told
 * once, when the server dies, or at once if it is set afterwards; one that throws or rejects is
 * reported, never thrown into the code that stopped the server.
 */
export class DeathNotice {
  private handler: DeadHandler | undefined;
  /** Why the server died; `undefined` while it lives. */
  reason: string | undefined;

  constructor(private readonly report: (err: unknown, context: string) => void) {}

  /** Whether a handler is set. */
  get heard(): boolean {
    return this.handler !== undefined;
  }

  /** Sets (or replaces) the handler; told at once if the server has died already. */
  listen(handler: DeadHandler): void {
    this.handler = handler;
    if (this.reason !== undefined) this.tell(this.reason);
  }

  /** The server died: the handler, if any, is told (once: a later call does nothing). */
  die(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    if (this.handler !== undefined) this.tell(reason);
  }

  private tell(reason: string): void {
    callHandler(this.handler as DeadHandler, reason, (err) => this.report(err, 'whenDead handler failed'));
  }
}

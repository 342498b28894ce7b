import type { armCancel, CancelOptions } from './cancel.js';
import type { ControlFrame } from './control.js';
import { CorowsError, RemoteError } from './errors.js';
import { DEFAULT_REQUEST_TIMEOUT } from './control-loader.js';
import type { RequestHandler } from './types.js';

/** Whether requests can go now: the link is open and agreed on the corows protocol, open and plain, or down. */
export type Agreement = 'agreed' | 'plain' | 'down';

/** What {@link Requests} needs from the connection it serves. */
export interface RequestWire {
  agreement(): Agreement;
  /** Writes one encoded control message on the open link; resolves `null` once written, or the `Error`. */
  writeControl(text: string): Promise<Error | null>;
  /** The error a request gets from a connection that has closed for good, or `undefined` while it lives. */
  closedError(): Error | undefined;
  // Given, so that this module (a chunk of its own in the browser bundle) imports nothing internal.
  readonly armCancel: typeof armCancel;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  disarm(): void;
  /** The request's control message, while it waits for a link. */
  held: string | undefined;
}

/**
 * Request and reply on one connection (`docs/PROTOCOL.md` §4): the requests this end made and waits
 * for, and the peer's requests its handler is serving. Made on first use; a connection that never
 * uses requests has none.
 */
export class Requests {
  private lastId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly serving = new Map<number, AbortController>();
  private handler: RequestHandler | undefined;

  constructor(private readonly wire: RequestWire) {}

  /** Sends a request and resolves with the reply (see `WebSocketConn.request`). */
  request(value: unknown, options: CancelOptions | undefined): Promise<unknown> {
    const closed = this.wire.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const agreement = this.wire.agreement();
    if (agreement === 'plain') return Promise.reject(unsupported());
    const json = encodeJson(value, 'request()');
    if (json instanceof Error) return Promise.reject(json);
    const id = ++this.lastId;
    const text = `\u0000{"t":"req","id":${id},"v":${json}}`;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject, disarm: () => undefined, held: undefined };
      pending.disarm = this.wire.armCancel(`request ${id}`, { timeout: options?.timeout ?? DEFAULT_REQUEST_TIMEOUT, signal: options?.signal }, (err) => this.giveUp(id, err));
      this.pending.set(id, pending);
      if (agreement === 'agreed') this.write(id, text);
      else pending.held = text;
    });
  }

  /** Sets the handler of the peer's requests. */
  setHandler(handler: RequestHandler): void {
    this.handler = handler;
  }

  /** A control message of type `req`, `res`, `err` or `cancel` arrived. */
  control(frame: ControlFrame): void {
    const id = frame.id;
    if (!Number.isSafeInteger(id)) return;
    switch (frame.t) {
      case 'req':
        this.serve(id as number, frame.v);
        break;
      case 'res':
        this.settle(id as number)?.resolve(frame.v);
        break;
      case 'err':
        this.settle(id as number)?.reject(new RemoteError(String(frame.message ?? 'the request failed'), typeof frame.code === 'string' ? frame.code : undefined));
        break;
      case 'cancel':
        this.serving.get(id as number)?.abort(new CorowsError(`the peer gave up on request ${String(id)}`, { code: 'ABORT_ERR' }));
        this.serving.delete(id as number);
        break;
    }
  }

  /** A link opened: the requests held meanwhile go out, or fail if the peer does not speak corows. */
  linkUp(): void {
    const plain = this.wire.agreement() !== 'agreed';
    for (const [id, pending] of this.pending) {
      if (pending.held === undefined) continue;
      const text = pending.held;
      pending.held = undefined;
      if (plain) this.fail(id, unsupported());
      else this.write(id, text);
    }
  }

  /** The link dropped and what was in flight on it is lost (no session carries it): everything pending fails with `err`. */
  linkLost(err: Error): void {
    for (const [id, pending] of this.pending) if (pending.held === undefined) this.fail(id, err);
    for (const controller of this.serving.values()) controller.abort(err);
    this.serving.clear();
  }

  /** The connection closed for good. */
  end(err: Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err);
    for (const controller of this.serving.values()) controller.abort(err);
    this.serving.clear();
  }

  private write(id: number, text: string): void {
    void this.wire.writeControl(text).then((err) => {
      if (err !== null) this.fail(id, err);
    });
  }

  private giveUp(id: number, err: Error): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    if (pending.held === undefined && this.wire.agreement() === 'agreed') void this.wire.writeControl(`\u0000{"t":"cancel","id":${id}}`);
    pending.reject(err);
  }

  private fail(id: number, err: Error): void {
    this.settle(id)?.reject(err);
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (pending === undefined) return undefined;
    this.pending.delete(id);
    pending.disarm();
    return pending;
  }

  private serve(id: number, value: unknown): void {
    const handler = this.handler;
    if (handler === undefined) {
      this.reply(errorFrame(id, 'the peer has no request handler (it never called whenRequest())', 'ERR_NO_HANDLER'));
      return;
    }
    const controller = new AbortController();
    this.serving.set(id, controller);
    let result: unknown;
    try {
      result = handler(value, { signal: controller.signal });
    } catch (err) {
      this.answer(id, controller, undefined, err);
      return;
    }
    if (isThenable(result)) result.then((reply) => this.answer(id, controller, reply, undefined), (err: unknown) => this.answer(id, controller, undefined, err ?? new Error(String(err))));
    else this.answer(id, controller, result, undefined);
  }

  /** The handler finished request `id` with `reply`, or failed with `err`. */
  private answer(id: number, controller: AbortController, reply: unknown, err: unknown): void {
    if (this.serving.get(id) !== controller) return; // cancelled, or the link it came on is gone
    this.serving.delete(id);
    if (err !== undefined) {
      this.reply(errorFrame(id, err instanceof Error ? err.message : String(err), codeOf(err)));
      return;
    }
    const json = reply === undefined ? 'null' : encodeJson(reply, 'the reply');
    if (json instanceof Error) {
      this.reply(errorFrame(id, `the reply could not be encoded as JSON: ${json.message}`, 'ERR_REPLY_ENCODING'));
      return;
    }
    this.reply(`\u0000{"t":"res","id":${id},"v":${json}}`);
  }

  private reply(text: string): void {
    if (this.wire.agreement() === 'agreed') void this.wire.writeControl(text);
  }
}

/** `JSON.stringify(value)`, or the `TypeError` naming `what` when JSON cannot encode it. */
function encodeJson(value: unknown, what: string): string | TypeError {
  try {
    const json = JSON.stringify(value) as string | undefined;
    return json ?? new TypeError(`${what} cannot encode ${value === undefined ? 'undefined' : typeof value} as JSON; nothing was sent`);
  } catch (err) {
    return new TypeError(`${what} cannot encode the value as JSON: ${(err as Error).message}`, { cause: err });
  }
}

function errorFrame(id: number, message: string, code: string | undefined): string {
  return `\u0000${JSON.stringify(code === undefined ? { t: 'err', id, message } : { t: 'err', id, message, code })}`;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

function unsupported(): CorowsError {
  return new CorowsError(
    'request(): the peer does not speak the corows protocol (a plain WebSocket peer); requests need corows on both ends. Nothing was sent',
    { code: 'ERR_UNSUPPORTED' },
  );
}

import { armCancel } from './cancel.js';
import { ConnectError, TimeoutError } from './errors.js';
import { OPEN, type WebSocketLike } from './socket.js';

/**
 * The WHATWG listener API, which every socket corows opens has: browsers', undici's, and `ws` too
 * (with the `Error` on its error events).
 */
interface Listenable {
  addEventListener(type: 'open' | 'error' | 'close', listener: (ev: { code?: number; error?: unknown }) => unknown): void;
}

/**
 * Resolves once `socket` is open; rejects with a `ConnectError` naming `address` and the cause
 * (refused, DNS, TLS, an HTTP status instead of 101, no answer within `timeout` ms: code
 * `'ETIMEDOUT'`), or an `AbortError` when `signal` aborts. `watch` may report a failure first with
 * more detail (see `Dial.watch`). On failure the socket is dropped.
 */
export function waitForOpen(
  socket: WebSocketLike,
  address: string,
  options: { timeout: number; signal?: AbortSignal | undefined },
  watch: (socket: WebSocketLike, address: string, fail: (err: ConnectError) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let disarm = (): void => undefined;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      disarm();
      if (err === undefined) {
        resolve();
        return;
      }
      drop(socket);
      reject(err);
    };
    try {
      disarm = armCancel(`connecting to ${address}`, options, (err) =>
        settle(err instanceof TimeoutError ? new ConnectError(address, `no connection within ${options.timeout} ms`, { code: 'ETIMEDOUT', cause: err }) : err),
      );
    } catch (err) {
      settle(err as Error);
      return;
    }
    if (socket.readyState === OPEN) {
      settle();
      return;
    }
    watch(socket, address, settle);
    const events = socket as unknown as Listenable;
    events.addEventListener('open', () => settle());
    events.addEventListener('error', (ev) => settle(failure(address, ev.error)));
    events.addEventListener('close', (ev) =>
      settle(new ConnectError(address, `the connection closed before opening (code ${ev.code ?? 1006})`, { code: 'ECONNRESET' })),
    );
  });
}

function failure(address: string, err: unknown): ConnectError {
  if (!(err instanceof Error)) {
    return new ConnectError(address, 'the WebSocket reported an error (browsers give no detail: see the developer tools console)');
  }
  return new ConnectError(address, err.message.trim(), { code: (err as { code?: string }).code, cause: err });
}

function drop(socket: WebSocketLike): void {
  try {
    if ('terminate' in socket) socket.terminate();
    else socket.close();
  } catch {
    // already closed
  }
}

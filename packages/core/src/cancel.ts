import { describeValue } from './describe.js';
import { AbortError, TimeoutError } from './errors.js';

/** The `timeout` / `signal` pair shared by every wait that can give up. */
export interface CancelOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
}

/**
 * Arms `options.timeout` and `options.signal` for one wait named `what`. `giveUp` is called at most
 * once, with the error to reject with; the returned function disarms both and must be called when
 * the wait ends another way. Throws at once if the options are invalid or the signal is already aborted.
 */
export function armCancel(what: string, options: CancelOptions | undefined, giveUp: (err: Error) => void): () => void {
  const timeout = options?.timeout;
  const signal = options?.signal;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && timeout <= 2 ** 31 - 1)) {
    throw new RangeError(`${what}: timeout must be a number of milliseconds from 0 to 2147483647, got ${describeValue(timeout)}`);
  }
  if (signal?.aborted) throw new AbortError(what, signal.reason);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => {
    disarm();
    giveUp(new AbortError(what, signal?.reason));
  };
  const disarm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  if (timeout !== undefined) {
    timer = setTimeout(() => {
      disarm();
      giveUp(new TimeoutError(what, timeout));
    }, timeout);
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  return disarm;
}

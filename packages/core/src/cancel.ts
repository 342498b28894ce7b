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
  let unwatch: (() => void) | undefined;
  const disarm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    unwatch?.();
  };
  if (timeout !== undefined) {
    timer = setTimeout(() => {
      unwatch?.();
      giveUp(new TimeoutError(what, timeout));
    }, timeout);
  }
  if (signal !== undefined) {
    unwatch = watchAbort(signal, (errors) => {
      if (timer !== undefined) clearTimeout(timer);
      // The waits of one name that one abort ends share its error, as Node's APIs share `signal.reason`.
      let err = errors.get(what);
      if (err === undefined) errors.set(what, (err = new AbortError(what, signal.reason)));
      giveUp(err);
    });
  }
  return disarm;
}

/** The waits on one signal, and the one listener on the signal that calls them all. */
interface SignalWatch {
  readonly waits: Set<AbortWait>;
  readonly listener: () => void;
}

/** One wait on a signal; `errors` is shared by every wait the abort ends, by name. */
type AbortWait = (errors: Map<string, AbortError>) => void;

const watches = new WeakMap<AbortSignal, SignalWatch>();

/**
 * Calls `onAbort` when `signal` aborts; the returned function stops watching. Every wait on a signal
 * shares one listener on it: adding or removing a listener searches the signal's list (Node), which
 * made n waits on one signal cost n², and aborting 40,000 receives block the event loop for seconds.
 */
function watchAbort(signal: AbortSignal, onAbort: AbortWait): () => void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    const waits = new Set<AbortWait>();
    const listener = (): void => {
      watches.delete(signal);
      const errors = new Map<string, AbortError>();
      for (const wait of waits) wait(errors);
    };
    watch = { waits, listener };
    watches.set(signal, watch);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { waits, listener } = watch;
  waits.add(onAbort);
  return () => {
    if (!waits.delete(onAbort) || waits.size > 0 || watches.get(signal)?.waits !== waits) return;
    watches.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

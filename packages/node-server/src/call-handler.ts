/**
 * Calls an application's handler with `arg`; a throw, or a rejection of the promise it returns, goes
 * to `failed` instead of into the caller (or, unobserved, the process).
 */
export function callHandler<A>(handler: (arg: A) => unknown, arg: A, failed: (err: unknown) => void): void {
  try {
    const result = handler(arg);
    if (typeof (result as PromiseLike<unknown> | null | undefined)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, failed);
  } catch (err) {
    failed(err);
  }
}

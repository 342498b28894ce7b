import type * as ArgumentErrors from './argument-errors.js';
import { describeValue } from './describe.js';
import { CorowsError } from './errors.js';

/**
 * A wrong argument to `connectToWebsocket()` or `close()`, found by a check that names only what failed
 * and the value; the error that explains it comes from `argument-errors.ts`, a module of its own loaded
 * when a check fails, so that a page whose arguments are right never loads the long messages.
 */
export class ArgumentProblem {
  constructor(
    readonly id: ArgumentErrors.ProblemId,
    readonly value?: unknown,
  ) {}
}

/**
 * A promise rejected with `err`, or, for an {@link ArgumentProblem}, with the error that explains it
 * (a `TypeError`, `RangeError` or `CorowsError`, as if thrown where the check failed). If that module
 * cannot be loaded (a page gone offline), a `TypeError` still names the check and the value.
 */
export function rejectWith(err: unknown): Promise<never> {
  if (!(err instanceof ArgumentProblem)) return Promise.reject(err);
  return import('./argument-errors.js').then(
    (errors) => Promise.reject(errors.explain(err.id, err.value, { describeValue, CorowsError })),
    () => Promise.reject(new TypeError(`wrong argument (${err.id}): ${describeValue(err.value)}`)),
  );
}

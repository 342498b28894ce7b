import { ArgumentProblem } from './argument-problem.js';

/**
 * Throws the `ArgumentProblem` whose error explains why a WebSocket in the WHATWG form (every
 * browser's) cannot send the handshake headers `names`, and what to do instead. Does nothing when
 * `names` is empty.
 */
export function refuseHeaders(names: readonly string[]): void {
  if (names.length > 0) throw new ArgumentProblem('headers', names);
}

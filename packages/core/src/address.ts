import { ArgumentProblem } from './argument-problem.js';

/**
 * Checks a `ws://` or `wss://` address and returns it parsed. Throws an `ArgumentProblem` (a
 * `TypeError` naming the address and what is wrong with it, once explained), before any network work.
 */
export function parseAddress(addr: unknown): URL {
  if (typeof addr !== 'string') throw new ArgumentProblem('addressType', addr);
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new ArgumentProblem('addressInvalid', addr);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ArgumentProblem('addressScheme', addr);
  if (url.hash !== '') throw new ArgumentProblem('addressFragment', addr);
  return url;
}

import { PROCESS_RUNTIMES, type ClientRuntime, type ServerRuntime } from './runtimes.ts';

/** A server runtime and a client runtime, the two ends of one run of the suite. */
export interface Pairing {
  server: ServerRuntime;
  client: ClientRuntime;
}

/**
 * Every pairing: Node, Bun and Deno with each other (each way), Chromium against each of them, and
 * Python's `websockets` against each of them, both ways.
 */
export const ALL_PAIRINGS: readonly Pairing[] = [
  ...PROCESS_RUNTIMES.flatMap((server) => PROCESS_RUNTIMES.map((client) => ({ server, client }))),
  ...PROCESS_RUNTIMES.map((server) => ({ server, client: 'chromium' as const })),
  ...PROCESS_RUNTIMES.map((client) => ({ server: 'python' as const, client })),
  ...PROCESS_RUNTIMES.map((server) => ({ server, client: 'python' as const })),
];

/** How a pairing is named in test names and in `COROWS_PAIRINGS`: `server/client`. */
export function pairingId(pairing: Pairing): string {
  return `${pairing.server}/${pairing.client}`;
}

/**
 * The pairings `COROWS_PAIRINGS` names (`server/client`, comma-separated, `*` for any runtime, such
 * as `bun/deno,*\/chromium`), or all of them.
 */
export function selectPairings(selection = process.env.COROWS_PAIRINGS): Pairing[] {
  if (selection === undefined || selection.trim() === '') return [...ALL_PAIRINGS];
  const wanted = selection.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const chosen = ALL_PAIRINGS.filter((pairing) =>
    wanted.some((item) => {
      const [server, client] = item.split('/');
      return (server === '*' || server === pairing.server) && (client === '*' || client === pairing.client);
    }),
  );
  if (chosen.length === 0) {
    throw new Error(`COROWS_PAIRINGS=${selection} names no pairing; pairings are server/client, one of: ${ALL_PAIRINGS.map(pairingId).join(', ')}`);
  }
  return chosen;
}

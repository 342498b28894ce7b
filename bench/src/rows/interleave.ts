import type { LibId } from '../libs/types.js';

/**
 * Runs `trial` for every library, round after round (A B C, B C A, C A B, …: the order turns each
 * round so no library always goes first), and returns each library's results, warm-up rounds left out.
 */
export async function interleave<T>(
  libs: readonly LibId[],
  plan: { warmupRounds: number; rounds: number },
  trial: (lib: LibId, round: number) => Promise<T>,
): Promise<Map<LibId, T[]>> {
  const results = new Map<LibId, T[]>(libs.map((lib) => [lib, []]));
  for (let round = 0; round < plan.warmupRounds + plan.rounds; round++) {
    for (let i = 0; i < libs.length; i++) {
      const lib = libs[(i + round) % libs.length] as LibId;
      const result = await trial(lib, round);
      if (round >= plan.warmupRounds) results.get(lib)?.push(result);
    }
  }
  return results;
}

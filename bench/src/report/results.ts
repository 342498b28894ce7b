import type { LibId } from '../libs/types.js';
import { median, quantileOfSorted } from '../stats.js';

/** One library's figure on one row: every counted round, their median, and the ratio to raw `ws`. */
export interface Figure {
  lib: LibId;
  /** One value per counted round, in round order. */
  samples: number[];
  median: number;
  /**
   * The median, over rounds, of this library's value divided by raw ws's value in the same round
   * (1 for ws itself). Pairing within a round cancels the load that other work puts on the machine,
   * which drifts from round to round.
   */
  ratio: number;
  /** The middle half of the per-round ratios (25th and 75th percentiles): how much the rounds agree. */
  ratioSpread: [number, number];
}

/** One line of the comparison. */
export interface RowResult {
  id: string;
  title: string;
  /** A few words for the chart. */
  short: string;
  unit: string;
  better: 'higher' | 'lower';
  figures: Figure[];
  /** What a reader must know to read the row right (how it was measured, what was pending). */
  notes: string[];
}

/** Builds a row from each library's samples (one per round, in round order); raw `ws` must be among them. */
export function makeRow(
  head: Omit<RowResult, 'figures' | 'notes'>,
  samples: Map<LibId, number[]>,
  notes: string[] = [],
): RowResult {
  const base = samples.get('ws');
  if (base === undefined || base.length === 0) throw new Error(`row ${head.id} has no raw ws figure to compare with`);
  const figures = [...samples].map(([lib, values]) => {
    if (values.length !== base.length) throw new Error(`row ${head.id}: ${lib} has ${values.length} rounds, ws ${base.length}`);
    const ratios = values.map((value, round) => value / (base[round] as number)).sort((a, b) => a - b);
    return {
      lib,
      samples: values,
      median: median(values),
      ratio: median(ratios),
      ratioSpread: [quantileOfSorted(ratios, 0.25), quantileOfSorted(ratios, 0.75)] as [number, number],
    };
  });
  return { ...head, figures, notes };
}

/** How a library is named in tables and charts. */
export const LIB_LABELS: Record<LibId, string> = {
  uws: 'uWS.js',
  ws: 'raw ws',
  'corows-handler': 'corows whenNewMsg',
  'corows-receive': 'corows receiveMessage()',
  'socket.io': 'Socket.IO',
};

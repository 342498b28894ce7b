import type { LibId } from '../libs/types.js';
import { LIB_LABELS, type RowResult } from './results.js';

/** The columns of the comparison, in order. */
export const COLUMNS: readonly LibId[] = ['uws', 'ws', 'corows-handler', 'corows-receive', 'socket.io'];

/** A figure with as many digits as it deserves: `41,230`, `312`, `18.4`, `2.31`. */
export function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `0.97×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** The comparison as a Markdown table: each cell is the median, its ratio to raw ws and the middle half of the per-round ratios. */
export function markdownTable(rows: readonly RowResult[]): string {
  const head = `| | ${COLUMNS.map((lib) => LIB_LABELS[lib]).join(' | ')} |`;
  const rule = `|---|${COLUMNS.map(() => '---:').join('|')}|`;
  const lines = rows.map((row) => {
    const cells = COLUMNS.map((lib) => {
      const figure = row.figures.find((f) => f.lib === lib);
      if (figure === undefined) return '—';
      if (lib === 'ws') return formatNumber(figure.median);
      const [low, high] = figure.ratioSpread;
      return `${formatNumber(figure.median)} (**${formatRatio(figure.ratio)}** ${low.toFixed(2)}–${high.toFixed(2)})`;
    });
    return `| ${row.title} (${row.unit}, ${row.better} is better) | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...lines].join('\n');
}

/** Each row's notes, as a Markdown list (empty when no row has any). */
export function markdownNotes(rows: readonly RowResult[]): string {
  return rows.flatMap((row) => row.notes.map((note) => `- ${row.short}: ${note}`)).join('\n');
}

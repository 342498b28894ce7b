import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { LIB_LABELS, type RowResult } from './results.js';
import { COLUMNS } from './table.js';

/**
 * The comparison at a glance, as SVG: for each row, each library's advantage over raw ws (its ratio,
 * inverted where lower is better, so that a longer bar is always better and raw ws is 1).
 */
export async function renderChart(rows: readonly RowResult[], subtitle: string): Promise<string> {
  const values = rows.flatMap((row) =>
    row.figures.map((figure) => {
      const score = row.better === 'higher' ? figure.ratio : 1 / figure.ratio;
      return { row: row.short, lib: LIB_LABELS[figure.lib], score, label: `${score.toFixed(2)}` };
    }),
  );
  const libOrder = COLUMNS.map((lib) => LIB_LABELS[lib]);
  const rowAndLib = {
    y: { field: 'row', type: 'nominal', sort: rows.map((row) => row.short), title: null, axis: { labelFontSize: 12, labelLimit: 220 } },
    yOffset: { field: 'lib', type: 'nominal', sort: libOrder },
  } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'corows vs raw ws vs Socket.IO (raw ws = 1; longer bar is better)', subtitle, anchor: 'start' },
    width: 520,
    height: { step: 12 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', height: { band: 0.9 } },
        encoding: {
          ...rowAndLib,
          x: {
            field: 'score',
            type: 'quantitative',
            scale: { type: 'log', domain: [0.1, 10], clamp: true },
            title: 'advantage over raw ws: throughput ÷ raw ws throughput; raw ws latency, memory or time ÷ its own (log scale)',
          },
          color: { field: 'lib', type: 'nominal', sort: libOrder, title: null, legend: { orient: 'bottom', labelLimit: 220, columns: 4 }, scale: { range: ['#8c8c8c', '#1f77b4', '#6baed6', '#d62728'] } },
        },
      },
      {
        data: { values },
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { ...rowAndLib, x: { field: 'score', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: 'black' },
        encoding: { x: { field: 'one', type: 'quantitative' } },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

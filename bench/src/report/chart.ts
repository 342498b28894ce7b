import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { LIB_LABELS, type RowResult } from './results.js';
import { COLUMNS } from './table.js';

/** One bar: a series' score on one row, where a longer bar is better and the baseline is 1. */
export interface Bar {
  row: string;
  series: string;
  score: number;
}

/** What a chart of {@link renderBars} shows. */
export interface BarChart {
  title: string;
  subtitle: string;
  axisTitle: string;
  /** Row names, top to bottom. */
  rows: readonly string[];
  /** Series names, in legend order, with their colors. */
  series: ReadonlyArray<{ name: string; color: string }>;
  bars: readonly Bar[];
  /** The ends of the log-scale axis; longer bars are clamped (their label still says their value). @default [0.1, 10] */
  domain?: [number, number];
}

/**
 * Horizontal bars on a log scale, one group per row and one bar per series, with a dashed line at 1
 * (the baseline); the style of every chart of the bench.
 */
export async function renderBars(chart: BarChart): Promise<string> {
  const values = chart.bars.map((bar) => ({ ...bar, label: bar.score.toFixed(2) }));
  const names = chart.series.map((s) => s.name);
  const rowAndSeries = {
    y: { field: 'row', type: 'nominal', sort: [...chart.rows], title: null, axis: { labelFontSize: 12, labelLimit: 260 } },
    yOffset: { field: 'series', type: 'nominal', sort: names },
  } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: chart.title, subtitle: chart.subtitle, anchor: 'start' },
    width: 520,
    height: { step: 12 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', height: { band: 0.9 } },
        encoding: {
          ...rowAndSeries,
          x: { field: 'score', type: 'quantitative', scale: { type: 'log', domain: chart.domain ?? [0.1, 10], clamp: true }, title: chart.axisTitle },
          color: { field: 'series', type: 'nominal', sort: names, title: null, legend: { orient: 'bottom', labelLimit: 320, columns: 5 }, scale: { domain: names, range: chart.series.map((s) => s.color) } },
        },
      },
      {
        data: { values },
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { ...rowAndSeries, x: { field: 'score', type: 'quantitative' }, text: { field: 'label' } },
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

/** The colors of the libraries, in {@link COLUMNS} order. */
const LIB_COLORS: Record<string, string> = {
  uws: '#2ca02c',
  ws: '#8c8c8c',
  'corows-handler': '#1f77b4',
  'corows-receive': '#6baed6',
  'socket.io': '#d62728',
};

/**
 * The comparison at a glance, as SVG: for each row, each library's advantage over raw ws (its ratio,
 * inverted where lower is better, so that a longer bar is always better and raw ws is 1).
 */
export async function renderChart(rows: readonly RowResult[], subtitle: string): Promise<string> {
  const present = COLUMNS.filter((lib) => rows.some((row) => row.figures.some((f) => f.lib === lib)));
  return renderBars({
    title: 'corows vs raw ws, uWS.js and Socket.IO (raw ws = 1; longer bar is better)',
    subtitle,
    axisTitle: 'advantage over raw ws: throughput ÷ raw ws throughput; raw ws latency, memory or time ÷ its own (log scale)',
    rows: rows.map((row) => row.short),
    series: present.map((lib) => ({ name: LIB_LABELS[lib], color: LIB_COLORS[lib] ?? '#000000' })),
    bars: rows.flatMap((row) => row.figures.map((figure) => ({
      row: row.short,
      series: LIB_LABELS[figure.lib],
      score: row.better === 'higher' ? figure.ratio : 1 / figure.ratio,
    }))),
  });
}

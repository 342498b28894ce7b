import type { LibId } from '../libs/types.js';
import { formatRatio } from './table.js';
import { LIB_LABELS, type RowResult } from './results.js';

/** One performance target of issue 6 and whether this run met it. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

interface RatioTarget {
  rows: string[];
  lib: LibId;
  /** The ratio to raw ws must be at least (`min`) or at most (`max`) this. */
  min?: number;
  max?: number;
  below?: number;
  text: string;
}

const RATIO_TARGETS: readonly RatioTarget[] = [
  { rows: ['echo-64', 'echo-16384'], lib: 'corows-handler', min: 0.95, text: 'echo throughput, whenNewMsg ≥ 0.95 × raw ws' },
  { rows: ['echo-64', 'echo-16384'], lib: 'corows-receive', min: 0.9, text: 'echo throughput, receiveMessage() loop ≥ 0.90 × raw ws' },
  { rows: ['ping-p50'], lib: 'corows-handler', max: 1.1, text: 'ping-pong p50 ≤ 1.10 × raw ws (whenNewMsg)' },
  { rows: ['ping-p50'], lib: 'corows-receive', max: 1.1, text: 'ping-pong p50 ≤ 1.10 × raw ws (receiveMessage())' },
  { rows: ['ping-cpu'], lib: 'corows-handler', max: 1.1, text: 'ping-pong CPU per round trip ≤ 1.10 × raw ws (whenNewMsg)' },
  { rows: ['ping-cpu'], lib: 'corows-receive', max: 1.1, text: 'ping-pong CPU per round trip ≤ 1.10 × raw ws (receiveMessage())' },
  { rows: ['idle-heap'], lib: 'corows-handler', max: 1.25, text: 'idle memory per connection ≤ 1.25 × raw ws' },
  { rows: ['broadcast-server', 'broadcast-cpu', 'broadcast'], lib: 'corows-handler', below: 1, text: 'broadcast to every connection faster than the naive ws loop' },
  { rows: ['burst-broadcast-cpu'], lib: 'corows-handler', below: 1, text: 'a burst of broadcasts costs less CPU than the naive ws loop' },
];

/** Checks the targets of issue 6 against `rows`; targets whose rows did not run are left out. */
export function checkTargets(rows: readonly RowResult[]): TargetCheck[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const checks: TargetCheck[] = [];
  for (const target of RATIO_TARGETS) {
    for (const id of target.rows) {
      const figure = byId.get(id)?.figures.find((f) => f.lib === target.lib);
      if (figure === undefined) continue;
      const r = figure.ratio;
      const met = (target.min === undefined || r >= target.min) && (target.max === undefined || r <= target.max) && (target.below === undefined || r < target.below);
      checks.push({ target: `${target.text} — ${byId.get(id)?.short}`, measured: formatRatio(r), met });
    }
  }
  for (const row of rows) {
    const rival = row.figures.find((f) => f.lib === 'socket.io');
    if (rival === undefined) continue;
    for (const figure of row.figures.filter((f) => f.lib.startsWith('corows'))) {
      // Through the paired ratios: both are to raw ws in the same rounds.
      const ahead = row.better === 'higher' ? figure.ratio > rival.ratio : figure.ratio < rival.ratio;
      checks.push({
        target: `ahead of Socket.IO — ${row.short}, ${LIB_LABELS[figure.lib]}`,
        measured: `${formatRatio(figure.ratio)} vs ${formatRatio(rival.ratio)}`,
        met: ahead,
      });
    }
  }
  return checks;
}

/** The checks as a Markdown table. */
export function markdownTargets(checks: readonly TargetCheck[]): string {
  return ['| target | ratio to raw ws | met |', '|---|---:|:---:|', ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.met ? 'yes' : '**no**'} |`)].join('\n');
}

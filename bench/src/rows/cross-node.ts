// The scale-out row (issue 7): broadcast across three corows nodes on Redis. It has no raw ws or
// Socket.IO counterpart in this bench, so it is reported as its own table, not as ratios.
import {
  formatCrossNodeTable,
  runCrossNodeBench,
  type CrossNodeBenchOptions,
  type CrossNodeResult,
} from '../../../packages/redis-adapter/bench/cross-node.js';

export type { CrossNodeResult };

/** Runs the cross-node bench (three node processes, a throwaway redis-server) and logs its table. */
export async function runCrossNodeRow(options: CrossNodeBenchOptions, log: (line: string) => void): Promise<CrossNodeResult> {
  log('cross-node broadcast: 3 corows nodes on one redis-server');
  const result = await runCrossNodeBench(options);
  log(formatCrossNodeTable(result));
  return result;
}

/** The markdown section of docs/benchmarks.md for the cross-node row. */
export function crossNodeSection(result: CrossNodeResult): string {
  if ('skipped' in result) return `### Cross-node broadcast on Redis\n\nSkipped: ${result.skipped}.`;
  return [
    '### Cross-node broadcast on Redis (3 nodes)',
    '',
    'Three corows server processes with a `RedisAdapter` on one `redis-server` (loopback), clients on each.',
    'A client of node 0 makes its node broadcast; *local* arrivals are node 0\'s own clients, *remote*',
    'ones the other nodes\' clients, reached through Redis pub/sub. `pnpm bench:redis` runs it alone.',
    '',
    formatCrossNodeTable(result).split('\n').slice(1).join('\n'),
    '',
    `Setup: ${result.setup}.`,
  ].join('\n');
}

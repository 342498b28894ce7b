import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCrossNodeTable, runCrossNodeBench } from '../bench/cross-node.js';
import { SKIP_WITHOUT_CLUSTER } from './redis-cluster.js';

test('the cross-node bench runs (small counts) and prints its four rows on one Redis and on a cluster', { skip: SKIP_WITHOUT_CLUSTER }, async () => {
  const result = await runCrossNodeBench({ messages: 50, clientsPerNode: 2, samples: 10, timeLimit: 20_000, rounds: 2 });
  assert.ok('rows' in result, 'skipped' in result ? result.skipped : '');
  const scenarios = [
    ['burst, local (node 0)', 50, 2],
    ['burst, cross-node (nodes 1, 2)', 50, 4],
    ['one at a time, local', 10, 2],
    ['one at a time, cross-node', 10, 4],
  ];
  assert.deepEqual(result.rows.map((row) => [row.redis, row.scenario, row.messages, row.receivers]), [
    ...scenarios.map((scenario) => ['single', ...scenario]),
    ...scenarios.map((scenario) => ['cluster', ...scenario]),
  ]);
  for (const row of result.rows) assert.ok(row.ms > 0 && Number.isFinite(row.p99) && row.p50 <= row.p99, JSON.stringify(row));
  const table = formatCrossNodeTable(result);
  assert.match(table, /\| cluster \| burst, cross-node \(nodes 1, 2\) \|\s+50 \|\s+4 \|\s+\d+ \|\s+\d+ \|\s+\d+\.\d\d× \|/);
  assert.match(table, /SPUBLISH per shard during the run: \d+ \/ \d+ \/ \d+/);
});

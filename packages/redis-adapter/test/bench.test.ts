import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCrossNodeTable, runCrossNodeBench } from '../bench/cross-node.js';
import { SKIP_WITHOUT_REDIS } from './redis-server.js';

test('the cross-node bench runs (small counts) and prints its four rows', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const result = await runCrossNodeBench({ messages: 50, clientsPerNode: 2, samples: 10, timeLimit: 20_000 });
  assert.ok('rows' in result, 'skipped' in result ? result.skipped : '');
  assert.deepEqual(result.rows.map((row) => [row.scenario, row.messages, row.receivers]), [
    ['burst, local (node 0)', 50, 2],
    ['burst, cross-node (nodes 1, 2)', 50, 4],
    ['one at a time, local', 10, 2],
    ['one at a time, cross-node', 10, 4],
  ]);
  for (const row of result.rows) assert.ok(row.ms > 0 && Number.isFinite(row.p99) && row.p50 <= row.p99, JSON.stringify(row));
  assert.match(formatCrossNodeTable(result), /\| burst, cross-node \(nodes 1, 2\) \|\s+50 \|\s+4 \|/);
});

// The rows of the copy-agg and liveness workloads: a seed fixes them, k and v stay in their ranges, t counts rows,
// and sumV is the sum the result check compares against.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggRows, checkAggResult } from '../../bench/workloads/agg-rows';

function parse(body: Buffer): number[][] {
  return body.toString('latin1').split('\n').filter((l) => l !== '').map((l) => l.split(',').map(Number));
}

test('agg rows: seeded, in range, t increasing, sumV the sum of v', () => {
  const a = aggRows(70_000, 7);
  assert.deepEqual(a.body, aggRows(70_000, 7).body);
  assert.notDeepEqual(a.body, aggRows(70_000, 8).body);
  const rows = parse(a.body);
  assert.equal(rows.length, 70_000);
  let sum = 0;
  rows.forEach(([k, v, t], i) => {
    assert.ok(k >= 1 && k <= 1000 && Number.isInteger(k), `k ${k}`);
    assert.ok(v >= 0 && v <= 999 && Number.isInteger(v), `v ${v}`);
    assert.equal(t, i);
    sum += v;
  });
  assert.equal(a.sumV, sum);
  assert.equal(new Set(rows.map(([k]) => k)).size, 1000);
});

test('the result check accepts exactly the counts and sums of every row', () => {
  const a = aggRows(1000, 1);
  assert.doesNotThrow(() => checkAggResult(a, ['1000', String(a.sumV)]));
  assert.throws(() => checkAggResult(a, ['999', String(a.sumV)]), /sum\(n\) 999/);
  assert.throws(() => checkAggResult(a, ['1000', String(a.sumV + 1)]), /sum\(total\)/);
  assert.throws(() => checkAggResult(a, undefined), /result check failed/);
});

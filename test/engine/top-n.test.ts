// The top-n operator epoch by epoch, against the top rows of everything pushed so far computed by sorting: over an
// append-only input it must keep only offset + limit rows (its state stops growing) and still be right; over input
// with deletes it keeps every row, and a delete in the top lets the next row in.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { buildDag } from '../../engine/dag';
import type { SourceNode, TopNNode } from '../../engine/plan';
import type { Value } from '../../engine/types';
import { multiset, rng, schemaOf, T } from './helpers';

const schema = schemaOf(['k', T.text], ['v', T.int4], ['n', T.int8]);
const source: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 'events' }, columns: [0, 1, 2], schema };

/** ORDER BY v DESC LIMIT 3 OFFSET 1: ties on v rank by (k, v, n). */
function topN(appendOnly: boolean): TopNNode {
  return { kind: 'top_n', input: source, keys: [{ column: 1, descending: true, nullsFirst: true }], limit: 3, offset: 1, appendOnly, schema };
}

/** What the operator must show: all rows sorted as it ranks them, ranks 2 to 4. */
function expected(all: readonly Value[][]): string[] {
  const cmp = (a: Value[], b: Value[]): number => {
    const byV = Number(b[1]) - Number(a[1]);
    if (byV !== 0) return byV;
    if (a[0] !== b[0]) return String(a[0]) < String(b[0]) ? -1 : 1;
    return Number(a[2]) - Number(b[2]);
  };
  return multiset([...all].sort(cmp).slice(1, 4));
}

/** Applies changes to a multiset of rows (as multiset strings, with their counts). */
function apply(shown: Map<string, number>, batches: readonly ChangeBatch[]): string[] {
  for (const b of batches) {
    rowsFromBatch(b.data, schema).forEach((row, i) => {
      const key = multiset([row])[0];
      const n = (shown.get(key) ?? 0) + (b.diffs === null ? 1 : b.diffs[i]);
      assert.ok(n >= 0, `a row deleted that was not shown: ${key}`);
      if (n === 0) shown.delete(key);
      else shown.set(key, n);
    });
  }
  return [...shown].flatMap(([key, n]) => Array.from({ length: n }, () => key)).sort();
}

const randomRows = (r: () => number, count: number, first: number): Value[][] =>
  Array.from({ length: count }, (_, i) => ['abc'[Math.floor(r() * 3)], Math.floor(r() * 20), BigInt(first + i)]);

test('append-only input: the top rows after every epoch, holding only offset + limit rows', () => {
  const r = rng(7);
  const dag = buildDag(topN(true), { mode: 'incremental' });
  const all: Value[][] = [];
  const shown = new Map<string, number>();
  const sizes: number[] = [];
  for (let epoch = 0; epoch < 30; epoch++) {
    const rows = randomRows(r, 1 + Math.floor(r() * 40), all.length);
    all.push(...rows);
    dag.sources[0].push({ data: batchFromRows(schema, rows), diffs: null });
    assert.deepEqual(apply(shown, dag.endEpoch()), expected(all), `epoch ${epoch}`);
    sizes.push(dag.stateBytes());
  }
  // Rows the same in every column count once: a full top holds at most 4 distinct rows, and it is full by now.
  assert.ok(sizes.slice(5).every((s) => s <= sizes[5]), `state stays bounded: ${sizes.join(' ')}`);
});

test('input with deletes: the top rows after every epoch, a deleted top row replaced by the next', () => {
  const r = rng(11);
  const dag = buildDag(topN(false), { mode: 'incremental' });
  const all: Value[][] = [];
  const shown = new Map<string, number>();
  for (let epoch = 0; epoch < 30; epoch++) {
    const rows = randomRows(r, 1 + Math.floor(r() * 10), all.length + 1000 * epoch);
    // Deletes first: some of the rows that are in the top now, and some others.
    const ranked = expected(all);
    const deleted = all.filter((row) => r() < 0.15 || (r() < 0.5 && ranked.includes(multiset([row])[0])));
    for (const row of deleted) all.splice(all.indexOf(row), 1);
    all.push(...rows);
    dag.sources[0].push({ data: batchFromRows(schema, [...deleted, ...rows]), diffs: Int32Array.from([...deleted.map(() => -1), ...rows.map(() => 1)]) });
    assert.deepEqual(apply(shown, dag.endEpoch()), expected(all), `epoch ${epoch}`);
  }
});

test('LIMIT 0 shows nothing and holds nothing', () => {
  for (const appendOnly of [true, false]) {
    const dag = buildDag({ ...topN(appendOnly), limit: 0, offset: 0 }, { mode: 'incremental' });
    dag.sources[0].push({ data: batchFromRows(schema, randomRows(rng(3), 10, 0)), diffs: null });
    assert.deepEqual(dag.endEpoch(), []);
    if (appendOnly) assert.equal(dag.stateBytes(), 0);
  }
});

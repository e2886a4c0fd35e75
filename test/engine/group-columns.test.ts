// The hash aggregate keeps its groups as columns (engine/operators/group-store.ts) and count / sum / avg as columns
// of numbers (engine/aggregate/columnar.ts). These tests hold the columnar forms to the accumulator objects they
// replace: the same results and the same state bytes over random inserts, deletes and NULLs, and state written in
// the objects' record layout restores into the columns.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulatorFactory } from '../../engine/aggregate';
import { columnarAggregate } from '../../engine/aggregate/columnar';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { vecFromValues } from '../../engine/columns/vec';
import { buildDag } from '../../engine/dag';
import type { AggCall, AggregateNode, SourceNode } from '../../engine/plan';
import { newGroup, writeGroup } from '../../engine/operators/groups';
import { Pacer } from '../../engine/slices';
import { ChunkLog } from '../../engine/state/chunks';
import { ByteWriter } from '../../engine/state/codec';
import { writeKey } from '../../engine/state/keys';
import type { Value } from '../../engine/types';
import { agg, col, rng, schemaOf, T } from './helpers';

const CALLS: [string, AggCall][] = [
  ['count(*)', agg('count_star', T.int8)],
  ['count(x)', agg('count', T.int8, [col(0, T.float8)])],
  ['sum(x)', agg('sum', T.float8, [col(0, T.float8)])],
  ['avg(x)', agg('avg', T.float8, [col(0, T.float8)])],
];

test('count, sum and avg as columns give the accumulators\' results and bytes, through deletes and NULLs', () => {
  const r = rng(21);
  for (const [name, call] of CALLS) {
    const columns = columnarAggregate(call)!;
    assert.notEqual(columns, null, `${name} has a columnar form`);
    const groups = 50;
    columns.grow(groups);
    for (let g = 0; g < groups; g++) columns.clear(g);
    const accs = Array.from({ length: groups }, accumulatorFactory(call));
    const live: [number, Value][] = [];
    for (let batch = 0; batch < 40; batch++) {
      const values: Value[] = [];
      const weights: number[] = [];
      const of: number[] = [];
      for (let i = 0; i < 100; i++) {
        if (live.length > 0 && r() < 0.4) {
          const [g, v] = live.splice(Math.floor(r() * live.length), 1)[0];
          values.push(v);
          weights.push(-1);
          of.push(g);
          continue;
        }
        // Large and small magnitudes, so the compensation matters; some NULLs; some rows in no group.
        const v = r() < 0.1 ? null : (r() - 0.5) * 10 ** Math.floor(r() * 20);
        const g = r() < 0.05 ? -1 : Math.floor(r() * groups);
        if (g >= 0) live.push([g, v]);
        values.push(v);
        weights.push(1);
        of.push(g);
      }
      const vec = vecFromValues(values, T.float8);
      columns.update([vec], Int32Array.from(of), Int32Array.from(weights), values.length);
      of.forEach((g, i) => {
        if (g >= 0) accs[g].update([vec], i, weights[i]);
      });
      for (let g = 0; g < groups; g++) {
        assert.deepEqual(columns.result(g), accs[g].result(), `${name}, batch ${batch}, group ${g}`);
        const a = new ByteWriter();
        const b = new ByteWriter();
        columns.write(a, g);
        accs[g].write(b);
        assert.deepEqual(a.finish(), b.finish(), `${name}: the same state bytes`);
      }
    }
  }
});

test('DISTINCT and sums of intervals stay accumulator objects', () => {
  assert.equal(columnarAggregate(agg('count', T.int8, [col(0, T.float8)], true)), null);
  assert.equal(columnarAggregate(agg('sum', T.interval, [col(0, T.interval)])), null);
  assert.equal(columnarAggregate(agg('max', T.float8, [col(0, T.float8)])), null);
});

const input = schemaOf(['k', T.int8], ['w', T.int8], ['v', T.float8]);
const source: SourceNode = { kind: 'source', relation: { kind: 'table', name: 't' }, columns: [0, 1, 2], schema: input };
const aggs = [agg('count_star', T.int8), agg('sum', T.float8, [col(2, T.float8)]), agg('max', T.float8, [col(2, T.float8)])];
const plan: AggregateNode = {
  kind: 'aggregate', input: source, groupBy: [0, 1], windowEnd: null, emit: 'changes', aggs,
  schema: schemaOf(['k', T.int8], ['w', T.int8], ['n', T.int8], ['s', T.float8], ['mx', T.float8]),
};

test('groups stored as objects restore into columns and go on', async () => {
  // State as the objects wrote it: groups (1, 2) with two rows (v 1.5 and 4) and (NULL, 2) with one (v 7).
  const factories = aggs.map((a) => accumulatorFactory(a));
  const groupOf = (key: string, keyValues: Value[], vs: number[]) => {
    const g = newGroup(key, keyValues, factories);
    const vec = vecFromValues(vs, T.float8);
    vs.forEach((_, i) => g.accs.forEach((a) => a.update([vec], i, 1)));
    g.rows = vs.length;
    g.emitted = [...keyValues, ...g.accs.map((a) => a.result())];
    return g;
  };
  const stored = [
    groupOf('1\u00012', [1n, 2n], [1.5, 4]),
    groupOf('\u0002N\u00012', [null, 2n], [7]),
  ];
  const delta = await new ChunkLog().write(1, stored.length, () => [], () => stored.map((g) => (w: ByteWriter) => {
    writeKey(w, g.key).u8(1);
    writeGroup(w, g);
  }), new Pacer());
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  dag.restore(new Map([...delta].map(([name, bytes]) => [`0/groups/${name}`, bytes!])));

  // Deleting v 4 from (1, 2) retracts the row emitted before the restart; (NULL, 2) gets a row and changes too.
  dag.sources[0].push({ data: batchFromRows(input, [[1n, 2n, 4], [null, 2n, 1]]), diffs: Int32Array.of(-1, 1) });
  const out = dag.endEpoch().flatMap((b) => rowsFromBatch(b.data, plan.schema).map((row, i) => [b.diffs === null ? 1 : b.diffs[i], ...row]));
  assert.deepEqual(out.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).sort(), [
    '[-1,1,2,2,5.5,4]',
    '[-1,null,2,1,7,7]',
    '[1,1,2,1,1.5,1.5]',
    '[1,null,2,2,8,7]',
  ]);
});

test('a group gone gives its number to the next new group; snapshots and a restore keep both right', async () => {
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const disk = new Map<string, Uint8Array>();
  const commit = async (epoch: number) => {
    for (const [k, v] of await dag.snapshot(epoch, new Pacer())) {
      if (v === null) disk.delete(k);
      else disk.set(k, v);
    }
  };
  dag.sources[0].push({ data: batchFromRows(input, [[1n, 1n, 10], [2n, 1n, 20]]), diffs: null });
  dag.endEpoch();
  await commit(1);
  // (1, 1) is gone, then (3, 1) comes and takes the number (1, 1) had.
  dag.sources[0].push({ data: batchFromRows(input, [[1n, 1n, 10]]), diffs: Int32Array.of(-1) });
  dag.endEpoch();
  await commit(2);
  dag.sources[0].push({ data: batchFromRows(input, [[3n, 1n, 30]]), diffs: null });
  dag.endEpoch();
  await commit(3);
  const restored = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  restored.restore(disk);
  assert.equal(restored.stateBytes(), dag.stateBytes());
  // Back again, (1, 1) is a new group; (3, 1) and (2, 1) change from what they emitted.
  const more = { data: batchFromRows(input, [[1n, 1n, 5], [3n, 1n, 1], [2n, 1n, 2]]), diffs: null };
  const rows = (d: typeof dag) => {
    d.sources[0].push(more);
    return d.endEpoch().flatMap((b) => rowsFromBatch(b.data, plan.schema).map((row, i) => `${b.diffs === null ? 1 : b.diffs[i]} ${row.join(',')}`)).sort();
  };
  const expected = ['-1 2,1,1,20,20', '-1 3,1,1,30,30', '1 1,1,1,5,5', '1 2,1,2,22,20', '1 3,1,2,31,30'];
  assert.deepEqual(rows(restored), expected);
  assert.deepEqual(rows(dag), expected);
});

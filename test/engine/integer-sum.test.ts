// sum(int8) and avg over integers as columns (engine/aggregate/integer-sum.ts) against the NumericSumAcc objects they
// replace: the same NUMERIC texts and the same state bytes over random inserts, deletes, NULLs and values near ±2^63
// (sums well past 2^64), and state either form wrote restores into the other.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulatorFactory, type Accumulator } from '../../engine/aggregate';
import { columnarAggregate } from '../../engine/aggregate/columnar';
import type { GroupedAggregate } from '../../engine/aggregate/grouped';
import { IntegerSumColumns } from '../../engine/aggregate/integer-sum';
import { vecFromValues, type Vec } from '../../engine/columns/vec';
import type { AggCall } from '../../engine/plan';
import { ByteReader, ByteWriter } from '../../engine/state/codec';
import type { SqlType, Value } from '../../engine/types';
import { agg, col, rng, T } from './helpers';

const CALLS: [string, AggCall, SqlType][] = [
  ['sum(int8)', agg('sum', T.numeric, [col(0, T.int8)]), T.int8],
  ['avg(int8)', agg('avg', T.numeric, [col(0, T.int8)]), T.int8],
  ['avg(int4)', agg('avg', T.numeric, [col(0, T.int4)]), T.int4],
  ['avg(int2)', agg('avg', T.numeric, [col(0, T.int2)]), T.int2],
];

const INT8_MAX = 2n ** 63n - 1n;

/** A random value of `type`: mostly small, some near the type's ends (for int8, near ±2^63), some NULL. */
function randomValue(r: () => number, type: SqlType): Value {
  if (r() < 0.1) return null;
  const small = BigInt(Math.floor((r() - 0.5) * 2000));
  if (type.name === 'int2') return r() < 0.3 ? Number((r() < 0.5 ? -32768n : 32767n) - small / 100n) : Number(small);
  if (type.name === 'int4') return r() < 0.3 ? (r() < 0.5 ? -2147483648 : 2147483647) - Number(small) : Number(small);
  const huge = r() < 0.5 ? INT8_MAX - (small < 0n ? -small : small) : -INT8_MAX - 1n + (small < 0n ? -small : small);
  const near53 = BigInt(Number.MAX_SAFE_INTEGER) - small;
  const pick = r();
  return pick < 0.3 ? huge : pick < 0.5 ? near53 : small;
}

const bytesOf = (write: (w: ByteWriter) => void): Uint8Array => {
  const w = new ByteWriter();
  write(w);
  return w.finish();
};

/** Holds `columns` to `accs`, group by group: results, then state bytes. */
function assertSame(name: string, columns: GroupedAggregate, accs: readonly Accumulator[], when: string): void {
  accs.forEach((acc, g) => {
    assert.deepEqual(columns.result(g), acc.result(), `${name}, ${when}, group ${g}`);
    assert.deepEqual(bytesOf((w) => columns.write(w, g)), bytesOf((w) => acc.write(w)), `${name}, ${when}, group ${g}: bytes`);
  });
}

test('integer sums and averages as columns give NumericSumAcc\'s results and bytes, through deletes, NULLs and huge values', () => {
  const r = rng(14);
  for (const [name, call, type] of CALLS) {
    const columns = columnarAggregate(call)!;
    assert.ok(columns instanceof IntegerSumColumns, `${name} is an integer sum column`);
    const groups = 20;
    columns.grow(groups);
    for (let g = 0; g < groups; g++) columns.clear(g);
    const accs = Array.from({ length: groups }, accumulatorFactory(call));
    const live: [number, Value][] = [];
    for (let batch = 0; batch < 60; batch++) {
      const values: Value[] = [];
      const weights: number[] = [];
      const of: number[] = [];
      for (let i = 0; i < 50; i++) {
        if (live.length > 0 && r() < 0.45) {
          const [g, v] = live.splice(Math.floor(r() * live.length), 1)[0];
          values.push(v);
          weights.push(-1);
          of.push(g);
          continue;
        }
        const v = randomValue(r, type);
        const g = r() < 0.05 ? -1 : Math.floor(r() * groups);
        // Now and then a row of weight 2, as two equal rows consolidated.
        const weight = r() < 0.1 ? 2 : 1;
        for (let k = 0; k < weight && g >= 0; k++) live.push([g, v]);
        values.push(v);
        weights.push(weight);
        of.push(g);
      }
      let vec: Vec = vecFromValues(values, type);
      // Half the batches as a kernel leaves them, doubles without the exact int64s.
      if (batch % 2 === 1 && vec.kind === 'num') vec = { ...vec, exact: undefined };
      columns.update([vec], Int32Array.from(of), Int32Array.from(weights), values.length);
      of.forEach((g, i) => {
        if (g >= 0) accs[g].update([vec], i, weights[i]);
      });
      assertSame(name, columns, accs, `batch ${batch}`);
    }
    // Everything retracted: no values, a NULL result, a zero sum in the bytes.
    for (const [g, v] of live) {
      const vec = vecFromValues([v], type);
      columns.update([vec], Int32Array.of(g), Int32Array.of(-1), 1);
      accs[g].update([vec], 0, -1);
    }
    assertSame(name, columns, accs, 'all retracted');
    for (let g = 0; g < groups; g++) assert.equal(columns.result(g), null);
  }
});

test('sums past 2^64 are exact, and the state either form writes restores into the other', () => {
  const call = agg('sum', T.numeric, [col(0, T.int8)]);
  const columns = columnarAggregate(call)!;
  const acc = accumulatorFactory(call)();
  columns.grow(1);
  columns.clear(0);
  const vec = vecFromValues([INT8_MAX, INT8_MAX, INT8_MAX, 5n, null], T.int8);
  columns.update([vec], new Int32Array(5), null, 5);
  for (let i = 0; i < 5; i++) acc.update([vec], i, 1);
  assert.equal(columns.result(0), (3n * INT8_MAX + 5n).toString());
  assertSame('sum(int8)', columns, [acc], 'past 2^64');

  // The accumulator's bytes into fresh columns, and the columns' bytes into a fresh accumulator.
  const restoredColumns = columnarAggregate(call)!;
  restoredColumns.grow(1);
  restoredColumns.read(new ByteReader(bytesOf((w) => acc.write(w))), 0);
  const restoredAcc = accumulatorFactory(call)();
  restoredAcc.read(new ByteReader(bytesOf((w) => columns.write(w, 0))));
  assertSame('sum(int8) restored', restoredColumns, [restoredAcc], 'after restore');
  // Both go on from there alike: back under 2^53 and below zero.
  const back = vecFromValues([-INT8_MAX, -INT8_MAX, -INT8_MAX, -INT8_MAX], T.int8);
  restoredColumns.update([back], new Int32Array(4), null, 4);
  for (let i = 0; i < 4; i++) restoredAcc.update([back], i, 1);
  assert.equal(restoredColumns.result(0), (5n - INT8_MAX).toString());
  assertSame('sum(int8) restored', restoredColumns, [restoredAcc], 'after more rows');

  // An average restored from small state reads back into the float slot and divides as NUMERIC does.
  const avg = agg('avg', T.numeric, [col(0, T.int4)]);
  const avgAcc = accumulatorFactory(avg)();
  const ints = vecFromValues([1, 2, 2], T.int4);
  for (let i = 0; i < 3; i++) avgAcc.update([ints], i, 1);
  const avgColumns = columnarAggregate(avg)!;
  avgColumns.grow(1);
  avgColumns.read(new ByteReader(bytesOf((w) => avgAcc.write(w))), 0);
  assert.equal(avgColumns.result(0), '1.6666666666666667');
  assertSame('avg(int4) restored', avgColumns, [avgAcc], 'after restore');
});

test('sum(numeric) stays NumericSumAcc objects', () => {
  assert.equal(columnarAggregate(agg('sum', T.numeric, [col(0, T.numeric)])), null);
  assert.equal(columnarAggregate(agg('avg', T.numeric, [col(0, T.numeric)])), null);
});

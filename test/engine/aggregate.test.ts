import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulatorFactory, type Accumulator } from '../../engine/aggregate';
import { vecFromValues } from '../../engine/columns/vec';
import { SqlError } from '../../engine/errors';
import type { AggCall } from '../../engine/plan';
import { ByteReader, ByteWriter } from '../../engine/state/codec';
import type { SqlType, Value } from '../../engine/types';
import { agg, col, lit, rng, T } from './helpers';

/** Feeds (value, weight) pairs one by one; returns the accumulator. */
function feed(call: AggCall, type: SqlType, pairs: [Value, number][], acc = accumulatorFactory(call)()): Accumulator {
  const vec = vecFromValues(pairs.map((p) => p[0]), type);
  pairs.forEach(([, w], i) => acc.update([vec], i, w));
  return acc;
}

function roundTrip(call: AggCall, acc: Accumulator): Accumulator {
  const w = new ByteWriter();
  acc.write(w);
  const copy = accumulatorFactory(call)();
  copy.read(new ByteReader(w.finish()));
  return copy;
}

const x = col(0, T.int4);
const ins = (...vs: Value[]): [Value, number][] => vs.map((v) => [v, 1]);
const del = (...vs: Value[]): [Value, number][] => vs.map((v) => [v, -1]);

test('count, sum, avg with NULLs and retraction', () => {
  const cases: [AggCall, Value, Value][] = [
    // call, result after inserting 1,2,NULL,3,3, result after then deleting 3 and NULL and 1
    [agg('count_star', T.int8), 5, 2],
    [agg('count', T.int8, [x]), 4, 2],
    [agg('sum', T.int8, [x]), 9, 5],
    [agg('avg', T.numeric, [x]), '2.2500000000000000', '2.5000000000000000'],
    [agg('min', T.int4, [x]), 1, 2],
    [agg('max', T.int4, [x]), 3, 3],
    [agg('count', T.int8, [x], true), 3, 2],
    [agg('sum', T.int8, [x], true), 6, 5],
  ];
  for (const [call, afterInsert, afterDelete] of cases) {
    const acc = feed(call, T.int4, ins(1, 2, null, 3, 3));
    assert.deepEqual(acc.result(), afterInsert, `${call.fn} after inserts`);
    feed(call, T.int4, del(3, null, 1), acc);
    assert.deepEqual(acc.result(), afterDelete, `${call.fn} after deletes`);
    assert.deepEqual(roundTrip(call, acc).result(), afterDelete, `${call.fn} restored`);
  }
  // Everything deleted: sum / avg / min are NULL again, counts 0.
  for (const fn of ['sum', 'avg', 'min', 'max', 'stddev'] as const) {
    const call = agg(fn, T.float8, [col(0, T.float8)]);
    const acc = feed(call, T.float8, [...ins(0.1, 0.2, 0.7), ...del(0.2, 0.1, 0.7)]);
    assert.equal(acc.result(), null, fn);
  }
});

test('min / max find the next value when the current one is deleted', () => {
  const call = agg('max', T.text, [col(0, T.text)]);
  const acc = feed(call, T.text, ins('b', 'z', 'a', 'z'));
  assert.equal(acc.result(), 'z');
  feed(call, T.text, del('z'), acc);
  assert.equal(acc.result(), 'z');
  feed(call, T.text, del('z'), acc);
  assert.equal(acc.result(), 'b');
  const restored = roundTrip(call, acc);
  feed(call, T.text, ins('c'), restored);
  assert.equal(restored.result(), 'c');
});

test('stddev is the sample standard deviation and retracts', () => {
  const call = agg('stddev', T.float8, [col(0, T.float8)]);
  const acc = feed(call, T.float8, ins(2, 4, 4, 4, 5, 5, 7, 9));
  assert.ok(Math.abs((acc.result() as number) - 2.138089935299395) < 1e-12);
  feed(call, T.float8, del(9, 7), acc);
  const direct = feed(call, T.float8, ins(2, 4, 4, 4, 5, 5));
  assert.ok(Math.abs((acc.result() as number) - (direct.result() as number)) < 1e-12);
  assert.equal(feed(call, T.float8, ins(1)).result(), null);
});

test('bool_and / bool_or count trues and falses', () => {
  const and = agg('bool_and', T.bool, [col(0, T.bool)]);
  const or = agg('bool_or', T.bool, [col(0, T.bool)]);
  const a = feed(and, T.bool, ins(true, false, null, true));
  const o = feed(or, T.bool, ins(false, null, true));
  assert.equal(a.result(), false);
  assert.equal(o.result(), true);
  feed(and, T.bool, del(false), a);
  feed(or, T.bool, del(true), o);
  assert.equal(a.result(), true);
  assert.equal(o.result(), false);
  assert.equal(roundTrip(and, a).result(), true);
  assert.equal(feed(and, T.bool, ins(null)).result(), null);
});

test('sum and avg of intervals', () => {
  const call = agg('sum', T.interval, [col(0, T.interval)]);
  const iv = (m: number, d: number, us: number): Value => ({ months: m, days: d, micros: us });
  const acc = feed(call, T.interval, ins(iv(1, 2, 3), iv(0, 1, 1000)));
  assert.deepEqual(acc.result(), iv(1, 3, 1003));
  const avg = agg('avg', T.interval, [col(0, T.interval)]);
  assert.deepEqual(feed(avg, T.interval, ins(iv(0, 1, 0), iv(0, 2, 0))).result(), iv(0, 1, 43_200_000_000));
});

test('accumulators merge (session windows)', () => {
  for (const fn of ['count', 'sum', 'avg', 'min', 'max', 'stddev'] as const) {
    const call = agg(fn, T.float8, [col(0, T.float8)]);
    const left = feed(call, T.float8, ins(1, 5, 2));
    left.merge(feed(call, T.float8, ins(8, 3)));
    const whole = feed(call, T.float8, ins(1, 5, 2, 8, 3));
    assert.ok(Math.abs((left.result() as number) - (whole.result() as number)) < 1e-12, fn);
  }
  const cd = agg('count', T.int8, [col(0, T.int4)], true);
  const l = feed(cd, T.int4, ins(1, 2));
  l.merge(feed(cd, T.int4, ins(2, 3)));
  assert.equal(l.result(), 3);
});

test('approx_count_distinct is within 2% on 100k values and refuses deletes', () => {
  const call = agg('approx_count_distinct', T.int8, [col(0, T.int8)]);
  const acc = accumulatorFactory(call)();
  const n = 100_000;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = i * 7919;
  const vec = { kind: 'num', type: T.int8, length: n, nulls: null, values } as const;
  for (let i = 0; i < n; i++) acc.update([vec], i, 1);
  // Duplicates change nothing.
  for (let i = 0; i < 1000; i++) acc.update([vec], i, 1);
  const est = acc.result() as number;
  assert.ok(Math.abs(est - n) / n < 0.02, `estimate ${est}`);
  assert.equal(roundTrip(call, acc).result(), est);
  // Small sets are (nearly) exact.
  const small = feed(agg('approx_count_distinct', T.int8, [col(0, T.text)]), T.text, ins('a', 'b', 'c', 'a', null));
  assert.equal(small.result(), 3);
  assert.throws(() => acc.update([vec], 0, -1), (e: unknown) => e instanceof SqlError && e.code === '0A000'
    && /approx_count_distinct/.test(e.message));
});

test('approx_percentile is within 1% rank error on 100k values and refuses deletes', () => {
  const next = rng(42);
  const n = 100_000;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = Math.floor(next() * 1e9) / 1e3;
  const vec = { kind: 'num', type: T.float8, length: n, nulls: null, values } as const;
  const sorted = Float64Array.from(values).sort();
  for (const q of [0.01, 0.25, 0.5, 0.9, 0.99]) {
    const call = agg('approx_percentile', T.float8, [col(0, T.float8), lit(q, T.float8)]);
    const acc = accumulatorFactory(call)();
    for (let i = 0; i < n; i++) acc.update([vec], i, 1);
    const answer = acc.result() as number;
    // The rank of the answer within the true sorted data.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < answer) lo = mid + 1;
      else hi = mid;
    }
    assert.ok(Math.abs(lo / n - q) < 0.01, `q=${q}: rank ${lo / n}`);
    assert.equal(roundTrip(call, acc).result(), answer);
    assert.throws(() => acc.update([vec], 0, -1), (e: unknown) => e instanceof SqlError && e.code === '0A000');
  }
  const exact = agg('approx_percentile', T.float8, [col(0, T.float8), lit(0.5, T.float8)]);
  assert.equal(feed(exact, T.float8, ins(5, 1, 3, null)).result(), 3);
});

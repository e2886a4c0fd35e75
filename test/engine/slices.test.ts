// Slicing a batch (engine/slices.ts) must change nothing but how much work runs at once: the slices hold the same
// rows, nulls and weights in the same order, and a DAG fed slices emits what it emits when fed the whole batch,
// late rows included (lateness depends on the log entries only, each carrying its stream's watermark).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { consolidate } from '../../engine/batch-run';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { buildDag } from '../../engine/dag';
import type { LateRow } from '../../engine/operators/operator';
import type { AggregateNode, SourceNode, WindowNode } from '../../engine/plan';
import { Pacer, SLICE_BUDGET_MS, slicesOf } from '../../engine/slices';
import type { Value } from '../../engine/types';
import { agg, col, multiset, rng, schemaOf, streamEntries, T } from './helpers';

const schema = schemaOf(['k', T.text], ['v', T.int8], ['ok', T.bool], ['t', T.timestamptz]);
const SECOND = 1_000_000n;

/** Rows with nulls in every column and event times that go back now and then, so some rows are late. */
function changes(n: number, seed: number): ChangeBatch {
  const random = rng(seed);
  const rows: Value[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push([
      random() < 0.1 ? null : `k${Math.floor(random() * 7)}`,
      random() < 0.1 ? null : BigInt(Math.floor(random() * 1000)),
      random() < 0.1 ? null : random() < 0.5,
      BigInt(i) * SECOND - (random() < 0.2 ? 30n * SECOND : 0n),
    ]);
  }
  const diffs = Int32Array.from(rows, (_, i) => (i > 3 && i % 11 === 0 ? -1 : 1));
  return { data: batchFromRows(schema, rows), diffs };
}

test('slices hold the batch\'s rows, nulls and weights, in order', () => {
  const whole = changes(100, 1);
  const slices = [...slicesOf(whole, 7)];
  assert.equal(slices.length, 15);
  assert.ok(slices.every((s) => s.data.numRows <= 7));
  assert.deepEqual(slices.flatMap((s) => rowsFromBatch(s.data, schema)), rowsFromBatch(whole.data, schema));
  assert.deepEqual(slices.flatMap((s) => [...s.diffs!]), [...whole.diffs!]);
  assert.deepEqual([...slicesOf(whole, 100)], [whole], 'a batch within the bound is not cut');
});

test('a DAG fed slices emits what it emits fed the whole batch, late rows included', () => {
  const source: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 's' }, columns: [0, 1, 2, 3], schema };
  const windowed: WindowNode = {
    kind: 'window', input: source, window: { kind: 'tumble', size: { months: 0, days: 0, micros: 10_000_000 } },
    time: { column: 3, watermarkDelayMicros: 5_000_000 },
    schema: [...schema, ...schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz])],
  };
  const plan: AggregateNode = {
    kind: 'aggregate', input: windowed, groupBy: [4, 0], windowEnd: null, emit: 'changes',
    aggs: [agg('count_star', T.int8), agg('sum', T.int8, [col(1, T.int8)]), agg('bool_or', T.bool, [col(2, T.bool)])],
    schema: schemaOf(['window_start', T.timestamptz], ['k', T.text], ['n', T.int8], ['sum', T.int8], ['any', T.bool]),
  };
  const run = (feed: (batch: ChangeBatch) => Iterable<ChangeBatch>) => {
    const late: LateRow[] = [];
    const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0, late: (r) => late.push(r) });
    const asEntry = streamEntries(schema, 3, 5_000_000);
    const out = [1, 2, 3].map((epoch) => {
      const entry = asEntry(changes(500, epoch));
      for (const slice of feed(entry)) dag.sources[0].push(slice);
      dag.sources[0].advanceWatermark(entry.watermark!);
      return multiset(consolidate(dag.endEpoch(), plan.schema));
    });
    return { out, late: late.map((r) => r.raw) };
  };
  const whole = run((b) => [b]);
  const sliced = run((b) => slicesOf(b, 13));
  assert.ok(whole.late.length > 0, 'some rows are late');
  assert.ok(whole.out.every((o) => o.length > 0), 'every epoch emits');
  assert.deepEqual(sliced, whole);
});

/** Keeps the CPU busy for `ms` milliseconds, as a slice of real work would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Resolves in a fresh turn of the event loop, once any earlier paced turn has been forgotten. */
const freshTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

test('a few quick paced steps run in one turn of the event loop', async () => {
  await freshTurn();
  let turned = false;
  setImmediate(() => (turned = true));
  const pacer = new Pacer();
  for (let step = 0; step < 3; step++) await pacer.between();
  assert.equal(turned, false, 'no yield within the budget');
});

test('many small pieces chained in one turn give the loop back once the turn has spent its budget', async () => {
  // As a thousand one-row epochs behind the epoch gate: each its own Pacer, each handing over through a microtask,
  // each far under the budget; only the turn's time shows when the chain must yield.
  await freshTurn();
  const runs: number[][] = [[]]; // the check times of each run of pieces between two yields
  for (let piece = 0; piece < 60; piece++) {
    const pacer = new Pacer();
    busy(0.5);
    runs.at(-1)!.push(performance.now());
    // An immediate set before the check runs first if the check yields (immediates run in order).
    let yielded = false;
    const probe = setImmediate(() => (yielded = true));
    await pacer.between();
    clearImmediate(probe);
    if (yielded) runs.push([]);
  }
  assert.ok(runs.length > 1, 'the chain yielded');
  for (const run of runs) {
    // Every check but the one that yielded saw the turn within its budget, measured from the turn's first check.
    const kept = run.slice(0, -1);
    if (kept.length > 0) assert.ok(kept.at(-1)! - run[0] < SLICE_BUDGET_MS, `a run went on past the budget: ${run.length} pieces`);
  }
});

// The end of an epoch over many groups works in paced steps (engine/slices.ts's Pacer): the aggregate's flush, the
// state snapshot, and the result's netting and chunk. Pacing must change nothing but when the event loop gets a
// turn: the same changes in the same order, the same state restored, the same stored result. Each test also checks
// that other work ran before the paced step finished, which no code path did while these steps ran in one piece.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { batchFromRows, concatBatches, rowsFromBatch } from '../../engine/columns';
import { buildDag } from '../../engine/dag';
import type { AggregateNode, SourceNode } from '../../engine/plan';
import { KeyedResult } from '../../engine/runtime/result-set';
import { Pacer, yieldToLoop } from '../../engine/slices';
import type { Value } from '../../engine/types';
import { agg, col, schemaOf, T } from './helpers';

/** Enough groups for every paced step to take many milliseconds, and several aggregate flush steps. */
const GROUPS = 40_000;

const schema = schemaOf(['k', T.int8], ['v', T.int8]);
const source: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 's' }, columns: [0, 1], schema };
const plan: AggregateNode = {
  kind: 'aggregate', input: source, groupBy: [0], windowEnd: null, emit: 'changes',
  aggs: [agg('count_star', T.int8), agg('sum', T.int8, [col(1, T.int8)])],
  schema: schemaOf(['k', T.int8], ['n', T.int8], ['sum', T.int8]),
};

/** One row per group, v = epoch: every group changes in every epoch (a delete and an insert each). */
function epochInput(epoch: number): ChangeBatch {
  const rows: Value[][] = [];
  for (let k = 0; k < GROUPS; k++) rows.push([BigInt(k), BigInt(epoch)]);
  return { data: batchFromRows(schema, rows), diffs: null };
}

/** Runs `work` and counts the turns of the event loop other work got before it resolved. */
/** A pacer that gives the event loop a turn after every slice, however short: the slices are what a test sees. */
class YieldEverySlice extends Pacer {
  override between(): Promise<void> {
    return yieldToLoop();
  }
}

/** What `read` returned in each turn of the event loop while `work` ran. */
async function readsDuring<T>(work: () => Promise<void>, read: () => T): Promise<T[]> {
  const reads: T[] = [];
  let done = false;
  const tick = (): void => {
    if (done) return;
    reads.push(read());
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  done = true;
  return reads;
}

async function turnsDuring<R>(work: () => Promise<R>): Promise<{ result: R; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await work();
  done = true;
  return { result, turns };
}

/** Rows with their weights, in the order they were emitted. */
function emitted(out: readonly ChangeBatch[]): string[] {
  return out.flatMap((b) => rowsFromBatch(b.data, plan.schema).map((r, i) => `${b.diffs?.[i] ?? 1} ${r.join(',')}`));
}

test('a paced epoch end emits the same changes in the same order as endEpoch, and lets other work run', async () => {
  const whole = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const paced = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  for (const epoch of [1, 2]) {
    whole.sources[0].push(epochInput(epoch));
    paced.sources[0].push(epochInput(epoch));
    const expected = emitted(whole.endEpoch());
    const { result, turns } = await turnsDuring(() => paced.endEpochPaced(new Pacer()));
    assert.equal(expected.length, epoch === 1 ? GROUPS : 2 * GROUPS);
    assert.deepEqual(emitted(result), expected, `epoch ${epoch}`);
    assert.ok(result.length > 1, 'the aggregate emitted in several steps');
    assert.ok(turns > 0, `epoch ${epoch}: the flush never gave the event loop a turn`);
  }
});

test('a paced state snapshot lets other work run, and restores to the same state', async () => {
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  dag.sources[0].push(epochInput(1));
  dag.endEpoch();
  const { result: delta, turns } = await turnsDuring(() => dag.snapshot(1, new Pacer()));
  assert.ok(turns > 0, 'the snapshot never gave the event loop a turn');
  const state = new Map<string, Uint8Array>();
  for (const [k, v] of delta) if (v !== null) state.set(k, v);
  const restored = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  restored.restore(state);
  assert.equal(restored.stateBytes(), dag.stateBytes());
  dag.sources[0].push(epochInput(2));
  restored.sources[0].push(epochInput(2));
  assert.deepEqual(emitted(restored.endEpoch()), emitted(dag.endEpoch()));
});

test('a keyed result nets and chunks many changes in paced slices; its chunks restore the applied result', async () => {
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const result = new KeyedResult();
  const disk = new Map<string, Uint8Array>();
  for (const epoch of [1, 2]) {
    dag.sources[0].push(epochInput(epoch));
    const out = dag.endEpoch();
    const changes: ChangeBatch = {
      data: concatBatches(plan.schema, out.map((b) => b.data)),
      diffs: out.some((b) => b.diffs !== null) ? Int32Array.from(out.flatMap((b) => [...(b.diffs ?? new Int32Array(b.data.numRows).fill(1))])) : null,
    };
    const planned = await turnsDuring(() => result.plan(changes, plan.schema, new Pacer()));
    assert.ok(planned.turns > 0, `epoch ${epoch}: netting never gave the event loop a turn`);
    assert.equal(planned.result.length, epoch === 1 ? GROUPS : 2 * GROUPS, 'each old row goes, each new row comes');
    const chunked = await turnsDuring(() => result.chunk(epoch, planned.result, new Pacer()));
    assert.ok(chunked.turns > 0, `epoch ${epoch}: the chunk never gave the event loop a turn`);
    const revealed = result.snapshot().sort();
    const seen = await readsDuring(() => result.applyHidden(planned.result, new YieldEverySlice()), () => result.snapshot().sort());
    assert.ok(seen.length > 0, `epoch ${epoch}: applying never gave the event loop a turn`);
    for (const rows of seen) assert.deepEqual(rows, revealed, `epoch ${epoch}: a reader saw a result half applied`);
    assert.deepEqual(result.snapshot().sort(), revealed, `epoch ${epoch}: readers saw the delta before reveal`);
    result.reveal();
    for (const [k, v] of chunked.result) if (v === null) disk.delete(k); else disk.set(k, v);
    const restored = new KeyedResult();
    restored.restore(disk);
    assert.deepEqual(restored.snapshot().sort(), result.snapshot().sort(), `epoch ${epoch}: restored result`);
  }
  assert.equal(result.size, GROUPS);
  assert.ok(result.snapshot().every((r) => Number(r[1]) === 2 && Number(r[2]) === 3), 'every group holds both epochs\' rows');
  const read = await turnsDuring(() => result.batches([2, 0], schemaOf(['sum', T.int8], ['k', T.int8]), new YieldEverySlice()));
  assert.ok(read.turns > 0, 'a SELECT of the result never gave the event loop a turn');
  const selected = read.result.flatMap((b) => rowsFromBatch(b.data, schemaOf(['sum', T.int8], ['k', T.int8])));
  assert.deepEqual(selected.sort(), result.snapshot().map((r) => [r[2], r[0]]).sort());
});

// State on disk is what an operator's snapshots wrote, applied in order (null deletes a key). A DAG restored from
// that state at any epoch must go on exactly as the DAG that never stopped: same outputs, epoch after epoch. Joins
// (whose buckets are written as chunks of changes and rewritten when chunks pile up) and aggregates, over random
// inserts and deletes, with restarts at every epoch.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { buildDag, type Dag } from '../../engine/dag';
import type { AggregateNode, JoinNode, PlanNode, SourceNode, WindowNode } from '../../engine/plan';
import type { Value } from '../../engine/types';
import { agg, col, rng, schemaOf, T } from './helpers';

const SECOND = 1_000_000;
const BASE = 1_767_261_600 * SECOND;
const schema = schemaOf(['k', T.int8], ['v', T.text], ['t', T.timestamptz]);
const left: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 'a' }, columns: [0, 1, 2], schema };
const right: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 'b' }, columns: [0, 1, 2], schema };
/** Deletes come from tables in real plans (a stream only inserts); joins do not care, min/max do. */
const table: SourceNode = { ...left, relation: { kind: 'table', name: 't' } };

function join(joinType: 'inner' | 'left'): JoinNode {
  return { kind: 'join', joinType, left, right, leftKeys: [0], rightKeys: [0], residual: null, schema: [...schema, ...schema] };
}

function hopCount(): AggregateNode {
  const window: WindowNode = {
    kind: 'window', input: table, time: { column: 2, delayMicros: 4 * SECOND },
    window: { kind: 'hop', slide: { months: 0, days: 0, micros: 2 * SECOND }, size: { months: 0, days: 0, micros: 10 * SECOND } },
    schema: [...schema, ...schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz])],
  };
  return {
    kind: 'aggregate', input: window, groupBy: [0, 3, 4], windowEnd: 2, emit: 'changes',
    aggs: [agg('count_star', T.int8), agg('max', T.text, [col(1, T.text)])],
    schema: schemaOf(['k', T.int8], ['window_start', T.timestamptz], ['window_end', T.timestamptz], ['n', T.int8], ['mx', T.text]),
  };
}

/** Random epochs of inserts and deletes on each input: few keys, so buckets grow and shrink over many epochs. */
function epochs(seed: number, count: number, inputs: number, keys: number, deletes = true): { input: number; batch: ChangeBatch }[][] {
  const r = rng(seed);
  const live: Value[][][] = Array.from({ length: inputs }, () => []);
  let clock = BASE;
  const out: { input: number; batch: ChangeBatch }[][] = [];
  for (let e = 0; e < count; e++) {
    const epoch: { input: number; batch: ChangeBatch }[] = [];
    for (let input = 0; input < inputs; input++) {
      const rows: Value[][] = [];
      const weights: number[] = [];
      for (let i = 0; i < 20; i++) {
        if (deletes && live[input].length > 0 && r() < 0.25) {
          rows.push(live[input].splice(Math.floor(r() * live[input].length), 1)[0]);
          weights.push(-1);
          continue;
        }
        clock += Math.floor(r() * SECOND / 2);
        const row: Value[] = [r() < 0.05 ? null : BigInt(Math.floor(r() * keys)), `v${Math.floor(r() * 6)}`, BigInt(clock)];
        live[input].push(row);
        rows.push(row);
        weights.push(1);
      }
      epoch.push({ input, batch: { data: batchFromRows(schema, rows), diffs: Int32Array.from(weights) } });
    }
    out.push(epoch);
  }
  return out;
}

function outputOf(dag: Dag, plan: PlanNode): string[] {
  const rows: string[] = [];
  for (const b of dag.endEpoch()) {
    rowsFromBatch(b.data, plan.schema).forEach((row, i) => {
      rows.push(`${b.diffs === null ? 1 : b.diffs[i]} ${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
    });
  }
  return rows.sort();
}

/** Returns how many state keys were deleted (rewrites delete the chunks they replace). */
function restartsMatch(plan: PlanNode, inputs: number, seed: number, count = 80, keys = 4, deletes = true): number {
  const steady = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  let restarted = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const disk = new Map<string, Uint8Array>();
  const all = epochs(seed, count, inputs, keys, deletes);
  let deleted = 0;
  all.forEach((epoch, e) => {
    for (const { input, batch } of epoch) {
      steady.sources[input].push(batch);
      restarted.sources[input].push(batch);
    }
    assert.deepEqual(outputOf(restarted, plan), outputOf(steady, plan), `epoch ${e}`);
    steady.snapshot();
    for (const [k, v] of restarted.snapshot()) {
      if (v === null) {
        disk.delete(k);
        deleted++;
      }
      else disk.set(k, v);
    }
    restarted = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
    restarted.restore(disk);
  });
  assert.ok(disk.size > 0);
  assert.equal(restarted.stateBytes(), steady.stateBytes());
  return deleted;
}

test('a restored INNER JOIN goes on like one that never stopped', () => {
  restartsMatch(join('inner'), 2, 1);
  // Long enough for the chunks to be rewritten, in several parts.
  assert.ok(restartsMatch(join('inner'), 2, 4, 400, 300) > 0, 'the chunks were rewritten');
});
test('a restored LEFT JOIN goes on like one that never stopped', () => {
  restartsMatch(join('left'), 2, 2);
});
test('a restored HOP aggregate goes on like one that never stopped', () => {
  restartsMatch(hopCount(), 1, 3);
});

test('a join on window_end evicts ended windows, on disk too: restored, it goes on the same', () => {
  const windowSchema = [...schema, ...schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz])];
  const tumble = (input: SourceNode): WindowNode => ({
    kind: 'window', input, time: { column: 2, delayMicros: 2 * SECOND },
    window: { kind: 'tumble', size: { months: 0, days: 0, micros: 5 * SECOND } }, schema: windowSchema,
  });
  const plan: JoinNode = {
    kind: 'join', joinType: 'inner', left: tumble(left), right: tumble(right), leftKeys: [0, 4], rightKeys: [0, 4],
    residual: null, schema: [...windowSchema, ...windowSchema],
  };
  restartsMatch(plan, 2, 5, 200, 3, false);
  // Without eviction the state would hold all 8,000 rows; with it, only the windows still open.
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const all = epochs(5, 200, 2, 3, false);
  for (const epoch of all) {
    for (const { input, batch } of epoch) dag.sources[input].push(batch);
    dag.endEpoch();
  }
  const full = buildDag({ ...plan }, { mode: 'batch', nowMicros: 0 });
  for (const epoch of all) for (const { input, batch } of epoch) full.sources[input].push(batch);
  assert.ok(dag.stateBytes() * 10 < full.stateBytes(), `${dag.stateBytes()} bytes kept, ${full.stateBytes()} without eviction`);
});

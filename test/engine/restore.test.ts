// State on disk is what a DAG's snapshots wrote, applied in order (null deletes a key). A DAG restored from that
// state at any epoch must go on exactly as the DAG that never stopped: same outputs, same late rows, same watermark,
// epoch after epoch. Every stateful operator (joins, aggregates, DISTINCT, SESSION, TUMBLE's event clock, VALUES),
// over random inserts and deletes, with restarts at every epoch; the state tables write chunks of changes and
// rewrite them when chunks pile up.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { buildDag, type Dag } from '../../engine/dag';
import { Pacer } from '../../engine/slices';
import type { AggregateNode, JoinNode, PlanNode, SessionAggregateNode, SourceNode, WindowNode } from '../../engine/plan';
import type { Value } from '../../engine/types';
import { agg, col, lit, rng, schemaOf, T } from './helpers';

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

const windowSchema = [...schema, ...schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz])];
const seconds = (n: number) => ({ months: 0, days: 0, micros: n * SECOND });

function hop(input: SourceNode): WindowNode {
  return {
    kind: 'window', input, time: { column: 2, watermarkDelayMicros: 4 * SECOND },
    window: { kind: 'hop', slide: seconds(2), size: seconds(10) }, schema: windowSchema,
  };
}

function tumble(input: SourceNode, delaySeconds = 2): WindowNode {
  return {
    kind: 'window', input, time: { column: 2, watermarkDelayMicros: delaySeconds * SECOND },
    window: { kind: 'tumble', size: seconds(5) }, schema: windowSchema,
  };
}

/** Count and max per key and window; EMIT ON WINDOW CLOSE needs the watermark back after a restart. */
function perWindow(input: WindowNode, emit: AggregateNode['emit']): AggregateNode {
  return {
    kind: 'aggregate', input, groupBy: [0, 3, 4], windowEnd: 2, emit,
    aggs: [agg('count_star', T.int8), agg('max', T.text, [col(1, T.text)])],
    schema: schemaOf(['k', T.int8], ['window_start', T.timestamptz], ['window_end', T.timestamptz], ['n', T.int8], ['mx', T.text]),
  };
}

function session(emit: SessionAggregateNode['emit']): SessionAggregateNode {
  return {
    kind: 'session_aggregate', input: left, keys: [0], time: { column: 2, watermarkDelayMicros: 2 * SECOND }, gap: seconds(1),
    aggs: [agg('count_star', T.int8), agg('min', T.text, [col(1, T.text)])], emit,
    schema: schemaOf(['k', T.int8], ['window_start', T.timestamptz], ['window_end', T.timestamptz], ['n', T.int8], ['mn', T.text]),
  };
}

interface Workload {
  /** Epochs (80), distinct keys (4), whether rows are deleted again (true), and how far (in seconds) a row's event
   * time may fall behind the latest one (0: in order). */
  readonly count?: number;
  readonly keys?: number;
  readonly deletes?: boolean;
  readonly jitter?: number;
}

/** Each input's batches carry its watermark as a stream's log entries do: WATERMARK FOR t AS t - 2 s. */
const SOURCE_DELAY = 2 * SECOND;

/** Pushes one input's log entry, then hands on the watermark it carries. */
function feed(dag: Dag, input: number, batch: ChangeBatch): void {
  dag.sources[input].push(batch);
  if (batch.watermark !== undefined) dag.sources[input].advanceWatermark(batch.watermark);
}

/** Random epochs of inserts and deletes on each input: few keys, so buckets grow and shrink over many epochs. */
function epochs(seed: number, inputs: number, { count = 80, keys = 4, deletes = true, jitter = 0 }: Workload): { input: number; batch: ChangeBatch }[][] {
  const r = rng(seed);
  const live: Value[][][] = Array.from({ length: inputs }, () => []);
  const latest: number[] = Array.from({ length: inputs }, () => -Infinity);
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
        const time = clock - Math.floor(r() * jitter * SECOND);
        const row: Value[] = [r() < 0.05 ? null : BigInt(Math.floor(r() * keys)), `v${Math.floor(r() * 6)}`, BigInt(time)];
        live[input].push(row);
        rows.push(row);
        weights.push(1);
        latest[input] = Math.max(latest[input], time);
      }
      const batch = { data: batchFromRows(schema, rows), diffs: Int32Array.from(weights) };
      epoch.push({ input, batch: latest[input] === -Infinity ? batch : { ...batch, watermark: latest[input] - SOURCE_DELAY } });
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
async function restartsMatch(plan: PlanNode, inputs: number, seed: number, workload: Workload = {}): Promise<number> {
  const steady = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  let restarted = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const disk = new Map<string, Uint8Array>();
  const all = epochs(seed, inputs, workload);
  let deleted = 0;
  for (const [e, epoch] of all.entries()) {
    const lateBefore = steady.lateRows();
    for (const { input, batch } of epoch) {
      feed(steady, input, batch);
      feed(restarted, input, batch);
    }
    assert.deepEqual(outputOf(restarted, plan), outputOf(steady, plan), `epoch ${e}`);
    assert.equal(restarted.lateRows(), steady.lateRows() - lateBefore, `epoch ${e}: late rows`);
    assert.equal(restarted.watermark(), steady.watermark(), `epoch ${e}: watermark`);
    assert.equal(restarted.stateBytes(), steady.stateBytes(), `epoch ${e}: state bytes`);
    await steady.snapshot(e + 1, new Pacer());
    for (const [k, v] of await restarted.snapshot(e + 1, new Pacer())) {
      if (v === null) {
        disk.delete(k);
        deleted++;
      }
      else disk.set(k, v);
    }
    restarted = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
    restarted.restore(disk);
    assert.equal(restarted.watermark(), steady.watermark(), `epoch ${e}: watermark restored`);
  }
  assert.ok(disk.size > 0);
  assert.equal(restarted.stateBytes(), steady.stateBytes());
  return deleted;
}

test('a restored INNER JOIN goes on like one that never stopped', async () => {
  await restartsMatch(join('inner'), 2, 1);
  // Long enough for the chunks to be rewritten, in several parts.
  assert.ok(await restartsMatch(join('inner'), 2, 4, { count: 400, keys: 300 }) > 0, 'the chunks were rewritten');
});
test('a restored LEFT JOIN goes on like one that never stopped', async () => {
  await restartsMatch(join('left'), 2, 2);
});
test('a restored HOP aggregate goes on like one that never stopped', async () => {
  await restartsMatch(perWindow(hop(table), 'changes'), 1, 3);
});
test('a restored aggregate EMIT ON WINDOW CLOSE goes on like one that never stopped, late rows and all', async () => {
  await restartsMatch(perWindow(tumble(left), 'on_window_close'), 1, 6, { deletes: false, jitter: 3 });
});
test('a restored global and a restored grouped aggregate go on like ones that never stopped', async () => {
  const aggs = [agg('count_star', T.int8), agg('max', T.text, [col(1, T.text)]), agg('count', T.int8, [col(1, T.text)], true)];
  const out = schemaOf(['n', T.int8], ['mx', T.text], ['nd', T.int8]);
  await restartsMatch({ kind: 'aggregate', input: table, groupBy: [], windowEnd: null, emit: 'changes', aggs, schema: out }, 1, 7);
  await restartsMatch({
    kind: 'aggregate', input: table, groupBy: [0], windowEnd: null, emit: 'changes', aggs,
    schema: [...schemaOf(['k', T.int8]), ...out],
  }, 1, 8, { count: 300, keys: 200 });
});
test('a restored aggregate of sums per window goes on like one that never stopped', async () => {
  const k = col(0, T.int8);
  await restartsMatch({
    kind: 'aggregate', input: hop(table), groupBy: [3, 4], windowEnd: 1, emit: 'changes',
    aggs: [agg('sum', T.numeric, [k]), agg('avg', T.numeric, [k]), agg('count', T.int8, [k])],
    schema: schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz], ['s', T.numeric], ['a', T.numeric], ['n', T.int8]),
  }, 1, 14, { count: 200, keys: 50 });
});
test('a restored DISTINCT goes on like one that never stopped', async () => {
  const pairs = schemaOf(['k', T.int8], ['v', T.text]);
  const project: PlanNode = { kind: 'project', input: table, exprs: [col(0, T.int8), col(1, T.text)], schema: pairs };
  await restartsMatch({ kind: 'distinct', input: project, schema: pairs }, 1, 9);
});
test('a restored SESSION aggregate goes on like one that never stopped', async () => {
  await restartsMatch(session('changes'), 1, 10, { deletes: false, jitter: 3 });
  await restartsMatch(session('on_window_close'), 1, 11, { deletes: false, jitter: 3 });
});
test('a restored TUMBLE keeps its event clock: the same rows are late', async () => {
  await restartsMatch(tumble(left), 1, 12, { deletes: false, jitter: 4 });
});
test('restored VALUES do not come out twice', async () => {
  const values: PlanNode = { kind: 'values', rows: [[lit(1n, T.int8), lit('x', T.text), lit(BigInt(BASE), T.timestamptz)]], schema };
  await restartsMatch({ kind: 'union', inputs: [left, values], schema }, 1, 13, { count: 5 });
});

test('a join on window_end evicts ended windows, on disk too: restored, it goes on the same', async () => {
  const plan: JoinNode = {
    kind: 'join', joinType: 'inner', left: tumble(left), right: tumble(right), leftKeys: [0, 4], rightKeys: [0, 4],
    residual: null, schema: [...windowSchema, ...windowSchema],
  };
  await restartsMatch(plan, 2, 5, { count: 200, keys: 3, deletes: false });
  // Without eviction the state would hold all 8,000 rows; with it, only the windows still open.
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const all = epochs(5, 2, { count: 200, keys: 3, deletes: false });
  for (const epoch of all) {
    for (const { input, batch } of epoch) feed(dag, input, batch);
    dag.endEpoch();
  }
  const full = buildDag({ ...plan }, { mode: 'batch', nowMicros: 0 });
  for (const epoch of all) for (const { input, batch } of epoch) full.sources[input].push(batch);
  assert.ok(dag.stateBytes() * 10 < full.stateBytes(), `${dag.stateBytes()} bytes kept, ${full.stateBytes()} without eviction`);
});

test('a restored aggregate knows its input\'s watermark: a delete for a window it closed changes nothing', async () => {
  const plan = perWindow(tumble(table, 0), 'changes');
  const steady = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const row = (v: string, s: number): Value[] => [1n, v, BigInt(BASE + s * SECOND)];
  // The row at 7 s closes the window [0 s, 5 s).
  feed(steady, 0, { data: batchFromRows(schema, [row('a', 1), row('b', 7)]), diffs: null, watermark: BASE + 7 * SECOND });
  steady.endEpoch();
  const restarted = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  restarted.restore(new Map([...await steady.snapshot(1, new Pacer())].filter((e): e is [string, Uint8Array] => e[1] !== null)));
  // A delete is never late, so it reaches the aggregate, which must know that its window is closed.
  for (const dag of [steady, restarted]) dag.sources[0].push({ data: batchFromRows(schema, [row('a', 1)]), diffs: Int32Array.of(-1) });
  assert.deepEqual(outputOf(restarted, plan), outputOf(steady, plan));
  assert.equal(restarted.stateBytes(), steady.stateBytes());
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { consolidate, runPull } from '../../engine/batch-run';
import { batchFromRows } from '../../engine/columns';
import { buildDag, type Dag } from '../../engine/dag';
import { Pacer } from '../../engine/slices';
import { SqlError } from '../../engine/errors';
import type { LateRow } from '../../engine/operators/operator';
import type { AggregateNode, PlanNode, SessionAggregateNode, SourceNode, WindowNode } from '../../engine/plan';
import { parseValue } from '../../engine/text';
import type { Schema, Value } from '../../engine/types';
import { UTC_ZONE } from '../../engine/values/timezone';
import { explainPlan } from '../../planner/explain';
import { agg, call, col, lit, multiset, schemaOf, streamFeed, T } from './helpers';

const ts = (s: string): bigint => parseValue(`2026-01-01 ${s}+00`, T.timestamptz) as bigint;
const iv = (s: string) => parseValue(s, T.interval) as { months: number; days: number; micros: number };

const eventSchema = schemaOf(['k', T.text], ['v', T.int4], ['t', T.timestamptz]);
const source: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 'events' }, columns: [0, 1, 2], schema: eventSchema };
const windowed = schemaOf(['k', T.text], ['v', T.int4], ['t', T.timestamptz], ['window_start', T.timestamptz], ['window_end', T.timestamptz]);

function tumble(size: string, delay = 0): WindowNode {
  return { kind: 'window', input: source, window: { kind: 'tumble', size: iv(size) }, time: { column: 2, watermarkDelayMicros: delay }, schema: windowed };
}

function perWindow(input: WindowNode, emit: AggregateNode['emit']): AggregateNode {
  return {
    kind: 'aggregate', input, groupBy: [3, 4, 0],
    aggs: [agg('count_star', T.int8), agg('sum', T.int8, [col(1, T.int4)])],
    windowEnd: 1, emit,
    schema: schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz], ['k', T.text], ['count', T.int8], ['sum', T.int8]),
  };
}

const inserts = (schema: Schema, rows: Value[][]): ChangeBatch => ({ data: batchFromRows(schema, rows), diffs: null });

/**
 * Each of the DAG's sources fed as a stream of events with WATERMARK FOR t AS t - `delay`: a call is one log entry,
 * which carries the stream's watermark as of itself.
 */
function streams(dag: Dag, delay = 0): ((rows: Value[][]) => void)[] {
  return dag.sources.map((s) => {
    const feed = streamFeed(s, eventSchema, 2, delay);
    return (rows) => feed(inserts(eventSchema, rows));
  });
}

/**
 * Runs a plan incrementally over a stream with WATERMARK FOR t AS t - `delay`: one epoch per list of log entries,
 * each a list of rows. Returns the output of each epoch.
 */
function epochs(plan: PlanNode, entries: Value[][][][], late: LateRow[] = [], delay = 0) {
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0, late: (r) => late.push(r) });
  const [feed] = streams(dag, delay);
  return entries.map((epoch) => {
    for (const rows of epoch) feed(rows);
    return dag.endEpoch();
  });
}

function pull(plan: PlanNode, rows: Value[][], late?: (r: LateRow) => void): Promise<Value[][]> {
  return runPull(plan, () => [inserts(eventSchema, rows)], { params: [], nowMicros: 0, zone: UTC_ZONE, late });
}

test('TUMBLE assigns each row its window; late rows are dropped and reported', async () => {
  const late: LateRow[] = [];
  const out = epochs(tumble('1 minute', 5_000_000), [[
    [['a', 1, ts('10:00:03')], ['a', 2, ts('10:00:59.999999')], ['b', 3, ts('10:01:10')]],
    [
      ['a', 4, ts('10:01:04')], // 10:01:10 - 5s = 10:01:05 watermark of the entry before: late
      ['a', 5, ts('10:01:06')],
    ],
  ]], late, 5_000_000);
  const rows = consolidate(out[0], windowed);
  assert.deepEqual(rows.map((r) => [r[1], r[3], r[4]]), [
    [1, ts('10:00:00'), ts('10:01:00')], [2, ts('10:00:00'), ts('10:01:00')], [3, ts('10:01:00'), ts('10:02:00')],
    [5, ts('10:01:00'), ts('10:02:00')],
  ]);
  assert.equal(late.length, 1);
  assert.equal(late[0].raw, '(a,4,"2026-01-01 10:01:04+00")');
  assert.equal(late[0].watermark, Number(ts('10:01:05')));
});

test('HOP puts a row in size/slide windows', async () => {
  const hop: WindowNode = { ...tumble('1 minute'), window: { kind: 'hop', slide: iv('20 seconds'), size: iv('1 minute') } };
  const rows = await pull(hop, [['a', 1, ts('10:00:45')]]);
  assert.deepEqual(rows.map((r) => [r[3], r[4]]), [
    [ts('10:00:00'), ts('10:01:00')],
    [ts('10:00:20'), ts('10:01:20')],
    [ts('10:00:40'), ts('10:01:40')],
  ]);
});

test('aggregate EMIT CHANGES: every changed group deletes its old row and inserts the new one', () => {
  const plan = perWindow(tumble('1 minute'), 'changes');
  const out = epochs(plan, [
    [[['a', 1, ts('10:00:01')], ['a', 2, ts('10:00:02')], ['b', 5, ts('10:00:03')]]],
    [[['a', 10, ts('10:00:04')]]],
    [],
  ]);
  const schema = plan.schema;
  assert.deepEqual(multiset(consolidate(out[0], schema)), multiset([
    [ts('10:00:00'), ts('10:01:00'), 'a', 2n, 3n], [ts('10:00:00'), ts('10:01:00'), 'b', 1n, 5n],
  ]));
  const second = out[1][0];
  assert.deepEqual(Array.from(second.diffs ?? []), [-1, 1]);
  assert.equal(out[2].length, 0);
});

test('aggregate EMIT ON WINDOW CLOSE emits a window once, when the watermark passes its end, and evicts it', async () => {
  const plan = perWindow(tumble('1 minute'), 'on_window_close');
  const dag = buildDag(plan, { mode: 'incremental' });
  const [feed] = streams(dag);
  feed([['a', 1, ts('10:00:01')], ['a', 2, ts('10:00:30')]]);
  assert.deepEqual(dag.endEpoch(), []);
  assert.ok(dag.stateBytes() > 0);
  // State as stored: what the snapshots wrote, in order (null deletes a key).
  const disk = new Map<string, Uint8Array>();
  const save = (delta: Map<string, Uint8Array | null>): void => {
    for (const [k, v] of delta) if (v === null) disk.delete(k); else disk.set(k, v);
  };
  save(await dag.snapshot(1, new Pacer()));
  assert.ok(disk.size >= 2, 'the group and the watermarks are saved');
  feed([['a', 3, ts('10:01:00')]]);
  const out = dag.endEpoch();
  assert.deepEqual(consolidate(out, plan.schema), [[ts('10:00:00'), ts('10:01:00'), 'a', 2n, 3n]]);
  assert.equal(out[0].diffs, null);
  // The closed window's state is gone from storage too: restored, the DAG holds the open window only.
  save(await dag.snapshot(2, new Pacer()));
  const restored = buildDag(plan, { mode: 'incremental' });
  restored.restore(disk);
  assert.ok(dag.stateBytes() > 0);
  assert.equal(restored.stateBytes(), dag.stateBytes());
  feed([['a', 4, ts('10:02:30')]]);
  assert.deepEqual(consolidate(dag.endEpoch(), plan.schema), [[ts('10:01:00'), ts('10:02:00'), 'a', 1n, 3n]]);
  assert.equal(dag.endEpoch().length, 0);
});

test('a global aggregate has one row over empty input, and retracts through changes', async () => {
  const plan: AggregateNode = {
    // Deletes come from a table (a stream only inserts, and min/max over a stream keep only the extreme).
    kind: 'aggregate', input: { ...source, relation: { kind: 'table', name: 'events' } }, groupBy: [], windowEnd: null, emit: 'changes',
    aggs: [agg('count_star', T.int8), agg('max', T.int4, [col(1, T.int4)])],
    schema: schemaOf(['count', T.int8], ['max', T.int4]),
  };
  assert.deepEqual(await pull(plan, []), [[0n, null]]);
  const dag = buildDag(plan, { mode: 'incremental' });
  assert.deepEqual(consolidate(dag.endEpoch(), plan.schema), [[0n, null]]);
  dag.sources[0].push(inserts(eventSchema, [['a', 3, ts('10:00:00')], ['a', 9, ts('10:00:00')]]));
  dag.endEpoch();
  dag.sources[0].push({ data: batchFromRows(eventSchema, [['a', 9, ts('10:00:00')]]), diffs: Int32Array.of(-1) });
  const out = dag.endEpoch();
  assert.deepEqual(consolidate(out, plan.schema), [[1n, 3]]);
});

test('state survives snapshot and restore', async () => {
  const plan = perWindow(tumble('1 minute'), 'changes');
  const a = buildDag(plan, { mode: 'incremental' });
  const [feedA] = streams(a);
  feedA([['a', 1, ts('10:00:01')], ['b', 2, ts('10:00:02')]]);
  a.endEpoch();
  const state = new Map<string, Uint8Array>();
  for (const [k, v] of await a.snapshot(1, new Pacer())) if (v !== null) state.set(k, v);
  const b = buildDag(plan, { mode: 'incremental' });
  b.restore(state);
  // The same entry to both: b's watermark (10:00:02) came back with its state, so 09:00 is late in both.
  const entry = { ...inserts(eventSchema, [['a', 5, ts('10:00:05')], ['a', 0, ts('09:00:00')]]), watermark: Number(ts('10:00:05')) };
  for (const dag of [a, b]) {
    dag.sources[0].push(entry);
    dag.sources[0].advanceWatermark(entry.watermark);
  }
  const outA = a.endEpoch();
  const outB = b.endEpoch();
  assert.deepEqual(consolidate(outA, plan.schema), consolidate(outB, plan.schema));
  assert.equal(b.lateRows(), 1);
});

test('SESSION: rows closer than the gap share a session; a bridging row merges two sessions', async () => {
  const plan: SessionAggregateNode = {
    kind: 'session_aggregate', input: source, keys: [0], time: { column: 2, watermarkDelayMicros: 60_000_000 }, gap: iv('10 seconds'),
    aggs: [agg('count_star', T.int8), agg('sum', T.int8, [col(1, T.int4)])], emit: 'changes',
    schema: schemaOf(['k', T.text], ['window_start', T.timestamptz], ['window_end', T.timestamptz], ['count', T.int8], ['sum', T.int8]),
  };
  const dag = buildDag(plan, { mode: 'incremental' });
  dag.sources[0].push(inserts(eventSchema, [['a', 1, ts('10:00:00')], ['a', 2, ts('10:00:15')], ['b', 7, ts('10:00:01')]]));
  assert.deepEqual(multiset(consolidate(dag.endEpoch(), plan.schema)), multiset([
    ['a', ts('10:00:00'), ts('10:00:10'), 1n, 1n], ['a', ts('10:00:15'), ts('10:00:25'), 1n, 2n],
    ['b', ts('10:00:01'), ts('10:00:11'), 1n, 7n],
  ]));
  // 10:00:08 is within 10 s of both: the two sessions of 'a' become one.
  dag.sources[0].push(inserts(eventSchema, [['a', 4, ts('10:00:08')]]));
  const out = dag.endEpoch();
  const changes = out.flatMap((b) => {
    const rows = consolidate([{ data: b.data, diffs: null }], plan.schema);
    return rows.map((r, i) => [b.diffs === null ? 1 : b.diffs[i], ...r]);
  });
  assert.deepEqual(multiset(changes), multiset([
    [-1, 'a', ts('10:00:00'), ts('10:00:10'), 1n, 1n],
    [-1, 'a', ts('10:00:15'), ts('10:00:25'), 1n, 2n],
    [1, 'a', ts('10:00:00'), ts('10:00:25'), 3n, 7n],
  ]));
  // ON WINDOW CLOSE in batch mode: every session closes at the end of input.
  const owc = { ...plan, emit: 'on_window_close' as const };
  assert.deepEqual(multiset(await pull(owc, [['a', 1, ts('10:00:00')], ['a', 2, ts('10:00:15')], ['a', 4, ts('10:00:08')]])),
    multiset([['a', ts('10:00:00'), ts('10:00:25'), 3n, 7n]]));
  assert.throws(() => {
    const d = buildDag(plan, { mode: 'incremental' });
    d.sources[0].push({ data: batchFromRows(eventSchema, [['a', 1, ts('10:00:00')]]), diffs: Int32Array.of(-1) });
  }, (e: unknown) => e instanceof SqlError && e.code === '0A000');
});

test('filter, project, distinct, sort and limit in a pull query', async () => {
  const filter: PlanNode = { kind: 'filter', input: source, predicate: call('>', T.bool, col(1, T.int4), lit(1, T.int4)), schema: eventSchema };
  const project: PlanNode = {
    kind: 'project', input: filter, exprs: [col(0, T.text), call('*', T.int4, col(1, T.int4), lit(10, T.int4))],
    schema: schemaOf(['k', T.text], ['v10', T.int4]),
  };
  const distinct: PlanNode = { kind: 'distinct', input: project, schema: project.schema };
  const sort: PlanNode = {
    kind: 'sort', input: distinct, schema: project.schema,
    keys: [{ expr: col(1, T.int4), descending: true, nullsFirst: true }, { expr: col(0, T.text), descending: false, nullsFirst: false }],
  };
  const limit: PlanNode = { kind: 'limit', input: sort, limit: 3, offset: 1, schema: project.schema };
  const rows: Value[][] = [['a', 1, ts('10:00:00')], ['b', 2, ts('10:00:00')], ['c', 3, ts('10:00:00')],
    ['b', 2, ts('10:00:01')], ['a', null, ts('10:00:00')], ['d', 3, ts('10:00:00')], ['e', 5, ts('10:00:00')]];
  assert.deepEqual(await pull(sort, rows), [['e', 50], ['c', 30], ['d', 30], ['b', 20]]);
  assert.deepEqual(await pull(limit, rows), [['c', 30], ['d', 30], ['b', 20]]);
  assert.deepEqual(explainPlan(limit), [
    'Limit 3 offset=1',
    '  Sort [v10 DESC, k]',
    '    Distinct',
    '      Project [k, (v * 10) AS v10]',
    '        Filter (v > 1)',
    '          Source stream events columns=[k, v, t]',
  ]);
  assert.throws(() => buildDag(limit, { mode: 'incremental' }), (e: unknown) => e instanceof SqlError && e.code === '0A000');
});

test('INNER and LEFT join with a residual condition, incrementally', async () => {
  const left: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 'l' }, columns: [0, 1], schema: schemaOf(['id', T.int4], ['x', T.int4]) };
  const right: SourceNode = { kind: 'source', relation: { kind: 'table', name: 'r' }, columns: [0, 1], schema: schemaOf(['id', T.int8], ['y', T.int4]) };
  const joinSchema = schemaOf(['id', T.int4], ['x', T.int4], ['rid', T.int8], ['y', T.int4]);
  const join = (joinType: 'inner' | 'left'): PlanNode => ({
    kind: 'join', joinType, left, right, leftKeys: [0], rightKeys: [0],
    residual: call('<', T.bool, col(1, T.int4), col(3, T.int4)), schema: joinSchema,
  });
  const lrows: Value[][] = [[1, 5], [1, 50], [2, 1], [null, 1]];
  const rrows: Value[][] = [[1n, 10], [1n, 20], [3n, 0]];
  const read = (n: SourceNode): ChangeBatch[] => [inserts(n.schema, n === left ? lrows : rrows)];
  assert.deepEqual(multiset(await runPull(join('inner'), read, { params: [], nowMicros: 0, zone: UTC_ZONE })), multiset([[1, 5, 1n, 10], [1, 5, 1n, 20]]));
  assert.deepEqual(multiset(await runPull(join('left'), read, { params: [], nowMicros: 0, zone: UTC_ZONE })), multiset([
    [1, 5, 1n, 10], [1, 5, 1n, 20], [1, 50, null, null], [2, 1, null, null], [null, 1, null, null],
  ]));
  // Incrementally: left first, then a right row arrives (null-extended row replaced), then it is deleted again.
  const dag = buildDag(join('left'), { mode: 'incremental' });
  const [ls, rs] = dag.sources;
  ls.push(inserts(left.schema, [[2, 1]]));
  assert.deepEqual(consolidate(dag.endEpoch(), joinSchema), [[2, 1, null, null]]);
  rs.push(inserts(right.schema, [[2n, 9]]));
  const out = dag.endEpoch();
  const flat = out.flatMap((b) => consolidate([{ data: b.data, diffs: null }], joinSchema).map((r, i) => [b.diffs?.[i] ?? 1, ...r]));
  assert.deepEqual(multiset(flat), multiset([[1, 2, 1, 2n, 9], [-1, 2, 1, null, null]]));
  rs.push({ data: batchFromRows(right.schema, [[2n, 9]]), diffs: Int32Array.of(-1) });
  const back = dag.endEpoch().flatMap((b) => consolidate([{ data: b.data, diffs: null }], joinSchema).map((r, i) => [b.diffs?.[i] ?? 1, ...r]));
  assert.deepEqual(multiset(back), multiset([[-1, 2, 1, 2n, 9], [1, 2, 1, null, null]]));
});

test('union and values', async () => {
  const values: PlanNode = { kind: 'values', rows: [[lit('z', T.text), lit(1, T.int4), lit(ts('10:00:00'), T.timestamptz)]], schema: eventSchema };
  const union: PlanNode = { kind: 'union', inputs: [source, values], schema: eventSchema };
  assert.deepEqual(multiset(await pull(union, [['a', 2, ts('10:00:01')]])), multiset([['a', 2, ts('10:00:01')], ['z', 1, ts('10:00:00')]]));
});

test('the runner gives a two-input operator the minimum of its inputs\' watermarks, once it advances', () => {
  const other: SourceNode = { ...source, relation: { kind: 'stream', name: 'other' } };
  const union: PlanNode = { kind: 'union', inputs: [tumble('1 minute'), { ...tumble('1 minute'), input: other }], schema: windowed };
  const plan: AggregateNode = {
    kind: 'aggregate', input: union, groupBy: [3, 4], aggs: [agg('count_star', T.int8)], windowEnd: 1, emit: 'on_window_close',
    schema: schemaOf(['window_start', T.timestamptz], ['window_end', T.timestamptz], ['count', T.int8]),
  };
  const dag = buildDag(plan, { mode: 'incremental' });
  const [a, b] = streams(dag);
  const epoch = (rowsA: Value[][], rowsB: Value[][]): Value[][] => {
    if (rowsA.length > 0) a(rowsA);
    if (rowsB.length > 0) b(rowsB);
    return consolidate(dag.endEpoch(), plan.schema);
  };
  // Only one input has a watermark: the union has none, so no window closes.
  assert.deepEqual(epoch([['a', 1, ts('10:00:10')], ['a', 1, ts('10:01:30')]], []), []);
  assert.equal(dag.watermark(), Number(ts('10:01:30')), 'the lowest watermark any operator emitted');
  // The other input's watermark is the lower one: still nothing closes.
  assert.deepEqual(epoch([], [['b', 1, ts('10:00:20')]]), []);
  assert.equal(dag.watermark(), Number(ts('10:00:20')));
  // Both are past 10:01: the first window closes, with the rows of both inputs.
  assert.deepEqual(epoch([], [['b', 1, ts('10:01:05')]]), [[ts('10:00:00'), ts('10:01:00'), 2n]]);
  // The first input runs ahead; the minimum stays where the second input is.
  assert.deepEqual(epoch([['a', 1, ts('10:03:00')]], []), []);
  assert.deepEqual(epoch([], [['b', 1, ts('10:02:30')]]), [[ts('10:01:00'), ts('10:02:00'), 2n]]);
  assert.equal(dag.watermark(), Number(ts('10:02:30')));
});

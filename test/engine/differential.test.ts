// The invariant of SQL.md at the engine level: a plan fed random changes incrementally, epoch by epoch, has after
// every epoch produced exactly (as a multiset, after consolidating +1/-1) what the same plan gives when run once
// as a batch over all input so far. Random keys, NULLs, out-of-order event times, late rows, deletes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../engine/batch';
import { runPull } from '../../engine/batch-run';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { buildDag } from '../../engine/dag';
import type { AggCall, AggregateNode, PlanNode, SessionAggregateNode, SourceNode, WindowNode } from '../../engine/plan';
import type { Schema, SqlType, Value } from '../../engine/types';
import { UTC_ZONE } from '../../engine/values/timezone';
import { agg, call, col, lit, rng, schemaOf, streamEntries, T } from './helpers';

const schema = schemaOf(['k', T.text], ['v', T.int4], ['f', T.float8], ['b', T.bool], ['t', T.timestamptz]);
const src: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 's' }, columns: [0, 1, 2, 3, 4], schema };
/** Changing input (deletes) comes from a table: a stream only inserts, and the engine relies on it (min/max). */
const table: SourceNode = { ...src, relation: { kind: 'table', name: 't' } };
const SECOND = 1_000_000;
const BASE = 1_767_261_600 * SECOND;

interface Change {
  readonly row: Value[];
  readonly weight: number;
}

/** Random epochs of changes; with `deletes`, some changes delete a row inserted earlier. */
function randomEpochs(seed: number, epochs: number, perEpoch: number, deletes: boolean): Change[][] {
  const r = rng(seed);
  const live: Value[][] = [];
  let clock = BASE;
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)];
  const out: Change[][] = [];
  for (let e = 0; e < epochs; e++) {
    const changes: Change[] = [];
    for (let i = 0; i < perEpoch; i++) {
      if (deletes && live.length > 0 && r() < 0.3) {
        const victim = live.splice(Math.floor(r() * live.length), 1)[0];
        changes.push({ row: victim, weight: -1 });
        continue;
      }
      clock += Math.floor(r() * 3 * SECOND);
      // Out of order: up to 20 s back, so some rows fall below a 5 s watermark delay.
      const t = clock - (r() < 0.2 ? Math.floor(r() * 20 * SECOND) : 0);
      const row: Value[] = [
        pick(['a', 'b', 'c', 'd', null]),
        r() < 0.1 ? null : Math.floor(r() * 100) - 20,
        r() < 0.1 ? null : Math.floor(r() * 400) / 4,
        r() < 0.1 ? null : r() < 0.5,
        BigInt(t),
      ];
      live.push(row);
      changes.push({ row, weight: 1 });
    }
    out.push(changes);
  }
  return out;
}

function toBatch(changes: readonly Change[]): ChangeBatch {
  return {
    data: batchFromRows(schema, changes.map((c) => c.row)),
    diffs: changes.every((c) => c.weight === 1) ? null : Int32Array.from(changes.map((c) => c.weight)),
  };
}

/** A row's identity for multisets; floats rounded so that summation order cannot matter. */
function identity(row: readonly Value[]): string {
  return JSON.stringify(row, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(10));
    return v;
  });
}

function multisetOf(rows: readonly (readonly Value[])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const row of rows) m.set(identity(row), (m.get(identity(row)) ?? 0) + 1);
  return m;
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m.entries()].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Runs `plan` incrementally over the epochs and, after each one, compares the accumulated output with a batch
 * run over all input so far (`batchFilter` narrows the batch result, e.g. to windows closed so far). Each epoch's
 * changes are one log entry; insert-only input is a stream with WATERMARK FOR t AS t - 5 s, whose entries carry
 * its watermark, to the incremental and the batch run alike.
 */
async function differential(plan: PlanNode, epochs: Change[][], batchFilter?: (row: Value[], watermark: number | null) => boolean): Promise<number> {
  const dag = buildDag(plan, { mode: 'incremental', nowMicros: 0 });
  const acc = new Map<string, number>();
  const isStream = epochs.every((changes) => changes.every((c) => c.weight === 1));
  const asEntry = isStream ? streamEntries(schema, 4, 5 * SECOND) : (b: ChangeBatch) => b;
  const seen: ChangeBatch[] = [];
  let outputs = 0;
  for (const [e, changes] of epochs.entries()) {
    if (changes.length > 0) {
      const entry = asEntry(toBatch(changes));
      dag.sources[0].push(entry);
      if (entry.watermark !== undefined) dag.sources[0].advanceWatermark(entry.watermark);
      seen.push(entry);
    }
    for (const b of dag.endEpoch()) {
      rowsFromBatch(b.data, plan.schema).forEach((row, i) => {
        const k = identity(row);
        acc.set(k, (acc.get(k) ?? 0) + (b.diffs === null ? 1 : b.diffs[i]));
      });
    }
    for (const [k, n] of acc) assert.ok(n >= 0, `epoch ${e}: row ${k} deleted more often than inserted`);
    outputs += [...acc.values()].filter((n) => n > 0).length;
    const batch = await runPull(plan, () => seen, { params: [], nowMicros: 0, zone: UTC_ZONE });
    const wm = dag.watermark();
    const expected = multisetOf(batchFilter === undefined ? batch : batch.filter((r) => batchFilter(r, wm)));
    assert.deepEqual(sorted(acc), sorted(expected), `epoch ${e} differs from the batch result`);
  }
  // The check means something only if rows came out.
  assert.ok(outputs > epochs.length, `only ${outputs} rows came out`);
  return dag.lateRows();
}

const exactAggs = (): AggCall[] => [
  agg('count_star', T.int8),
  agg('count', T.int8, [col(1, T.int4)]),
  agg('sum', T.int8, [col(1, T.int4)]),
  agg('avg', T.float8, [col(2, T.float8)]),
  agg('min', T.int4, [col(1, T.int4)]),
  agg('max', T.float8, [col(2, T.float8)]),
  agg('stddev', T.float8, [col(2, T.float8)]),
  agg('bool_and', T.bool, [col(3, T.bool)]),
  agg('bool_or', T.bool, [col(3, T.bool)]),
  agg('count', T.int8, [col(1, T.int4)], true),
];

const aggSchema = (keys: [string, SqlType][]): Schema => schemaOf(...keys,
  ['n', T.int8], ['nv', T.int8], ['sum', T.int8], ['avg', T.float8], ['min', T.int4], ['max', T.float8],
  ['sd', T.float8], ['band', T.bool], ['bor', T.bool], ['dv', T.int8]);

const windowSchema = schemaOf(...schema.map((f): [string, typeof f.type] => [f.name, f.type]),
  ['window_start', T.timestamptz], ['window_end', T.timestamptz]);

function windowed(spec: WindowNode['window']): WindowNode {
  return { kind: 'window', input: src, window: spec, time: { column: 4, watermarkDelayMicros: 5 * SECOND }, schema: windowSchema };
}

function windowAgg(input: WindowNode, emit: AggregateNode['emit']): AggregateNode {
  return {
    kind: 'aggregate', input, groupBy: [5, 6, 0], aggs: exactAggs(), windowEnd: 1, emit,
    schema: aggSchema([['window_start', T.timestamptz], ['window_end', T.timestamptz], ['k', T.text]]),
  };
}

const tenSeconds = { months: 0, days: 0, micros: 10 * SECOND };

test('differential: TUMBLE aggregate, EMIT CHANGES, late rows', async () => {
  const late = await differential(windowAgg(windowed({ kind: 'tumble', size: tenSeconds }), 'changes'), randomEpochs(1, 12, 40, false));
  assert.ok(late > 5, `${late} late rows`);
});

test('differential: HOP aggregate, EMIT CHANGES', async () => {
  const hop = windowed({ kind: 'hop', slide: { months: 0, days: 0, micros: 5 * SECOND }, size: tenSeconds });
  await differential(windowAgg(hop, 'changes'), randomEpochs(2, 10, 40, false));
});

test('differential: TUMBLE aggregate, EMIT ON WINDOW CLOSE equals the batch over closed windows', async () => {
  const plan = windowAgg(windowed({ kind: 'tumble', size: tenSeconds }), 'on_window_close');
  await differential(plan, randomEpochs(3, 12, 40, false), (row, wm) => wm !== null && Number(row[1]) <= wm);
});

test('differential: filtered, projected aggregate over a changing input (deletes)', async () => {
  const filter: PlanNode = {
    kind: 'filter', input: table, schema,
    predicate: call('or', T.bool, call('is_null', T.bool, col(1, T.int4)), call('>', T.bool, col(1, T.int4), lit(0, T.int4))),
  };
  const plan: AggregateNode = {
    kind: 'aggregate', input: filter, groupBy: [0], aggs: exactAggs(), windowEnd: null, emit: 'changes',
    schema: aggSchema([['k', T.text]]),
  };
  await differential(plan, randomEpochs(4, 15, 30, true));
});

test('differential: chained aggregates (count of keys per sum band over per-key sums)', async () => {
  const perKey: AggregateNode = {
    kind: 'aggregate', input: table, groupBy: [0], aggs: [agg('sum', T.int8, [col(1, T.int4)])], windowEnd: null,
    emit: 'changes', schema: schemaOf(['k', T.text], ['total', T.int8]),
  };
  const band: PlanNode = {
    kind: 'project', input: perKey, schema: schemaOf(['band', T.int8], ['k', T.text]),
    exprs: [call('/', T.int8, call('coalesce', T.int8, col(1, T.int8), lit(0, T.int8)), lit(100, T.int8)), col(0, T.text)],
  };
  const plan: AggregateNode = {
    kind: 'aggregate', input: band, groupBy: [0], windowEnd: null, emit: 'changes',
    aggs: [agg('count_star', T.int8), agg('max', T.text, [col(1, T.text)])],
    schema: schemaOf(['band', T.int8], ['keys', T.int8], ['maxk', T.text]),
  };
  await differential(plan, randomEpochs(5, 15, 30, true));
});

test('differential: SESSION windows merge the same way incrementally and in batch', async () => {
  const gapped = randomEpochs(6, 12, 25, false).map((e) => e.map((c) => {
    // Spread times out so that sessions form and merge.
    const row = [...c.row];
    row[4] = BigInt(BASE) + (BigInt(row[4] as bigint) - BigInt(BASE)) * 3n;
    return { row, weight: c.weight };
  }));
  for (const emit of ['changes', 'on_window_close'] as const) {
    const plan: SessionAggregateNode = {
      kind: 'session_aggregate', input: src, keys: [0], time: { column: 4, watermarkDelayMicros: 5 * SECOND },
      gap: { months: 0, days: 0, micros: 4 * SECOND }, emit,
      aggs: [agg('count_star', T.int8), agg('sum', T.int8, [col(1, T.int4)]), agg('max', T.float8, [col(2, T.float8)])],
      schema: schemaOf(['k', T.text], ['window_start', T.timestamptz], ['window_end', T.timestamptz], ['n', T.int8],
        ['sum', T.int8], ['max', T.float8]),
    };
    await differential(plan, gapped, emit === 'changes' ? undefined : (row, wm) => wm !== null && Number(row[2]) <= wm);
  }
});

test('differential: DISTINCT and LEFT JOIN over changing input', async () => {
  const keys: PlanNode = { kind: 'project', input: table, exprs: [col(0, T.text), col(3, T.bool)], schema: schemaOf(['k', T.text], ['b', T.bool]) };
  await differential({ kind: 'distinct', input: keys, schema: keys.schema }, randomEpochs(7, 12, 30, true));
  // A self-join of the source: both sides see the same changes (one source node, two consumers).
  const join: PlanNode = {
    kind: 'join', joinType: 'left', left: keys, right: table, leftKeys: [0], rightKeys: [0],
    residual: call('is_distinct_from', T.bool, col(1, T.bool), col(5, T.bool)),
    schema: schemaOf(['k', T.text], ['b', T.bool], ['k2', T.text], ['v', T.int4], ['f', T.float8], ['b2', T.bool], ['t', T.timestamptz]),
  };
  await differential(join, randomEpochs(8, 8, 12, true));
});

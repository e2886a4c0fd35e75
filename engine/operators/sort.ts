// ORDER BY, for pull queries: gathers every row, then emits them sorted at the end of input. In a continuous query
// the result is a set, so order means nothing there and rows pass through (the planner drops ORDER BY there, or
// makes a top-n of ORDER BY ... LIMIT).
//
// The sort runs in bounded steps (issue 15: no statement may freeze other sessions): the rows are cut into runs of at
// most RUN_ROWS, each run is sorted in a step of its own, and the runs are then merged a few thousand rows per step,
// each step emitting its rows. One sort of 2 M rows in one go held the event loop for seconds. The order is the one a
// single stable sort gives: by the keys, then by input order (a run before a later run, a row before a later row).

import type { RecordBatch } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { concatBatches, takeBatch } from '../columns/rows';
import type { Vec } from '../columns/vec';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import { compareAt } from '../expr/kernels/compare';
import type { SortNode } from '../plan';
import { batchBytes } from '../memory/sizes';
import { SLICE_ROWS } from '../slices';
import type { Schema } from '../types';
import { consolidateBatches } from './changes';
import { runSteps, StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

/** Rows sorted in one step: a sort of this many takes a few milliseconds. */
const RUN_ROWS = SLICE_ROWS;

/** Rows merged and emitted in one step. */
const MERGE_ROWS_PER_STEP = 4096;

interface SortKey {
  readonly expr: CompiledExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A run: rows, their key values, and their order once sorted. */
interface Run {
  readonly rows: RecordBatch;
  readonly keys: readonly Vec[];
  order: Int32Array;
}

export class SortOperator extends StatelessOperator {
  private readonly keys: SortKey[];
  private buffered: ChangeBatch[] = [];
  private bufferedBytes = 0;

  constructor(private readonly node: SortNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out);
    this.keys = node.keys.map((k) => ({ expr: compileExpr(k.expr), descending: k.descending, nullsFirst: k.nullsFirst }));
  }

  push(_input: number, batch: ChangeBatch): void {
    if (this.ctx.mode === 'incremental') this.out.emit(batch);
    else if (batch.data.numRows > 0) this.buffer(batch);
  }

  private buffer(batch: ChangeBatch): void {
    const bytes = batchBytes(batch.data);
    this.ctx.memory?.hold(bytes, 'sort buffer');
    this.bufferedBytes += bytes;
    this.buffered.push(batch);
  }

  override endOfInput(): void {
    runSteps(this.endOfInputSteps());
  }

  *endOfInputSteps(): Generator<void> {
    if (this.ctx.mode === 'incremental' || this.buffered.length === 0) return;
    const schema = this.node.input.schema;
    const runs: Run[] = [];
    for (const rows of this.runRows(schema)) {
      runs.push(this.sortedRun(rows, schema));
      yield;
    }
    yield* this.merge(schema, runs);
    this.ctx.memory?.release(this.bufferedBytes, 'sort buffer');
  }

  /**
   * The buffered rows cut into runs (zero-copy slices). Deletes must cancel inserted copies first, which needs all the
   * rows at once; a pull's sort input rarely has any (a plain SELECT inserts only).
   */
  private *runRows(schema: Schema): Generator<RecordBatch> {
    const batches = this.buffered;
    this.buffered = [];
    const whole = batches.every((b) => b.diffs === null) ? batches.map((b) => b.data) : [consolidateBatches(schema, batches)];
    for (const data of whole) {
      for (let at = 0; at < data.numRows; at += RUN_ROWS) yield data.slice(at, Math.min(data.numRows, at + RUN_ROWS));
    }
  }

  private sortedRun(rows: RecordBatch, schema: Schema): Run {
    const view = new BatchColumns(rows, schema);
    const keys = this.keys.map((k) => k.expr.eval(view, this.ctx.eval));
    const order = Array.from({ length: rows.numRows }, (_, i) => i);
    order.sort((i, j) => this.compare(keys, i, keys, j) || i - j);
    return { rows, keys, order: Int32Array.from(order) };
  }

  /** Row i of keys `a` against row j of keys `b` under the sort keys: NULLs where NULLS FIRST/LAST puts them. */
  private compare(a: readonly Vec[], i: number, b: readonly Vec[], j: number): number {
    for (let k = 0; k < a.length; k++) {
      const va = a[k];
      const vb = b[k];
      const { descending, nullsFirst } = this.keys[k];
      const ni = va.nulls !== null && va.nulls[i] === 1;
      const nj = vb.nulls !== null && vb.nulls[j] === 1;
      if (ni || nj) {
        if (ni && nj) continue;
        return (ni ? -1 : 1) * (nullsFirst ? 1 : -1);
      }
      const c = compareAt(va, i, vb, j);
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  }

  /** Merges the sorted runs, MERGE_ROWS_PER_STEP rows per step, emitting each step's rows. */
  private *merge(schema: Schema, runs: readonly Run[]): Generator<void> {
    if (runs.length === 1) {
      yield* this.emitInSteps(schema, runs[0]);
      return;
    }
    const heap = new RunHeap(runs, (a, b) => {
      const c = this.compare(runs[a.run].keys, runs[a.run].order[a.at], runs[b.run].keys, runs[b.run].order[b.at]);
      return c !== 0 ? c : a.run - b.run;
    });
    while (heap.size > 0) {
      const picked: { run: number; row: number }[] = [];
      while (heap.size > 0 && picked.length < MERGE_ROWS_PER_STEP) {
        const top = heap.top();
        picked.push({ run: top.run, row: runs[top.run].order[top.at] });
        heap.advanceTop();
      }
      this.out.emit({ data: gather(schema, runs, picked), diffs: null });
      if (heap.size > 0) yield;
    }
  }

  /** A single run needs no merge: its rows go out in its order, a step's worth at a time. */
  private *emitInSteps(schema: Schema, run: Run): Generator<void> {
    for (let at = 0; at < run.order.length; at += MERGE_ROWS_PER_STEP) {
      const indexes = run.order.subarray(at, Math.min(run.order.length, at + MERGE_ROWS_PER_STEP));
      this.out.emit({ data: takeBatch(schema, run.rows, indexes), diffs: null });
      if (at + MERGE_ROWS_PER_STEP < run.order.length) yield;
    }
  }
}

/**
 * Rows picked from several runs, in the picked order, as one batch: each run's rows are taken, the parts concatenated,
 * and the whole put in order with one more take (Arrow columns are taken from one batch at a time).
 */
function gather(schema: Schema, runs: readonly Run[], picked: readonly { run: number; row: number }[]): RecordBatch {
  const byRun = new Map<number, number[]>();
  for (const p of picked) {
    let rows = byRun.get(p.run);
    if (rows === undefined) byRun.set(p.run, (rows = []));
    rows.push(p.row);
  }
  const parts: RecordBatch[] = [];
  const offset = new Map<number, number>();
  let total = 0;
  for (const [run, rows] of byRun) {
    offset.set(run, total);
    parts.push(takeBatch(schema, runs[run].rows, rows));
    total += rows.length;
  }
  if (parts.length === 1) return parts[0];
  const seen = new Map<number, number>();
  const order = new Int32Array(picked.length);
  picked.forEach((p, k) => {
    const n = seen.get(p.run) ?? 0;
    seen.set(p.run, n + 1);
    order[k] = offset.get(p.run)! + n;
  });
  return takeBatch(schema, concatBatches(schema, parts), order);
}

/** Where the merge stands in a run: the next position of its order to emit. */
interface Head {
  readonly run: number;
  at: number;
}

/** A binary min-heap of the runs' heads, by their next row. */
class RunHeap {
  private readonly heads: Head[];

  constructor(private readonly runs: readonly Run[], private readonly compare: (a: Head, b: Head) => number) {
    this.heads = runs.map((_, run) => ({ run, at: 0 })).filter((h) => runs[h.run].order.length > 0);
    for (let i = (this.heads.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.heads.length;
  }

  top(): Head {
    return this.heads[0];
  }

  /** The top run emitted its row: on to its next one, or out of the heap when it has none. */
  advanceTop(): void {
    const h = this.heads[0];
    h.at++;
    if (h.at >= this.runs[h.run].order.length) {
      const last = this.heads.pop()!;
      if (this.heads.length === 0) return;
      this.heads[0] = last;
    }
    this.down(0);
  }

  private down(i: number): void {
    const n = this.heads.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.compare(this.heads[l], this.heads[m]) < 0) m = l;
      if (r < n && this.compare(this.heads[r], this.heads[m]) < 0) m = r;
      if (m === i) return;
      [this.heads[i], this.heads[m]] = [this.heads[m], this.heads[i]];
      i = m;
    }
  }
}

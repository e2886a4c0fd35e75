// ORDER BY, for pull queries: gathers every row, then emits them sorted at the end of input. In a continuous query
// the result is a set, so order means nothing there and rows pass through (the planner drops ORDER BY there, or
// makes a top-n of ORDER BY ... LIMIT).
//
// The sort runs in bounded steps (issue 15: no statement may freeze other sessions): the rows are cut into runs of at
// most RUN_ROWS, each run is sorted in a step of its own, and the runs are then merged a few thousand rows (or a couple
// of milliseconds) per step, each step emitting its rows. One sort of 2 M rows in one go held the event loop for seconds. The order is the one a
// single stable sort gives: by the keys, then by input order (a run before a later run, a row before a later row).

import type { RecordBatch } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { batchFromData, columnData, takeBatch } from '../columns/rows';
import { DataConcat } from '../columns/take';
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

/**
 * Rows sorted in one step: a sort of this many takes a few milliseconds (runs of 16 K took 40 to 100 ms on the loaded
 * test machine).
 */
const RUN_ROWS = SLICE_ROWS / 4;

/** Rows merged and emitted in one step at most; a step also ends once it has run MERGE_STEP_MS. */
const MERGE_ROWS_PER_STEP = 4096;
const MERGE_STEP_MS = 2;
/** How many rows the merge picks between looks at the clock. */
const MERGE_CLOCK_ROWS = 256;

interface SortKey {
  readonly expr: CompiledExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A run: its key values, and its rows' order once sorted, as indexes into all the rows (the run's start added). */
interface Run {
  readonly keys: readonly Vec[];
  readonly start: number;
  readonly order: Int32Array;
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
    const parts = this.inputRows(schema);
    // All the rows in one batch, a part per step, so the merge takes each step's rows from one place.
    const total = parts.reduce((n, p) => n + p.numRows, 0);
    const concat = parts.length === 1 ? null : schema.map((_, c) => new DataConcat(columnData(parts[0], c), total));
    const runs: Run[] = [];
    let start = 0;
    for (const part of parts) {
      concat?.forEach((column, c) => column.add(columnData(part, c)));
      for (let at = 0; at < part.numRows; at += RUN_ROWS) {
        const rows = part.slice(at, Math.min(part.numRows, at + RUN_ROWS));
        runs.push(this.sortedRun(rows, schema, start));
        start += rows.numRows;
        yield;
      }
    }
    const all = concat === null ? parts[0] : batchFromData(schema, concat.map((c) => c.finish()), total);
    yield* this.merge(schema, all, runs);
    this.ctx.memory?.release(this.bufferedBytes, 'sort buffer');
  }

  /**
   * The buffered rows, in input order. Deletes must cancel inserted copies first, which needs all the rows at once; a
   * pull's sort input rarely has any (a plain SELECT inserts only).
   */
  private inputRows(schema: Schema): RecordBatch[] {
    const batches = this.buffered;
    this.buffered = [];
    return batches.every((b) => b.diffs === null) ? batches.map((b) => b.data) : [consolidateBatches(schema, batches)];
  }

  /** Rows `rows`, the ones from `start` on of all the rows, sorted. */
  private sortedRun(rows: RecordBatch, schema: Schema, start: number): Run {
    const view = new BatchColumns(rows, schema);
    const keys = this.keys.map((k) => k.expr.eval(view, this.ctx.eval));
    const order = Array.from({ length: rows.numRows }, (_, i) => i);
    order.sort((i, j) => this.compare(keys, i, keys, j) || i - j);
    return { keys, start, order: Int32Array.from(order) };
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

  /** Merges the sorted runs into the order of `all`'s rows, a step's worth at a time, emitting each step's rows. */
  private *merge(schema: Schema, all: RecordBatch, runs: readonly Run[]): Generator<void> {
    const heap = new RunHeap(runs, (a, b) => {
      const c = this.compare(runs[a.run].keys, runs[a.run].order[a.at], runs[b.run].keys, runs[b.run].order[b.at]);
      return c !== 0 ? c : a.run - b.run;
    });
    const picked = new Int32Array(MERGE_ROWS_PER_STEP);
    while (heap.size > 0) {
      let n = 0;
      const began = performance.now();
      while (heap.size > 0 && n < MERGE_ROWS_PER_STEP) {
        const top = heap.top();
        const run = runs[top.run];
        picked[n++] = run.start + run.order[top.at];
        heap.advanceTop();
        if (n % MERGE_CLOCK_ROWS === 0 && performance.now() - began >= MERGE_STEP_MS) break;
      }
      this.out.emit({ data: takeBatch(schema, all, picked.subarray(0, n)), diffs: null });
      if (heap.size > 0) yield;
    }
  }
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

// The rows of each window whose value is the window's maximum (Nexmark q7's "highest bid"): what an inner join of a
// windowed stream to its own per-window max(value) returns, without keeping every row of the window. Per open window
// it keeps the largest value seen and only the rows tied with it; a larger value displaces them. Like the join it
// replaces (fed by an aggregate that emits changes), it emits at the end of every epoch what the epoch changed:
// deletes of the rows a larger value displaced, inserts of the rows newly tied with the maximum. A row whose value is
// NULL is never a maximum (max() ignores it, and `x = NULL` matches nothing).
//
// The input never retracts (the planner only plans this over a stream), so a window's maximum only grows. Once the
// watermark passes a window's end no row can reach it any more (the window operator drops late rows): its rows stay
// in the output and its state is evicted. Values compare as the aggregate's max and the join's keys did: as numbers.

import type { ChangeBatch } from '../batch';
import { rowsFromBatch, takeBatch } from '../columns/rows';
import type { NumVec } from '../columns/vec';
import { BatchColumns } from '../expr/context';
import type { WindowMaxNode } from '../plan';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { StateTable, ValueCodec } from '../state/table';
import type { Value } from '../types';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector } from './groups';
import type { Operator, OperatorContext, OperatorOutput } from './operator';

interface WindowTop {
  readonly end: number;
  /** The window's largest value so far. */
  max: number;
  /** The rows whose value is `max`, in arrival order; the first `emitted` of them are in the output. */
  rows: Value[][];
  emitted: number;
  /** Rows in the output that a larger value displaced this epoch: deleted at the flush. */
  displaced: Value[][];
}

/** A window's state bytes (keyed by its end): its maximum and its rows. Stored at flushes, when all are emitted. */
const TOP_CODEC: ValueCodec<WindowTop> = {
  write(w: ByteWriter, t: WindowTop): void {
    w.f64(t.max).uvar(t.rows.length);
    for (const row of t.rows) {
      w.uvar(row.length);
      for (const v of row) w.value(v);
    }
  },
  read(r: ByteReader, key): WindowTop {
    const max = r.f64();
    const rows: Value[][] = [];
    for (let n = r.uvar(); n > 0; n--) {
      const row: Value[] = [];
      for (let width = r.uvar(); width > 0; width--) row.push(r.value());
      rows.push(row);
    }
    return { end: Number(key), max, rows, emitted: rows.length, displaced: [] };
  },
};

export class WindowMaxOperator implements Operator {
  /** Each open window's maximum and rows, by window end. */
  private readonly tops: StateTable<WindowTop>;
  private readonly changed = new Set<WindowTop>();
  private watermarkMicros = -Infinity;

  constructor(private readonly node: WindowMaxNode, ctx: OperatorContext, private readonly out: OperatorOutput) {
    this.tops = ctx.tables('windows', TOP_CODEC);
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const values = view.column(this.node.value) as NumVec;
    const ends = view.column(this.node.windowEnd) as NumVec;
    // Only rows at or above their window's maximum so far can be in the output: decode just those, in order.
    // Rows come mostly in event-time order, so the window of the row before is the likeliest one.
    const candidates: number[] = [];
    const seen = new Map<number, number>();
    let lastEnd = NaN;
    let lastBest = -Infinity;
    for (let i = 0; i < n; i++) {
      if (batch.diffs !== null && batch.diffs[i] < 0) throw new Error('engine: the max rows of a window received a delete');
      if (values.nulls !== null && values.nulls[i] === 1) continue;
      const end = ends.values[i];
      if (end !== lastEnd) {
        if (!Number.isNaN(lastEnd)) seen.set(lastEnd, lastBest);
        lastEnd = end;
        lastBest = seen.get(end) ?? this.tops.get(end)?.max ?? -Infinity;
      }
      if (values.values[i] < lastBest) continue;
      lastBest = values.values[i];
      candidates.push(i);
    }
    if (candidates.length === 0) return;
    const rows = rowsFromBatch(takeBatch(this.node.input.schema, batch.data, candidates), this.node.input.schema);
    candidates.forEach((i, k) => {
      for (let copies = weightAt(batch, i); copies > 0; copies--) this.apply(ends.values[i], values.values[i], rows[k]);
    });
  }

  private apply(end: number, value: number, row: Value[]): void {
    let top = this.tops.get(end);
    if (top === undefined) {
      top = { end, max: value, rows: [], emitted: 0, displaced: [] };
      this.tops.put(end, top);
    }
    if (value > top.max) {
      // A loop, not a spread: a window's rows at its maximum can be more than a call may take arguments.
      for (let i = 0; i < top.emitted; i++) top.displaced.push(top.rows[i]);
      top.max = value;
      top.rows = [];
      top.emitted = 0;
    }
    if (value === top.max) {
      top.rows.push(row);
      this.changed.add(top);
    }
  }

  onWatermark(micros: number): void {
    this.watermarkMicros = micros;
  }

  flush(): void {
    const out = new ChangeCollector();
    for (const top of this.changed) {
      for (const row of top.displaced) out.add(row, -1);
      for (let i = top.emitted; i < top.rows.length; i++) out.add(top.rows[i], 1);
      top.displaced = [];
      top.emitted = top.rows.length;
      this.tops.put(top.end, top);
    }
    this.changed.clear();
    this.evict(this.watermarkMicros);
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
    if (this.watermarkMicros > -Infinity) this.out.emitWatermark(this.watermarkMicros);
  }

  /** Windows ending at or before `upTo` can change no more: their rows stay in the output, their state goes. */
  private evict(upTo: number): void {
    const ended: number[] = [];
    for (const top of this.tops.values()) if (top.end <= upTo) ended.push(top.end);
    for (const end of ended) this.tops.delete(end);
  }

  endOfInput(): void {
    this.flush();
  }

  restored(): void {}

  stateBytes(): number {
    let total = 0;
    for (const top of this.tops.values()) total += 64 + top.rows.length * (32 + this.node.schema.length * 16);
    return total;
  }
}

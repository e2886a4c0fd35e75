// SELECT DISTINCT: counts each row's copies and emits a row when its count becomes positive, deletes it when the
// count falls back to zero (checked once per epoch, so a delete and re-insert within an epoch emits nothing). The
// counts live in a state table, which the runner makes durable.

import type { ChangeBatch } from '../batch';
import { rowsFromBatch } from '../columns/rows';
import { BatchColumns } from '../expr/context';
import { rowBytes } from '../memory/sizes';
import type { DistinctNode } from '../plan';
import { RowKeyer, type Key } from '../state/keys';
import type { StateTable, ValueCodec } from '../state/table';
import type { Value } from '../types';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector } from './groups';
import { runSteps, type Operator, type OperatorContext, type OperatorOutput } from './operator';
import { SLICE_ROWS } from '../slices';

interface Entry {
  readonly key: Key;
  readonly row: Value[];
  count: number;
  present: boolean;
}

/** An entry's bytes in the state table (keyed by its row key): count, whether its row is out, the row. */
const ENTRY_CODEC: ValueCodec<Entry> = {
  write(w, e) {
    w.svar(e.count).u8(e.present ? 1 : 0).uvar(e.row.length);
    for (const v of e.row) w.value(v);
  },
  read(r, key) {
    const count = r.svar();
    const present = r.u8() === 1;
    const row: Value[] = [];
    for (let n = r.uvar(); n > 0; n--) row.push(r.value());
    return { key, row, count, present };
  },
};

export class DistinctOperator implements Operator {
  private readonly entries: StateTable<Entry>;
  /** Rows whose count changed since the last flush. */
  private readonly changed = new Set<Key>();
  private readonly keyer: RowKeyer;

  constructor(private readonly node: DistinctNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    this.keyer = new RowKeyer(node.schema.map((f) => f.type));
    this.entries = ctx.tables('rows', ENTRY_CODEC);
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const cols = this.node.input.schema.map((_, c) => view.column(c));
    let rows: Value[][] | null = null;
    for (let i = 0; i < n; i++) {
      const key = this.keyer.key(cols, i);
      let e = this.entries.get(key);
      if (e === undefined) {
        rows ??= rowsFromBatch(batch.data, this.node.input.schema);
        this.ctx.memory?.hold(2 * rowBytes(rows[i]), 'DISTINCT rows'); // the row and its key
        e = { key, row: rows[i], count: 0, present: false };
        this.entries.put(key, e);
      }
      e.count += weightAt(batch, i);
      this.changed.add(key);
    }
  }

  onWatermark(micros: number): void {
    this.out.emitWatermark(micros);
  }

  flush(): void {
    runSteps(this.flushSteps());
  }

  /** The changed rows settle SLICE_ROWS at a time, each step emitting its part, in the same order as in one go. */
  *flushSteps(): Generator<void> {
    const changed = [...this.changed];
    this.changed.clear();
    for (let at = 0; at < changed.length; at += SLICE_ROWS) {
      const out = new ChangeCollector();
      for (const key of changed.slice(at, at + SLICE_ROWS)) this.settle(key, out);
      if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
      if (at + SLICE_ROWS < changed.length) yield;
    }
  }

  private settle(key: Key, out: ChangeCollector): void {
    const e = this.entries.get(key)!;
    const present = e.count > 0;
    if (present !== e.present) {
      out.add(e.row, present ? 1 : -1);
      e.present = present;
    }
    if (e.count === 0) this.entries.delete(key);
    else this.entries.put(key, e);
  }

  endOfInput(): void {
    this.flush();
  }

  endOfInputSteps(): Iterable<void> {
    return this.flushSteps();
  }

  restored(): void {}

  stateBytes(): number {
    return this.entries.size * (64 + this.node.schema.length * 16);
  }
}

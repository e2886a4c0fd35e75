// SELECT DISTINCT: counts each row's copies and emits a row when its count becomes positive, deletes it when the
// count falls back to zero (checked once per epoch, so a delete and re-insert within an epoch emits nothing).

import type { ChangeBatch } from '../batch';
import { rowsFromBatch } from '../columns/rows';
import { BatchColumns } from '../expr/context';
import type { DistinctNode } from '../plan';
import { ByteReader, ByteWriter } from '../state/codec';
import { RowKeyer, type Key } from '../state/keys';
import type { Value } from '../types';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector, stateKeyOf } from './groups';
import { WatermarkMerger, type Operator, type OperatorOutput, type StateDelta } from './operator';

interface Entry {
  readonly key: Key;
  readonly row: Value[];
  count: number;
  present: boolean;
}

export class DistinctOperator implements Operator {
  private readonly entries = new Map<Key, Entry>();
  private readonly changed = new Set<Key>();
  private readonly unsaved = new Set<Key>();
  private readonly keyer: RowKeyer;
  private readonly merger = new WatermarkMerger(1);

  constructor(private readonly node: DistinctNode, private readonly out: OperatorOutput) {
    this.keyer = new RowKeyer(node.schema.map((f) => f.type));
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
        e = { key, row: rows[i], count: 0, present: false };
        this.entries.set(key, e);
      }
      e.count += weightAt(batch, i);
      this.changed.add(key);
    }
  }

  watermark(input: number, micros: number): void {
    const w = this.merger.update(input, micros);
    if (w !== null) this.out.emitWatermark(w);
  }

  flush(): void {
    const out = new ChangeCollector();
    for (const key of this.changed) {
      const e = this.entries.get(key)!;
      const present = e.count > 0;
      if (present !== e.present) {
        out.add(e.row, present ? 1 : -1);
        e.present = present;
      }
      if (e.count === 0) this.entries.delete(key);
      this.unsaved.add(key);
    }
    this.changed.clear();
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  endOfInput(): void {
    this.flush();
  }

  snapshot(): StateDelta {
    const delta: StateDelta = new Map();
    for (const key of this.unsaved) {
      const e = this.entries.get(key);
      if (e === undefined) {
        delta.set(stateKeyOf(key), null);
        continue;
      }
      const w = new ByteWriter();
      if (typeof key === 'number') w.u8(0).f64(key);
      else w.u8(1).str(key);
      w.svar(e.count).u8(e.present ? 1 : 0).uvar(e.row.length);
      for (const v of e.row) w.value(v);
      delta.set(stateKeyOf(key), w.finish());
    }
    this.unsaved.clear();
    return delta;
  }

  restore(entries: Iterable<[string, Uint8Array]>): void {
    for (const [, bytes] of entries) {
      const r = new ByteReader(bytes);
      const key: Key = r.u8() === 0 ? r.f64() : r.str();
      const count = r.svar();
      const present = r.u8() === 1;
      const row: Value[] = [];
      const n = r.uvar();
      for (let i = 0; i < n; i++) row.push(r.value());
      this.entries.set(key, { key, row, count, present });
    }
  }

  stateBytes(): number {
    return this.entries.size * (64 + this.node.schema.length * 16);
  }
}

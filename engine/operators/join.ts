// INNER and LEFT equi-join with a residual condition, as a symmetric hash join over changes: each side keeps its
// rows (with multiplicities) by join key; a change on one side meets the other side's current rows. For LEFT JOIN,
// each left row also counts its matches, so its NULL-extended row is inserted while it has none and deleted when
// the first match arrives. The same code runs a pull query (all input in one epoch) and, later, continuous joins.

import type { ChangeBatch } from '../batch';
import { rowsFromBatch } from '../columns/rows';
import { vecFromValues, type Vec } from '../columns/vec';
import { BatchColumns, VecColumns } from '../expr/context';
import { compileExpr, selectedRows, type CompiledExpr } from '../expr/compile';
import type { JoinNode } from '../plan';
import { ByteReader, ByteWriter } from '../state/codec';
import { ChunkLog } from '../state/chunks';
import { anyNullAt, RowKeyer, type Key } from '../state/keys';
import type { Value } from '../types';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector } from './groups';
import { isClosingWindowEnd } from './properties';
import { WatermarkMerger, type Operator, type OperatorContext, type OperatorOutput, type StateDelta } from './operator';

interface Entry {
  readonly row: Value[];
  count: number;
  /** LEFT side of a LEFT JOIN: how many right rows (with multiplicity) it matches. */
  matches: number;
  /** Where the entry lives: its join key (NULL keys under the NULL marker) and its row key in that bucket. */
  readonly jk: Key;
  readonly rk: Key;
}

type Side = Map<Key, Map<Key, Entry>>;

const LEFT = 0;
const RIGHT = 1;
/** A chunk record that is not an entry (whose first byte is its side) but an eviction of ended windows. */
const EVICT = 2;

export class JoinOperator implements Operator {
  private readonly sides: [Side, Side] = [new Map(), new Map()];
  /** Entries changed since the last snapshot, by bucket; written as chunks (engine/state/chunks.ts). */
  private readonly unsaved: [Map<Key, Set<Key>>, Map<Key, Set<Key>>] = [new Map(), new Map()];
  private readonly chunks = new ChunkLog();
  /**
   * Which pair of join keys is a window_end closed by both inputs' watermarks (null: none): a bucket whose window
   * ended at or below the merged watermark can neither change nor match again, so it is evicted, and the
   * eviction is written as one record. Buckets by window end, per side.
   */
  private readonly endKey: number | null;
  private readonly byEnd: [Map<number, Set<Key>>, Map<number, Set<Key>>] = [new Map(), new Map()];
  private evictedUpTo = -Infinity;
  private evictionUnsaved = false;
  private readonly joinKeyers: [RowKeyer, RowKeyer];
  private readonly rowKeyers: [RowKeyer, RowKeyer];
  private readonly residual: CompiledExpr | null;
  private readonly merger = new WatermarkMerger(2);
  private readonly leftWidth: number;
  private readonly rightWidth: number;

  constructor(private readonly node: JoinNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    const l = node.left.schema;
    const r = node.right.schema;
    this.joinKeyers = [new RowKeyer(node.leftKeys.map((i) => l[i].type)), new RowKeyer(node.rightKeys.map((i) => r[i].type))];
    this.rowKeyers = [new RowKeyer(l.map((f) => f.type)), new RowKeyer(r.map((f) => f.type))];
    this.residual = node.residual === null ? null : compileExpr(node.residual);
    this.leftWidth = l.length;
    this.rightWidth = r.length;
    const j = node.leftKeys.findIndex((lk, i) => isClosingWindowEnd(node.left, lk) && isClosingWindowEnd(node.right, node.rightKeys[i]));
    this.endKey = j < 0 || ctx.mode !== 'incremental' ? null : j;
  }

  /** Indexes a new bucket by its window end (from one of its rows). */
  private indexBucket(side: number, jk: Key, row: readonly Value[]): void {
    if (this.endKey === null) return;
    const v = row[(side === LEFT ? this.node.leftKeys : this.node.rightKeys)[this.endKey]];
    if (v === null) return;
    const end = Number(v);
    let keys = this.byEnd[side].get(end);
    if (keys === undefined) this.byEnd[side].set(end, (keys = new Set()));
    keys.add(jk);
  }

  /** Drops the buckets of windows that ended at or below `upTo`, on both sides. */
  private evict(upTo: number): void {
    if (upTo <= this.evictedUpTo) return;
    this.evictedUpTo = upTo;
    for (const side of [LEFT, RIGHT]) {
      const ends = [...this.byEnd[side].keys()].filter((e) => e <= upTo);
      for (const end of ends) {
        for (const jk of this.byEnd[side].get(end)!) {
          this.sides[side].delete(jk);
          this.unsaved[side].delete(jk);
        }
        this.byEnd[side].delete(end);
      }
    }
  }

  private get isLeftJoin(): boolean {
    return this.node.joinType === 'left';
  }

  private nullExtended(left: Value[]): Value[] {
    return [...left, ...new Array<Value>(this.rightWidth).fill(null)];
  }

  push(input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const side = input === LEFT ? LEFT : RIGHT;
    const other = 1 - side;
    const schema = side === LEFT ? this.node.left.schema : this.node.right.schema;
    const view = new BatchColumns(batch.data, schema);
    const keyCols = (side === LEFT ? this.node.leftKeys : this.node.rightKeys).map((i) => view.column(i));
    const allCols = schema.map((_, c) => view.column(c));
    const rows = rowsFromBatch(batch.data, schema);

    // 1. Candidate pairs of this batch's rows with the other side's current rows under the same key.
    const joinKeys: (Key | null)[] = new Array(n);
    const pairRow: number[] = [];
    const pairEntry: Entry[] = [];
    for (let i = 0; i < n; i++) {
      joinKeys[i] = anyNullAt(keyCols, i) ? null : this.joinKeyers[side].key(keyCols, i);
      const bucket = joinKeys[i] === null ? undefined : this.sides[other].get(joinKeys[i]!);
      if (bucket === undefined) continue;
      for (const e of bucket.values()) {
        if (e.count === 0) continue;
        pairRow.push(i);
        pairEntry.push(e);
      }
    }
    const pass = this.evalResidual(side, rows, pairRow, pairEntry);

    // 2. Apply the rows in order.
    const out = new ChangeCollector();
    let p = 0;
    for (let i = 0; i < n; i++) {
      const w = weightAt(batch, i);
      let matched = 0;
      for (; p < pairRow.length && pairRow[p] === i; p++) {
        if (pass[p] === 0) continue;
        const e = pairEntry[p];
        if (side === LEFT) {
          out.add([...rows[i], ...e.row], w * e.count);
          matched += e.count;
        } else {
          out.add([...e.row, ...rows[i]], w * e.count);
          if (this.isLeftJoin) {
            const before = e.matches;
            e.matches += w;
            if (before <= 0 && e.matches > 0) out.add(this.nullExtended(e.row), -e.count);
            else if (before > 0 && e.matches <= 0) out.add(this.nullExtended(e.row), e.count);
            this.markUnsaved(LEFT, e.jk, e.rk);
          }
        }
      }
      const entry = this.apply(side, joinKeys[i], this.rowKeyers[side].key(allCols, i), rows[i], w, matched);
      if (side === LEFT && this.isLeftJoin && entry.matches <= 0) out.add(this.nullExtended(rows[i]), w);
    }
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  private markUnsaved(side: number, jk: Key, rk: Key): void {
    let keys = this.unsaved[side].get(jk);
    if (keys === undefined) this.unsaved[side].set(jk, (keys = new Set()));
    keys.add(rk);
  }

  private apply(side: number, joinKey: Key | null, rowKey: Key, row: Value[], w: number, matched: number): Entry {
    const jk: Key = joinKey ?? '\u0002NULLKEY';
    let bucket = this.sides[side].get(jk);
    if (bucket === undefined) {
      this.sides[side].set(jk, (bucket = new Map()));
      this.indexBucket(side, jk, row);
    }
    let e = bucket.get(rowKey);
    if (e === undefined) {
      e = { row, count: 0, matches: matched, jk, rk: rowKey };
      bucket.set(rowKey, e);
    }
    e.count += w;
    if (e.count === 0) {
      bucket.delete(rowKey);
      if (bucket.size === 0) this.sides[side].delete(jk);
    }
    this.markUnsaved(side, jk, rowKey);
    return e;
  }

  /** 1 for each candidate pair that satisfies the residual condition (all pairs when there is none). */
  private evalResidual(side: number, rows: Value[][], pairRow: number[], pairEntry: Entry[]): Uint8Array {
    const m = pairRow.length;
    const pass = new Uint8Array(m).fill(1);
    if (this.residual === null || m === 0) return pass;
    const vecs: Vec[] = [];
    const leftRow = (k: number): Value[] => (side === LEFT ? rows[pairRow[k]] : pairEntry[k].row);
    const rightRow = (k: number): Value[] => (side === LEFT ? pairEntry[k].row : rows[pairRow[k]]);
    for (let c = 0; c < this.leftWidth; c++) {
      vecs.push(vecFromValues(Array.from({ length: m }, (_, k) => leftRow(k)[c]), this.node.left.schema[c].type));
    }
    for (let c = 0; c < this.rightWidth; c++) {
      vecs.push(vecFromValues(Array.from({ length: m }, (_, k) => rightRow(k)[c]), this.node.right.schema[c].type));
    }
    const selected = selectedRows(this.residual.eval(new VecColumns(vecs, m), this.ctx.eval));
    pass.fill(0);
    for (const k of selected) pass[k] = 1;
    return pass;
  }

  watermark(input: number, micros: number): void {
    const w = this.merger.update(input, micros);
    if (w === null) return;
    if (this.endKey !== null && w > this.evictedUpTo) {
      this.evict(w);
      this.evictionUnsaved = true;
    }
    this.out.emitWatermark(w);
  }

  flush(): void {}

  endOfInput(): void {}

  /** Each record: side, join key, row key, count, matches and, unless the entry is gone (count 0), the row. */
  snapshot(): StateDelta {
    let changed = this.evictionUnsaved ? 1 : 0;
    for (const side of this.unsaved) for (const keys of side.values()) changed += keys.size;
    const delta = this.chunks.write(changed, (add) => {
      for (const side of [LEFT, RIGHT]) {
        for (const bucket of this.sides[side].values()) for (const e of bucket.values()) add((w) => writeEntry(w, side, e.jk, e.rk, e));
      }
    }, (add) => {
      for (const side of [LEFT, RIGHT]) {
        for (const [jk, keys] of this.unsaved[side]) {
          const bucket = this.sides[side].get(jk);
          for (const rk of keys) add((w) => writeEntry(w, side, jk, rk, bucket?.get(rk)));
        }
      }
      // After the entries: on restore it drops them too when their window has ended.
      if (this.evictionUnsaved) add((w) => w.u8(EVICT).f64(this.evictedUpTo));
    });
    this.evictionUnsaved = false;
    for (const side of this.unsaved) side.clear();
    return delta;
  }

  restore(entries: Iterable<[string, Uint8Array]>): void {
    this.chunks.restore(entries, (name, bytes) => {
      // The earlier layout: one value per bucket.
      const side = name[0] === 'l' ? LEFT : RIGHT;
      const r = new ByteReader(bytes);
      const jk = readKey(r);
      const size = r.uvar();
      for (let i = 0; i < size; i++) this.restoreEntry(side, jk, r);
    }, (r, count) => {
      for (let i = 0; i < count; i++) {
        const side = r.u8();
        if (side === EVICT) this.evict(r.f64());
        else this.restoreEntry(side, readKey(r), r);
      }
    });
    for (const side of this.sides) for (const [jk, bucket] of side) if (bucket.size === 0) side.delete(jk);
  }

  private restoreEntry(side: number, jk: Key, r: ByteReader): void {
    const rk = readKey(r);
    const count = r.svar();
    const matches = r.svar();
    let bucket = this.sides[side].get(jk);
    if (count === 0) {
      bucket?.delete(rk);
      return;
    }
    const row: Value[] = [];
    const width = r.uvar();
    for (let c = 0; c < width; c++) row.push(r.value());
    if (bucket === undefined) {
      this.sides[side].set(jk, (bucket = new Map()));
      this.indexBucket(side, jk, row);
    }
    bucket.set(rk, { row, count, matches, jk, rk });
  }

  stateBytes(): number {
    let rows = 0;
    for (const side of this.sides) for (const bucket of side.values()) rows += bucket.size;
    return rows * (64 + (this.leftWidth + this.rightWidth) * 8);
  }
}

function readKey(r: ByteReader): Key {
  return r.u8() === 0 ? r.f64() : r.str();
}

function writeKey(w: ByteWriter, k: Key): void {
  if (typeof k === 'number') w.u8(0).f64(k);
  else w.u8(1).str(k);
}

function writeEntry(w: ByteWriter, side: number, jk: Key, rk: Key, e: Entry | undefined): void {
  w.u8(side);
  writeKey(w, jk);
  writeKey(w, rk);
  if (e === undefined || e.count === 0) {
    w.svar(0).svar(0);
    return;
  }
  w.svar(e.count).svar(e.matches).uvar(e.row.length);
  for (const v of e.row) w.value(v);
}

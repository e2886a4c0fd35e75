// INNER, LEFT, RIGHT and FULL equi-join with a residual condition, as a symmetric hash join over changes: each side
// keeps its rows (with multiplicities) by join key; a change on one side meets the other side's current rows. Each
// row of a side the join type preserves (LEFT's left, RIGHT's right, FULL's both) also counts its matches, so its
// NULL-extended row is inserted while it has none, deleted when the first match arrives and back when the last
// goes. The same code runs a pull query (all input in one epoch) and continuous joins.
// NULL-extended rows are netted: a preserved row's NULL-extended weight is noted before the first change that
// touches it, and only the difference goes out, at the epoch's end (before a watermark passes, in a continuous
// query) or at the end of a pull query's input. So a row that a match in the same epoch takes back never reaches
// the operators above, whose expressions must not fail on it: PostgreSQL computes nothing for it (`WHERE NOT EXISTS
// (...)` that finds a row evaluates no select list).
// Each side's entries live in a state table by row key (so the runner makes them durable); the buckets by join key
// are an index over them, rebuilt at restore.
//
// An interval join (JoinNode.timeBound) keeps only what can still match: a row below the inputs' watermark is late
// (reported, joined with nothing, so no result depends on what was evicted), and at each epoch's end the rows the
// watermark has passed by more than the bound are evicted.

import type { ChangeBatch } from '../batch';
import { rowsFromBatch } from '../columns/rows';
import { vecFromValues, type Vec } from '../columns/vec';
import { BatchColumns, VecColumns } from '../expr/context';
import { compileExpr, selectedRows, type CompiledExpr } from '../expr/compile';
import { rowBytes } from '../memory/sizes';
import { preservesSide, type JoinNode } from '../plan';
import type { ByteReader, ByteWriter } from '../state/codec';
import { anyNullAt, exactCodecFor, readKey, RowKeyer, writeKey, type Key } from '../state/keys';
import type { StateTable, ValueCodec } from '../state/table';
import type { Value } from '../types';
import { changesFromRows, weightAt } from './changes';
import { addPair, type Cursor, meetPiece, pairBatch, PAIRS_PER_STEP, type PairsOut } from './join-pairs';
import { reportLateRow } from './window';
import { ChangeCollector } from './groups';
import { isClosingWindowEnd } from './properties';
import { runSteps, type Operator, type OperatorContext, type OperatorOutput } from './operator';

export interface Entry {
  readonly row: Value[];
  count: number;
  /** A preserved side's row: how many rows of the other side (with multiplicity) it matches. */
  matches: number;
  /** Where the entry lives: its join key (NULL keys under the NULL marker) and its row key in that bucket. */
  readonly jk: Key;
  readonly rk: Key;
}

/** One batch being joined, a step at a time (its rows decoded and keyed once). */
interface PushStep {
  readonly side: number;
  readonly batch: ChangeBatch;
  readonly rows: Value[][];
  /** 1 for a late row (joined with nothing); null when none can be. */
  readonly late: Uint8Array | null;
  /** Each row's join key, null when it has a NULL (or is late). */
  readonly joinKeys: (Key | null)[];
  readonly allCols: readonly Vec[];
}

/** Buckets: join key → row key → entry. */
type Side = Map<Key, Map<Key, Entry>>;

/** A preserved row touched since NULL-extended rows last went out: its row, and its NULL-extended weight then. */
interface UnmatchedBefore {
  readonly row: Value[];
  readonly weight: number;
}

/** How many times a preserved entry shows NULL-extended: its count while it matches nothing. */
const unmatchedWeight = (e: Entry | undefined): number => (e !== undefined && e.matches <= 0 ? e.count : 0);

const LEFT = 0;
const RIGHT = 1;
/** The join key of the entries whose join key has a NULL: they match nothing, but an outer join emits them. */
const NULL_JOIN_KEY = '\u0002NULLKEY';

/** An entry's bytes in its side's state table (keyed by its row key): join key, count, matches, row. */
const ENTRY_CODEC: ValueCodec<Entry> = {
  write(w: ByteWriter, e: Entry): void {
    writeKey(w, e.jk).svar(e.count).svar(e.matches).uvar(e.row.length);
    for (const v of e.row) w.value(v);
  },
  read(r: ByteReader, rk: Key): Entry {
    const jk = readKey(r);
    const count = r.svar();
    const matches = r.svar();
    const row: Value[] = [];
    const width = r.uvar();
    for (let c = 0; c < width; c++) row.push(r.value());
    return { row, count, matches, jk, rk };
  },
};

export class JoinOperator implements Operator {
  /** Each side's entries with a non-zero count, by row key: the state. */
  private readonly entries: [StateTable<Entry>, StateTable<Entry>];
  private readonly sides: [Side, Side] = [new Map(), new Map()];
  /**
   * Which pair of join keys is a window_end closed by both inputs' watermarks (null: none): a bucket whose window
   * ended at or below the merged watermark can neither change nor match again, so it is evicted. Buckets by window
   * end, per side.
   */
  private readonly endKey: number | null;
  private readonly byEnd: [Map<number, Set<Key>>, Map<number, Set<Key>>] = [new Map(), new Map()];
  private evictedUpTo = -Infinity;
  /** The inputs' merged watermark, as last delivered. */
  private watermark = -Infinity;
  /** The watermark the interval bound last evicted at. */
  private boundEvictedAt = -Infinity;
  private readonly joinKeyers: [RowKeyer, RowKeyer];
  private readonly rowKeyers: [RowKeyer, RowKeyer];
  private readonly residual: CompiledExpr | null;
  private readonly leftWidth: number;
  private readonly rightWidth: number;
  /** Whether each side's unmatched rows appear NULL-extended. */
  private readonly preserves: [boolean, boolean];
  /** Per preserved side, by row key: the rows whose NULL-extended weight may have changed (see the top). */
  private readonly touched: [Map<Key, UnmatchedBefore>, Map<Key, UnmatchedBefore>] = [new Map(), new Map()];

  constructor(private readonly node: JoinNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    const l = node.left.schema;
    const r = node.right.schema;
    this.joinKeyers = [new RowKeyer(node.leftKeys.map((i) => l[i].type)), new RowKeyer(node.rightKeys.map((i) => r[i].type))];
    this.rowKeyers = [new RowKeyer(l.map((f) => f.type), exactCodecFor), new RowKeyer(r.map((f) => f.type), exactCodecFor)];
    this.residual = node.residual === null ? null : compileExpr(node.residual);
    this.leftWidth = l.length;
    this.rightWidth = r.length;
    this.preserves = [preservesSide(node.joinType, LEFT), preservesSide(node.joinType, RIGHT)];
    const j = node.leftKeys.findIndex((lk, i) => isClosingWindowEnd(node.left, lk) && isClosingWindowEnd(node.right, node.rightKeys[i]));
    this.endKey = j < 0 || ctx.mode !== 'incremental' ? null : j;
    this.entries = [ctx.tables('left', ENTRY_CODEC), ctx.tables('right', ENTRY_CODEC)];
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
          for (const rk of this.sides[side].get(jk)?.keys() ?? []) this.entries[side].delete(rk);
          this.sides[side].delete(jk);
        }
        this.byEnd[side].delete(end);
      }
    }
  }

  /** A row of `side` with the other side's columns NULL, in the join's column order. */
  private nullExtended(side: number, row: Value[]): Value[] {
    return side === LEFT
      ? [...row, ...new Array<Value>(this.rightWidth).fill(null)]
      : [...new Array<Value>(this.leftWidth).fill(null), ...row];
  }

  push(input: number, batch: ChangeBatch): void {
    runSteps(this.pushSteps(input, batch));
  }

  /** Joins the batch a few rows at a time: each step meets at most about PAIRS_PER_STEP rows of the other side. */
  *pushSteps(input: number, batch: ChangeBatch): Generator<void> {
    const n = batch.data.numRows;
    if (n === 0) return;
    const side = input === LEFT ? LEFT : RIGHT;
    const schema = side === LEFT ? this.node.left.schema : this.node.right.schema;
    const view = new BatchColumns(batch.data, schema);
    const keyCols = (side === LEFT ? this.node.leftKeys : this.node.rightKeys).map((i) => view.column(i));
    const rows = rowsFromBatch(batch.data, schema);
    const late = this.lateRows(side, batch, rows);
    const joinKeys: (Key | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (late === null || late[i] === 0) joinKeys[i] = anyNullAt(keyCols, i) ? null : this.joinKeyers[side].key(keyCols, i);
    }
    const step: PushStep = { side, batch, rows, late, joinKeys, allCols: schema.map((_, c) => view.column(c)) };
    const at: Cursor = { row: 0, rest: null, matched: 0 };
    for (;;) {
      this.pushRows(step, at);
      if (at.row >= n) return;
      yield;
    }
  }

  /**
   * Joins the step's rows from `at` until about PAIRS_PER_STEP pairs have met, and moves `at` past them. A row whose
   * bucket is bigger than that meets it in pieces, step after step, and is applied with its last piece.
   */
  private pushRows(step: PushStep, at: Cursor): void {
    const { side, batch, rows, late, joinKeys, allCols } = step;
    const other = 1 - side;
    const n = rows.length;
    const first = at.row;
    // 1. Candidate pairs of these rows with the other side's current rows under the same key.
    const pairRow: number[] = [];
    const pairEntry: Entry[] = [];
    let i = first;
    let rest = at.rest;
    let complete = true;
    for (; i < n && pairRow.length < PAIRS_PER_STEP; i++) {
      if (rest === null) {
        if (late !== null && late[i] === 1) continue;
        const bucket = joinKeys[i] === null ? undefined : this.sides[other].get(joinKeys[i]!);
        if (bucket === undefined) continue;
        rest = bucket.values();
      }
      complete = meetPiece(rest, i, pairRow, pairEntry);
      if (!complete) break;
      rest = null;
    }
    const pass = this.evalResidual(side, rows, pairRow, pairEntry);

    // 2. Apply the rows in order; an unfinished row only emits its pairs and carries its matches to the next step.
    const out: PairsOut = { rows: [], entries: [], signs: [] };
    let p = 0;
    const last = complete ? i : i + 1;
    for (let r = first; r < last; r++) {
      if (late !== null && late[r] === 1) continue;
      const w = weightAt(batch, r);
      let matched = r === first ? at.matched : 0;
      for (; p < pairRow.length && pairRow[p] === r; p++) {
        if (pass[p] === 0) continue;
        const e = pairEntry[p];
        addPair(out, r, e, w * e.count);
        matched += e.count;
        if (this.preserves[other]) {
          this.touch(other, e.rk, e.row);
          e.matches += w;
          this.entries[other].put(e.rk, e);
        }
      }
      if (!complete && r === i) {
        at.matched = matched;
        break;
      }
      const rk = this.rowKeyers[side].key(allCols, r);
      if (this.preserves[side]) this.touch(side, rk, rows[r]);
      this.apply(side, joinKeys[r], rk, rows[r], w, this.preserves[side] ? matched : 0);
    }
    at.row = i;
    at.rest = complete ? null : rest;
    if (complete) at.matched = 0;
    if (out.rows.length > 0) this.out.emit(pairBatch(this.node, side, batch, out));
  }

  /** Notes a preserved row's NULL-extended weight before its first change since they last went out. */
  private touch(side: number, rk: Key, row: Value[]): void {
    if (!this.touched[side].has(rk)) this.touched[side].set(rk, { row, weight: unmatchedWeight(this.entries[side].get(rk)) });
  }

  /** The change of each touched row's NULL-extended weight. */
  private emitUnmatched(): void {
    const out = new ChangeCollector();
    for (const side of [LEFT, RIGHT]) {
      for (const [rk, before] of this.touched[side]) {
        const change = unmatchedWeight(this.entries[side].get(rk)) - before.weight;
        if (change !== 0) out.add(this.nullExtended(side, before.row), change);
      }
      this.touched[side].clear();
    }
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  /** With a time bound: 1 for each row of the batch that is late (reported here); null when none can be. */
  private lateRows(side: number, batch: ChangeBatch, rows: Value[][]): Uint8Array | null {
    const bound = this.node.timeBound;
    if (bound === undefined) return null;
    const column = side === LEFT ? bound.leftTime : bound.rightTime;
    const schema = side === LEFT ? this.node.left.schema : this.node.right.schema;
    const late = new Uint8Array(rows.length);
    rows.forEach((row, i) => {
      // Deletes are never late: they undo rows that were applied.
      if (weightAt(batch, i) < 0) return;
      const v = row[column];
      const time = v === null ? null : Number(v);
      if (time !== null && time >= this.watermark) return;
      late[i] = 1;
      reportLateRow(this.ctx, row, schema, time, this.watermark);
    });
    return late;
  }

  /** Drops the rows that no row at or above the watermark can match any more, on both sides. */
  private evictBeyondBound(): void {
    const bound = this.node.timeBound;
    if (bound === undefined || this.watermark <= this.boundEvictedAt) return;
    this.boundEvictedAt = this.watermark;
    // A left row matches right rows up to its time + upper; a right row left rows from its time - lower.
    const lastUseful: [number, number] = [bound.leftTime, bound.rightTime];
    const reach: [number, number] = [bound.upperMicros, -bound.lowerMicros];
    for (const side of [LEFT, RIGHT]) {
      for (const [jk, bucket] of this.sides[side]) {
        for (const [rk, e] of bucket) {
          const v = e.row[lastUseful[side]];
          if (v === null || Number(v) + reach[side] >= this.watermark) continue;
          bucket.delete(rk);
          this.entries[side].delete(rk);
        }
        if (bucket.size === 0) this.sides[side].delete(jk);
      }
    }
  }

  private apply(side: number, joinKey: Key | null, rowKey: Key, row: Value[], w: number, matched: number): Entry {
    const jk: Key = joinKey ?? NULL_JOIN_KEY;
    let e = this.entries[side].get(rowKey);
    if (e === undefined) {
      this.ctx.memory?.hold(rowBytes(row), 'join sides');
      e = { row, count: 0, matches: matched, jk, rk: rowKey };
      this.addToBucket(side, e);
    }
    e.count += w;
    if (e.count === 0) {
      const bucket = this.sides[side].get(jk)!;
      bucket.delete(rowKey);
      if (bucket.size === 0) this.sides[side].delete(jk);
      this.entries[side].delete(rowKey);
    } else {
      this.entries[side].put(rowKey, e);
    }
    return e;
  }

  private addToBucket(side: number, e: Entry): void {
    let bucket = this.sides[side].get(e.jk);
    if (bucket === undefined) {
      this.sides[side].set(e.jk, (bucket = new Map()));
      this.indexBucket(side, e.jk, e.row);
    }
    bucket.set(e.rk, e);
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

  onWatermark(micros: number): void {
    // Rows go out before the watermark that follows them; a pull query keeps them to the end of its input, when
    // every match is known (its watermarks come source by source, before the other inputs are read).
    if (this.ctx.mode === 'incremental') this.emitUnmatched();
    this.watermark = micros;
    if (this.endKey !== null) this.evict(micros);
    this.out.emitWatermark(micros);
  }

  flush(): void {
    this.emitUnmatched(); // before eviction, which takes rows out without a change
    this.evictBeyondBound();
  }

  endOfInput(): void {
    this.emitUnmatched();
  }

  restored(): void {
    for (const side of [LEFT, RIGHT]) for (const e of this.entries[side].values()) this.addToBucket(side, e);
  }

  /** Every row in a bucket is an entry of its side: counted without a walk, since the runner asks after every slice. */
  stateBytes(): number {
    const rows = this.entries[LEFT].size + this.entries[RIGHT].size;
    return rows * (64 + (this.leftWidth + this.rightWidth) * 8);
  }
}

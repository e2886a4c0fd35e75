// Hash aggregate over change batches. Rows (+1 / -1) update their group's accumulators as they come; at the end of
// each epoch every changed group emits a delete of its previous output row and an insert of the new one (EMIT
// CHANGES), or, with EMIT ON WINDOW CLOSE, a group emits its row once, when the watermark reaches its window_end.
// Either way a group whose window_end is at or below the watermark can receive no more rows and is evicted. The
// groups live in a state table, so the runner makes them durable. Grouped by several numeric columns (a key and a
// window, say), a row finds its group through a NumberTupleMap over the key columns' typed arrays; the state table's
// string key is built once per group, not once per row.

import { accumulatorFactory, type AccumulatorFactory } from '../aggregate';
import type { ChangeBatch } from '../batch';
import { REPR, valueAt, type NumVec, type Vec } from '../columns/vec';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import type { AggregateNode } from '../plan';
import { anyNullAt, RowKeyer, type Key } from '../state/keys';
import { NumberTupleMap } from '../state/number-tuple-map';
import type { StateTable } from '../state/table';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector, groupRow, newGroup, readGroup, sameRow, writeGroup, type Group } from './groups';
import { neverRetracts } from './properties';
import type { Operator, OperatorContext, OperatorOutput } from './operator';

const GLOBAL_KEY = '';
/** Changed groups settled per flush step: a few milliseconds of work (a step emits one change batch). */
const FLUSH_STEP_GROUPS = 4096;

export class AggregateOperator implements Operator {
  private readonly groups: StateTable<Group>;
  /** Groups changed since the last flush: to emit, and to put back in the state table. */
  private readonly changed = new Set<Group>();
  /**
   * Every group of the state table without a NULL key value, by its key values as numbers, when there are several
   * group columns and all are numeric (one numeric column is its own state key already); otherwise null.
   */
  private readonly byNumbers: NumberTupleMap<Group> | null;
  /** window_end → keys of the groups in that window, for eviction. */
  private readonly byWindowEnd = new Map<number, Set<Key>>();
  private readonly factories: AccumulatorFactory[];
  private readonly args: CompiledExpr[][];
  private readonly keyer: RowKeyer;
  private watermarkMicros = -Infinity;
  private closedUpTo = -Infinity;
  private readonly isGlobal: boolean;

  constructor(private readonly node: AggregateNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    this.factories = node.aggs.map((a) => accumulatorFactory(a, neverRetracts(node.input)));
    this.args = node.aggs.map((a) => a.args.map(compileExpr));
    this.keyer = new RowKeyer(node.groupBy.map((i) => node.input.schema[i].type));
    this.isGlobal = node.groupBy.length === 0;
    const numeric = node.groupBy.every((i) => REPR[node.input.schema[i].type.name] === 'num');
    this.byNumbers = node.groupBy.length > 1 && numeric ? new NumberTupleMap(node.groupBy.length) : null;
    this.groups = ctx.tables('groups', { write: writeGroup, read: (r, key) => readGroup(r, key, this.factories) });
    if (node.emit === 'on_window_close' && node.windowEnd === null) {
      throw new Error('engine: EMIT ON WINDOW CLOSE needs a window_end group key');
    }
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const keyCols: Vec[] = this.node.groupBy.map((i) => view.column(i));
    const argVecs: Vec[][] = this.args.map((exprs) => exprs.map((e) => e.eval(view, this.ctx.eval)));
    const endCol = this.node.windowEnd === null ? null : keyCols[this.node.windowEnd];
    for (let i = 0; i < n; i++) {
      // A row for a window already closed was applied elsewhere (or is late): it cannot change an emitted result.
      if (endCol !== null && endCol.kind === 'num' && endCol.values[i] <= this.closedUpTo) continue;
      const g = this.groupAt(keyCols, i);
      const w = weightAt(batch, i);
      g.rows += w;
      for (let a = 0; a < g.accs.length; a++) g.accs[a].update(argVecs[a], i, w);
      this.changed.add(g);
    }
  }

  /** The group of row i, created when the row is its first. */
  private groupAt(keyCols: readonly Vec[], i: number): Group {
    const byNumbers = this.byNumbers !== null && !anyNullAt(keyCols, i) ? this.byNumbers : null;
    let g = byNumbers?.getAt(keyCols as readonly NumVec[], i);
    if (g !== undefined) return g;
    const key = this.isGlobal ? GLOBAL_KEY : this.keyer.key(keyCols, i);
    g = this.groups.get(key);
    if (g === undefined) {
      g = newGroup(key, keyCols.map((c) => valueAt(c, i)), this.factories);
      this.groups.put(key, g);
      this.index(g);
    }
    return g;
  }

  /** Makes a group findable: by its numbers, and by its window for eviction. */
  private index(g: Group): void {
    const numbers = this.numbersOf(g);
    if (numbers !== null) this.byNumbers!.set(numbers, g);
    this.indexWindow(g);
  }

  private numbersOf(g: Group): number[] | null {
    if (this.byNumbers === null || g.keyValues.includes(null)) return null;
    return g.keyValues.map(Number);
  }

  /** Removes a group from the state table and from the numbers index (the caller sees to the window index). */
  private forget(g: Group): void {
    this.groups.delete(g.key);
    const numbers = this.numbersOf(g);
    if (numbers !== null) this.byNumbers!.delete(numbers);
  }

  private windowEndOf(g: Group): number | null {
    if (this.node.windowEnd === null) return null;
    const v = g.keyValues[this.node.windowEnd];
    return v === null ? null : Number(v);
  }

  private indexWindow(g: Group): void {
    const end = this.windowEndOf(g);
    if (end === null) return;
    let keys = this.byWindowEnd.get(end);
    if (keys === undefined) this.byWindowEnd.set(end, (keys = new Set()));
    keys.add(g.key);
  }

  private drop(g: Group): void {
    this.forget(g);
    const end = this.windowEndOf(g);
    if (end !== null) this.byWindowEnd.get(end)?.delete(g.key);
  }

  onWatermark(micros: number): void {
    this.watermarkMicros = micros;
  }

  flush(): void {
    for (const _step of this.flushSteps()) continue;
  }

  /**
   * An epoch's changed groups settle FLUSH_STEP_GROUPS at a time, each step emitting its changes: 100 K changed
   * groups were ~150 ms in one piece. The changes are the same rows in the same order as in one batch.
   */
  *flushSteps(): Generator<void> {
    if (this.isGlobal && !this.groups.has(GLOBAL_KEY)) {
      // A global aggregate has one row even over no input (count 0, sum NULL).
      const g = newGroup(GLOBAL_KEY, [], this.factories);
      this.groups.put(GLOBAL_KEY, g);
      this.changed.add(g);
    }
    let out = new ChangeCollector();
    let settled = 0;
    for (const g of this.changed) {
      this.settle(g, out);
      if (++settled % FLUSH_STEP_GROUPS === 0) {
        this.emitChanges(out);
        out = new ChangeCollector();
        yield;
      }
    }
    this.changed.clear();
    this.closeWindows(this.watermarkMicros, out);
    this.emitChanges(out);
    if (this.watermarkMicros > -Infinity) this.out.emitWatermark(this.watermarkMicros);
  }

  private emitChanges(out: ChangeCollector): void {
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  /**
   * A group the epoch changed: with EMIT CHANGES its old row goes out and its new row in, and it is dropped once it
   * has no rows; otherwise it is put back in the state table, changed in place.
   */
  private settle(g: Group, out: ChangeCollector): void {
    if (this.node.emit === 'changes') {
      const row = g.rows > 0 || this.isGlobal ? groupRow(g) : null;
      if (!sameRow(g.emitted, row)) {
        if (g.emitted !== null) out.add(g.emitted, -1);
        if (row !== null) out.add(row, 1);
        g.emitted = row;
      }
      if (g.rows === 0 && !this.isGlobal) {
        this.drop(g);
        return;
      }
    }
    this.groups.put(g.key, g);
  }

  /** Windows ending at or before `upTo` are final: emit them (on window close) and evict their state. */
  private closeWindows(upTo: number, out: ChangeCollector): void {
    if (this.node.windowEnd === null || upTo <= this.closedUpTo) return;
    this.closedUpTo = upTo;
    const ends = [...this.byWindowEnd.keys()].filter((e) => e <= upTo).sort((a, b) => a - b);
    for (const end of ends) {
      for (const key of this.byWindowEnd.get(end)!) {
        const g = this.groups.get(key);
        if (g === undefined) continue;
        if (this.node.emit === 'on_window_close' && g.rows > 0) out.add(groupRow(g), 1);
        this.forget(g);
      }
      this.byWindowEnd.delete(end);
    }
  }

  endOfInput(): void {
    this.flush();
    const out = new ChangeCollector();
    this.closeWindows(Infinity, out);
    this.emitChanges(out);
  }

  restored(): void {
    for (const g of this.groups.values()) this.index(g);
  }

  stateBytes(): number {
    let total = 0;
    for (const g of this.groups.values()) {
      total += 64 + g.keyValues.length * 16;
      for (const a of g.accs) total += a.bytes();
    }
    return total;
  }
}

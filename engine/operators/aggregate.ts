// Hash aggregate over change batches. Rows (+1 / -1) update their group's accumulators as they come; at the end of
// each epoch every changed group emits a delete of its previous output row and an insert of the new one (EMIT
// CHANGES), or, with EMIT ON WINDOW CLOSE, a group emits its row once, when the watermark reaches its window_end.
// Either way a group whose window_end is at or below the watermark can receive no more rows and is evicted. The
// groups live in a state table, so the runner makes them durable.

import { accumulatorFactory, type AccumulatorFactory } from '../aggregate';
import type { ChangeBatch } from '../batch';
import { valueAt, type Vec } from '../columns/vec';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import type { AggregateNode } from '../plan';
import { RowKeyer, type Key } from '../state/keys';
import type { StateTable } from '../state/table';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector, groupRow, newGroup, readGroup, sameRow, writeGroup, type Group } from './groups';
import { neverRetracts } from './properties';
import type { Operator, OperatorContext, OperatorOutput } from './operator';

const GLOBAL_KEY = '';

export class AggregateOperator implements Operator {
  private readonly groups: StateTable<Group>;
  /** Groups changed since the last flush: to emit, and to put back in the state table. */
  private readonly changed = new Set<Key>();
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
      const key = this.isGlobal ? GLOBAL_KEY : this.keyer.key(keyCols, i);
      let g = this.groups.get(key);
      if (g === undefined) {
        g = newGroup(key, keyCols.map((c) => valueAt(c, i)), this.factories);
        this.groups.put(key, g);
        this.indexWindow(g);
      }
      const w = weightAt(batch, i);
      g.rows += w;
      for (let a = 0; a < g.accs.length; a++) g.accs[a].update(argVecs[a], i, w);
      this.changed.add(key);
    }
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
    this.groups.delete(g.key);
    const end = this.windowEndOf(g);
    if (end !== null) this.byWindowEnd.get(end)?.delete(g.key);
  }

  onWatermark(micros: number): void {
    this.watermarkMicros = micros;
  }

  flush(): void {
    const out = new ChangeCollector();
    if (this.isGlobal && !this.groups.has(GLOBAL_KEY)) {
      // A global aggregate has one row even over no input (count 0, sum NULL).
      this.groups.put(GLOBAL_KEY, newGroup(GLOBAL_KEY, [], this.factories));
      this.changed.add(GLOBAL_KEY);
    }
    for (const key of this.changed) this.settle(key, out);
    this.changed.clear();
    this.closeWindows(this.watermarkMicros, out);
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
    if (this.watermarkMicros > -Infinity) this.out.emitWatermark(this.watermarkMicros);
  }

  /**
   * A group the epoch changed: with EMIT CHANGES its old row goes out and its new row in, and it is dropped once it
   * has no rows; otherwise it is put back in the state table, changed in place.
   */
  private settle(key: Key, out: ChangeCollector): void {
    const g = this.groups.get(key);
    if (g === undefined) return;
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
    this.groups.put(key, g);
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
        this.groups.delete(key);
      }
      this.byWindowEnd.delete(end);
    }
  }

  endOfInput(): void {
    this.flush();
    const out = new ChangeCollector();
    this.closeWindows(Infinity, out);
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  restored(): void {
    for (const g of this.groups.values()) this.indexWindow(g);
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

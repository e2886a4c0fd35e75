// Hash aggregate over change batches. Rows (+1 / -1) update their group's accumulators as they come; at the end of
// each epoch every changed group emits a delete of its previous output row and an insert of the new one (EMIT
// CHANGES), or, with EMIT ON WINDOW CLOSE, a group emits its row once, when the watermark reaches its window_end.
// Either way a group whose window_end is at or below the watermark can receive no more rows and is evicted.
//
// The groups are columns (engine/operators/group-store.ts): a batch first finds every row's group number, then each
// aggregate updates its columns in one pass over the batch (engine/aggregate/grouped.ts). The store is durable
// state of its own, so the runner snapshots and restores it like a state table.

import { groupedAggregate } from '../aggregate/grouped';
import type { ChangeBatch } from '../batch';
import type { Vec } from '../columns/vec';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import type { AggregateNode } from '../plan';
import { GroupChanges } from './group-changes';
import { GroupStore } from './group-store';
import { neverRetracts } from './properties';
import { runSteps, type Operator, type OperatorContext, type OperatorOutput } from './operator';

/** Changed groups settled per flush step: a few milliseconds of work (a step emits one change batch). */
const FLUSH_STEP_GROUPS = 4096;

export class AggregateOperator implements Operator {
  private readonly groups: GroupStore;
  /** A group's bytes as a pull query's memory counts them: its key's values and each aggregate's state, estimated. */
  private readonly groupBytes: number;
  /** Groups changed since the last flush, to emit (a flag per group and the list). */
  private changedFlag = new Uint8Array(0);
  private changed: number[] = [];
  /** window_end → numbers of the groups in that window, for eviction. */
  private readonly byWindowEnd = new Map<number, Set<number>>();
  private readonly args: CompiledExpr[][];
  /** Each row's group number in the batch being pushed (-1: the row is skipped). */
  private rowGroups = new Int32Array(0);
  /** Groups to remove after the next emit. */
  private forgotten: number[] = [];
  private watermarkMicros = -Infinity;
  private closedUpTo = -Infinity;
  private readonly isGlobal: boolean;

  constructor(private readonly node: AggregateNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    const aggs = node.aggs.map((a) => groupedAggregate(a, neverRetracts(node.input)));
    this.args = node.aggs.map((a) => a.args.map(compileExpr));
    this.isGlobal = node.groupBy.length === 0;
    this.groups = new GroupStore(node.groupBy.map((i) => node.input.schema[i].type), aggs, ctx.mode === 'incremental');
    ctx.records('groups', this.groups);
    this.groupBytes = 64 + 16 * (node.groupBy.length + node.aggs.length);
    if (node.emit === 'on_window_close' && node.windowEnd === null) {
      throw new Error('engine: EMIT ON WINDOW CLOSE needs a window_end group key');
    }
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const keyCols: Vec[] = this.node.groupBy.map((i) => view.column(i));
    const before = this.groups.size;
    const groups = this.groupsOf(keyCols, n);
    this.ctx.memory?.hold((this.groups.size - before) * this.groupBytes, 'aggregate groups');
    this.groups.addWeights(groups, batch.diffs, n);
    this.node.aggs.forEach((_, a) => {
      const argVecs = this.args[a].map((e) => e.eval(view, this.ctx.eval));
      this.groups.aggs[a].update(argVecs, groups, batch.diffs, n);
    });
  }

  /** Every row's group number (created for a row that is its first), each group marked changed once. */
  private groupsOf(keyCols: readonly Vec[], n: number): Int32Array {
    if (this.rowGroups.length < n) this.rowGroups = new Int32Array(Math.max(n, this.rowGroups.length * 2));
    const out = this.rowGroups;
    const end = this.node.windowEnd === null ? null : keyCols[this.node.windowEnd];
    for (let i = 0; i < n; i++) {
      // A row for a window already closed was applied elsewhere (or is late): it cannot change an emitted result.
      if (end !== null && end.kind === 'num' && end.values[i] <= this.closedUpTo) {
        out[i] = -1;
        continue;
      }
      const g = this.groups.keys.groupAt(keyCols, i, this.created);
      if (this.changedFlag[g] === 0) {
        this.changedFlag[g] = 1;
        this.changed.push(g);
        this.groups.resize(g);
      }
      out[i] = g;
    }
    return out;
  }

  private readonly created = (g: number): void => {
    this.groups.created(g);
    this.register(g);
  };

  /** Makes room for group g's flag, and indexes it by window for eviction. */
  private register(g: number): void {
    if (this.changedFlag.length <= g) {
      const grown = new Uint8Array(Math.max(64, this.changedFlag.length * 2, g + 1));
      grown.set(this.changedFlag);
      this.changedFlag = grown;
    }
    this.changedFlag[g] = 0;
    this.indexWindow(g);
  }

  private windowEndOf(g: number): number | null {
    if (this.node.windowEnd === null) return null;
    const v = this.groups.keys.value(g, this.node.windowEnd);
    return v === null ? null : Number(v);
  }

  private indexWindow(g: number): void {
    const end = this.windowEndOf(g);
    if (end === null) return;
    let groups = this.byWindowEnd.get(end);
    if (groups === undefined) this.byWindowEnd.set(end, (groups = new Set()));
    groups.add(g);
  }

  /**
   * Group g is to be removed once the changes in hand are emitted (they gather its keys); the caller sees to the
   * window index.
   */
  private forget(g: number): void {
    this.forgotten.push(g);
  }

  private drop(g: number): void {
    const end = this.windowEndOf(g);
    if (end !== null) this.byWindowEnd.get(end)?.delete(g);
    this.forget(g);
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
    if (this.isGlobal && this.groups.size === 0) {
      // A global aggregate has one row even over no input (count 0, sum NULL).
      const g = this.groups.keys.groupAt([], 0, this.created);
      this.changedFlag[g] = 1;
      this.changed.push(g);
    }
    let out = new GroupChanges(this.groups);
    const changed = this.changed;
    this.changed = [];
    for (let k = 0; k < changed.length; k++) {
      this.changedFlag[changed[k]] = 0;
      this.settle(changed[k], out);
      if ((k + 1) % FLUSH_STEP_GROUPS === 0) {
        this.emitChanges(out);
        out = new GroupChanges(this.groups);
        yield;
      }
    }
    this.closeWindows(this.watermarkMicros, out);
    this.emitChanges(out);
    if (this.watermarkMicros > -Infinity) this.out.emitWatermark(this.watermarkMicros);
  }

  private emitChanges(out: GroupChanges): void {
    if (out.size > 0) this.out.emit(out.batch(this.node.schema));
    for (const g of this.forgotten) this.groups.remove(g);
    this.forgotten = [];
  }

  /**
   * A group the epoch changed: with EMIT CHANGES its old row goes out and its new row in, and it is dropped once it
   * has no rows; otherwise it is kept, changed in place.
   */
  private settle(g: number, out: GroupChanges): void {
    if (this.node.emit === 'changes') {
      const rows = this.groups.weightOf(g);
      const present = rows > 0 || this.isGlobal;
      if (!this.groups.emittedIsCurrent(g, present)) {
        if (this.groups.hasEmitted(g)) out.retract(g);
        if (present) out.insert(g);
        this.groups.markEmitted(g, present);
      }
      if (rows === 0 && !this.isGlobal) {
        this.drop(g);
        return;
      }
    }
    this.groups.touch(g);
  }

  /** Windows ending at or before `upTo` are final: emit them (on window close) and evict their state. */
  private closeWindows(upTo: number, out: GroupChanges): void {
    if (this.node.windowEnd === null || upTo <= this.closedUpTo) return;
    this.closedUpTo = upTo;
    const ends = [...this.byWindowEnd.keys()].filter((e) => e <= upTo).sort((a, b) => a - b);
    for (const end of ends) {
      for (const g of this.byWindowEnd.get(end)!) {
        if (this.node.emit === 'on_window_close' && this.groups.weightOf(g) > 0) out.insert(g);
        this.forget(g);
      }
      this.byWindowEnd.delete(end);
    }
  }

  endOfInput(): void {
    runSteps(this.endOfInputSteps());
  }

  /** A pull query's GROUP BY settles its groups in flushSteps' steps too: a million groups would be one long step. */
  *endOfInputSteps(): Generator<void> {
    yield* this.flushSteps();
    const out = new GroupChanges(this.groups);
    this.closeWindows(Infinity, out);
    this.emitChanges(out);
  }

  restored(): void {
    this.groups.restored();
    for (const g of this.groups.groups()) this.register(g);
  }

  stateBytes(): number {
    return this.groups.stateBytes();
  }
}

// A physical plan instantiated: one operator per plan node (a node object shared by two parents is one operator
// with two consumers), wired output to input. Sources are not operators: the runtime pushes each source's changes
// into the DAG, which hands them to the source's consumers. An epoch ends with endEpoch(), which flushes the
// operators from the sources up to the root; a pull query ends with endOfInput().
//
// The DAG is the runner of its operators' hard parts. Watermarks: a source's comes from its log (a stream's entries
// carry it, engine/runtime/stream-watermarks.ts) and is handed on as soon as an entry has been read; the DAG keeps
// what each source and operator emitted and gives an operator the minimum over its inputs whenever that advances.
// State: every operator's state tables, and the watermarks, are collected at each epoch's snapshot and loaded back
// before the first epoch.

import type { ChangeBatch } from './batch';
import { planInputs, planNodeOrder, type PlanNode, type SourceNode } from './plan';
import { endEpochFigures, newNodeFigures, OperatorClock, type DagFigures, type NodeFigures } from './dag-figures';
import type { LateRow, Operator, OperatorContext, OperatorOutput } from './operators/operator';
import { FACTORIES } from './operator-factories';
import type { StatementMemory } from './memory/statement';
import { batchBytes } from './memory/sizes';
import { slicesOf, type Pacer } from './slices';
import type { StateDelta } from './state/chunks';
import { NUMBER_CODEC, StateStore, type StateTable } from './state/table';
import type { Schema, Value } from './types';
import { UTC_ZONE, type TimeZone } from './values/timezone';

export interface DagOptions {
  readonly mode: 'incremental' | 'batch';
  readonly params?: readonly Value[];
  /** now() until the first beginEpoch (µs since the epoch). */
  readonly nowMicros?: number;
  /** The statement's session zone in a pull query; UTC (absent) in a continuous query. */
  readonly zone?: TimeZone;
  /** Called for each row refused as late; late rows are counted either way. */
  readonly late?: (row: LateRow) => void;
  /** A pull query's memory share: its operators' buffers and the result rows kept are counted against it. */
  readonly memory?: StatementMemory;
}

export interface DagSource {
  readonly node: SourceNode;
  push(batch: ChangeBatch): void;
  /**
   * The source's watermark after the entry just pushed (a stream's log entry carries it); rows pushed later are
   * late below it. Ignored unless it advances.
   */
  advanceWatermark(micros: number): void;
}

export interface Dag {
  readonly sources: readonly DagSource[];
  /** The root's output schema. */
  readonly schema: Schema;
  /** Sets now() for the coming epoch. */
  beginEpoch(nowMicros: number): void;
  /** Ends an epoch: flushes every operator, inputs first; returns the root's output changes since the last call. */
  endEpoch(): ChangeBatch[];
  /** endEpoch, giving the event loop back between an operator's flush steps as `pacer` decides. */
  endEpochPaced(pacer: Pacer): Promise<ChangeBatch[]>;
  /** Batch mode: no more input; every operator flushes and closes its windows. Returns the remaining output. */
  endOfInput(): ChangeBatch[];
  /**
   * Runs `work` (pushes into sources, a source's watermark) and all it sets off, paced: an operator gets at most
   * SLICE_ROWS rows per push, takes them a step at a time when it can (pushSteps), and what a step emits goes on
   * up before the next step runs, so neither time between yields nor rows in flight grow with the data. From the
   * first call on, this DAG delivers this way only.
   */
  runPaced(pacer: Pacer, work: () => void): Promise<void>;
  /** endOfInput, paced like runPaced. */
  endOfInputPaced(pacer: Pacer): Promise<ChangeBatch[]>;
  /** The lowest watermark any operator has emitted; null when none has emitted one. */
  watermark(): number | null;
  /** How many rows were refused as late so far. */
  lateRows(): number;
  /**
   * The state keys changed since the last snapshot, for committing epoch `epoch` (epochs only move forward); encoded
   * in slices paced by `pacer`, with no input pushed until it resolves.
   */
  snapshot(epoch: number, pacer: Pacer): Promise<StateDelta>;
  /** Loads the state of the last committed epoch, before the first epoch runs. */
  restore(entries: Iterable<[string, Uint8Array]>): void;
  /** The operators' state size, measured now (it walks every group: not for every read). */
  stateBytes(): number;
  /** Each node's rows, time and state size (as of the last stateBytes()), by id in planNodeOrder. */
  figures(): DagFigures;
}

/** Delivery held back in paced mode, in the order it was made: a batch for consumers, or a watermark to record. */
type Pending = { readonly consumers: readonly Consumer[]; readonly batch: ChangeBatch } | { readonly apply: () => void };

/** A push (or an end of input) as one step, for operators without pushSteps (endOfInputSteps). */
function* oneStep(run: () => void): Generator<void> {
  run();
}

interface Consumer {
  readonly target: OpNode | 'root';
  readonly input: number;
}

interface OpNode {
  readonly id: number;
  readonly op: Operator;
  readonly inputs: readonly (OpNode | SourceEntry)[];
  readonly consumers: Consumer[];
  /** The merged input watermark last given to the operator. */
  delivered: number;
  readonly figures: NodeFigures;
}

interface SourceEntry {
  /** Its index among the DAG's sources: the key of its watermark. */
  readonly index: number;
  readonly node: SourceNode;
  readonly consumers: Consumer[];
  readonly figures: NodeFigures;
}

class DagImpl implements Dag {
  readonly sources: DagSource[] = [];
  readonly schema: Schema;
  private readonly ops: OpNode[] = [];
  private readonly built = new Map<PlanNode, OpNode | SourceEntry>();
  private readonly output: ChangeBatch[] = [];
  private readonly evalCtx: { params: readonly Value[]; nowMicros: number; zone: TimeZone };
  private readonly state: StateStore;
  /** The watermark each operator emitted last, by operator id: durable, so a restarted DAG goes on from it. */
  private readonly emitted: StateTable<number>;
  /** Each source's watermark, by source index, durable like the operators'. */
  private readonly sourceWatermarks: StateTable<number>;
  private late = 0;
  /** Every node's figures, by id in planNodeOrder. */
  private readonly nodeFigures: NodeFigures[] = [];
  private readonly clock = new OperatorClock();
  private epochs = 0;
  /** Paced mode's deliveries not yet made (engine/slices.ts); null in the synchronous mode. */
  private pending: Pending[] | null = null;

  constructor(plan: PlanNode, private readonly options: DagOptions) {
    this.schema = plan.schema;
    this.evalCtx = { params: options.params ?? [], nowMicros: options.nowMicros ?? Date.now() * 1000, zone: options.zone ?? UTC_ZONE };
    this.state = new StateStore(options.mode === 'incremental');
    this.emitted = this.state.tablesOf('dag')('watermarks', NUMBER_CODEC);
    this.sourceWatermarks = this.state.tablesOf('dag')('source-watermarks', NUMBER_CODEC);
    // Every node after its inputs: the flush order.
    for (const node of planNodeOrder(plan)) {
      const figures = newNodeFigures();
      this.nodeFigures.push(figures);
      this.built.set(node, this.build(node, figures));
    }
    this.built.get(plan)!.consumers.push({ target: 'root', input: 0 });
  }

  private build(node: PlanNode, figures: NodeFigures): OpNode | SourceEntry {
    if (node.kind === 'source') {
      const entry: SourceEntry = { index: this.sources.length, node, consumers: [], figures };
      this.sources.push({
        node,
        push: (batch) => {
          figures.rowsIn += batch.data.numRows;
          figures.rowsOut += batch.data.numRows;
          this.deliver(entry.consumers, batch);
        },
        advanceWatermark: (micros) => this.advanceSourceWatermark(entry, micros),
      });
      return entry;
    }
    const inputs = planInputs(node).map((n) => this.built.get(n)!);
    const id = this.ops.length;
    const consumers: Consumer[] = [];
    const out: OperatorOutput = {
      emit: (batch) => {
        figures.rowsOut += batch.data.numRows;
        this.deliver(consumers, batch);
      },
      emitWatermark: (micros) => this.advanceWatermark(id, micros),
    };
    const ctx: OperatorContext = {
      eval: this.evalCtx,
      mode: this.options.mode,
      late: (row) => {
        this.late++;
        this.options.late?.(row);
      },
      tables: this.state.tablesOf(String(id)),
      records: this.state.recordsOf(String(id)),
      memory: this.options.memory,
    };
    const opNode: OpNode = {
      id, op: FACTORIES[node.kind](node, ctx, out), inputs, consumers, delivered: -Infinity, figures,
    };
    this.ops.push(opNode);
    inputs.forEach((input, i) => input.consumers.push({ target: opNode, input: i }));
    return opNode;
  }

  private deliver(consumers: readonly Consumer[], batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    if (this.pending !== null) {
      this.pending.push({ consumers, batch });
      return;
    }
    for (const c of consumers) {
      if (c.target === 'root') {
        this.keepOutput(batch);
        continue;
      }
      const { op, figures } = c.target;
      figures.rowsIn += batch.data.numRows;
      this.clock.run(figures, () => op.push(c.input, batch));
    }
  }

  private keepOutput(batch: ChangeBatch): void {
    this.options.memory?.hold(batchBytes(batch.data), 'result rows');
    this.output.push(batch);
  }

  async runPaced(pacer: Pacer, work: () => void): Promise<void> {
    this.pending ??= [];
    work();
    await this.drain(pacer);
  }

  async endOfInputPaced(pacer: Pacer): Promise<ChangeBatch[]> {
    this.pending ??= [];
    for (const { op, figures } of this.ops) {
      const steps = op.endOfInputSteps?.() ?? oneStep(() => op.endOfInput());
      const it = steps[Symbol.iterator]();
      for (let done = false; !done;) {
        done = this.clock.run(figures, () => it.next()).done === true;
        await this.drain(pacer);
        await pacer.between();
      }
    }
    return this.takeOutput();
  }

  /** Makes the pending deliveries in order, each one's consequences before the next (depth first). */
  private async drain(pacer: Pacer): Promise<void> {
    for (const item of this.pending!.splice(0)) {
      if ('apply' in item) {
        item.apply();
        await this.drain(pacer);
      } else {
        await this.deliverPaced(item.consumers, item.batch, pacer);
      }
    }
  }

  private async deliverPaced(consumers: readonly Consumer[], batch: ChangeBatch, pacer: Pacer): Promise<void> {
    for (const slice of slicesOf(batch)) {
      for (const c of consumers) {
        if (c.target === 'root') {
          this.keepOutput(slice);
          continue;
        }
        const { op, figures } = c.target;
        figures.rowsIn += slice.data.numRows;
        const steps = op.pushSteps?.(c.input, slice) ?? oneStep(() => op.push(c.input, slice));
        const it = steps[Symbol.iterator]();
        for (let done = false; !done;) {
          done = this.clock.run(figures, () => it.next()).done === true;
          await this.drain(pacer);
          await pacer.between();
        }
      }
    }
  }

  /** Operator `id` emitted watermark `micros`: recorded after the rows it emitted before it, in paced mode. */
  private advanceWatermark(id: number, micros: number): void {
    if (this.pending !== null) this.pending.push({ apply: () => this.recordWatermark(id, micros) });
    else this.recordWatermark(id, micros);
  }

  /** Keeps operator `id`'s watermark when it advances, and passes it on to its consumers. */
  private recordWatermark(id: number, micros: number): void {
    const before = this.emitted.get(id);
    if (before !== undefined && micros <= before) return;
    this.emitted.put(id, micros);
    for (const c of this.ops[id].consumers) if (c.target !== 'root') this.offerWatermark(c.target);
  }

  private advanceSourceWatermark(source: SourceEntry, micros: number): void {
    if (this.pending !== null) this.pending.push({ apply: () => this.recordSourceWatermark(source, micros) });
    else this.recordSourceWatermark(source, micros);
  }

  private recordSourceWatermark(source: SourceEntry, micros: number): void {
    const before = this.sourceWatermarks.get(source.index);
    if (before !== undefined && micros <= before) return;
    this.sourceWatermarks.put(source.index, micros);
    for (const c of source.consumers) if (c.target !== 'root') this.offerWatermark(c.target);
  }

  /** Gives an operator the minimum watermark over its inputs, when every input has one and it advanced. */
  private offerWatermark(o: OpNode): void {
    let min: number | null = null;
    for (const input of o.inputs) {
      // A source without one (a table, a query's result, a stream without WATERMARK FOR) holds it back for good.
      const w = 'op' in input ? this.emitted.get(input.id) : this.sourceWatermarks.get(input.index);
      if (w === undefined) return;
      if (min === null || w < min) min = w;
    }
    if (min === null || min <= o.delivered) return;
    o.delivered = min;
    this.clock.run(o.figures, () => o.op.onWatermark(min));
  }

  beginEpoch(nowMicros: number): void {
    this.evalCtx.nowMicros = nowMicros;
  }

  private takeOutput(): ChangeBatch[] {
    return this.output.splice(0, this.output.length);
  }

  endEpoch(): ChangeBatch[] {
    for (const o of this.ops) this.clock.run(o.figures, () => o.op.flush());
    return this.epochEnded();
  }

  async endEpochPaced(pacer: Pacer): Promise<ChangeBatch[]> {
    for (const o of this.ops) {
      const { op, figures } = o;
      if (op.flushSteps === undefined) {
        this.clock.run(figures, () => op.flush());
        continue;
      }
      const steps = op.flushSteps()[Symbol.iterator]();
      while (!this.clock.run(figures, () => steps.next()).done) await pacer.between();
    }
    return this.epochEnded();
  }

  private epochEnded(): ChangeBatch[] {
    this.epochs++;
    endEpochFigures(this.nodeFigures);
    return this.takeOutput();
  }

  endOfInput(): ChangeBatch[] {
    for (const o of this.ops) o.op.endOfInput();
    return this.takeOutput();
  }

  watermark(): number | null {
    let min: number | null = null;
    for (const w of this.emitted.values()) if (min === null || w < min) min = w;
    return min;
  }

  lateRows(): number {
    return this.late;
  }

  snapshot(epoch: number, pacer: Pacer): Promise<StateDelta> {
    return this.state.snapshot(epoch, pacer);
  }

  restore(entries: Iterable<[string, Uint8Array]>): void {
    this.state.restore(entries);
    for (const o of this.ops) o.op.restored();
    // Each operator is told its inputs' watermark again, as before the restart (e.g. which windows are closed).
    for (const o of this.ops) this.offerWatermark(o);
  }

  stateBytes(): number {
    let total = 0;
    for (const o of this.ops) {
      o.figures.stateBytes = o.op.stateBytes();
      total += o.figures.stateBytes;
    }
    return total;
  }

  figures(): DagFigures {
    return { epochs: this.epochs, nodes: this.nodeFigures };
  }
}

export function buildDag(plan: PlanNode, options: DagOptions): Dag {
  return new DagImpl(plan, options);
}

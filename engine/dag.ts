// A physical plan instantiated: one operator per plan node (a node object shared by two parents is one operator
// with two consumers), wired output to input. Sources are not operators: the runtime pushes each source's changes
// into the DAG, which hands them to the source's consumers. An epoch ends with endEpoch(), which flushes the
// operators from the sources up to the root; a pull query ends with endOfInput().

import type { ChangeBatch } from './batch';
import type { EvalContext } from './expr/context';
import { planInputs, type PlanKind, type PlanNode, type SourceNode } from './plan';
import { AggregateOperator } from './operators/aggregate';
import { DistinctOperator } from './operators/distinct';
import { FilterOperator } from './operators/filter';
import { JoinOperator } from './operators/join';
import { LimitOperator } from './operators/limit';
import type { LateRow, Operator, OperatorContext, OperatorOutput, StateDelta } from './operators/operator';
import { ProjectOperator } from './operators/project';
import { SessionAggregateOperator } from './operators/session-aggregate';
import { SortOperator } from './operators/sort';
import { UnionOperator } from './operators/union';
import { ValuesOperator } from './operators/values';
import { WindowOperator } from './operators/window';
import type { Schema, Value } from './types';

export interface DagOptions {
  readonly mode: 'incremental' | 'batch';
  readonly params?: readonly Value[];
  /** now() until the first beginEpoch (µs since the epoch). */
  readonly nowMicros?: number;
  /** Called for each row refused as late; late rows are counted either way. */
  readonly late?: (row: LateRow) => void;
}

export interface DagSource {
  readonly node: SourceNode;
  push(batch: ChangeBatch): void;
}

export interface Dag {
  readonly sources: readonly DagSource[];
  /** The root's output schema. */
  readonly schema: Schema;
  /** Sets now() for the coming epoch. */
  beginEpoch(nowMicros: number): void;
  /** Ends an epoch: flushes every operator, inputs first; returns the root's output changes since the last call. */
  endEpoch(): ChangeBatch[];
  /** Batch mode: no more input; every operator flushes and closes its windows. Returns the remaining output. */
  endOfInput(): ChangeBatch[];
  /** The lowest event-time watermark among the window operators; null when none has seen a row. */
  watermark(): number | null;
  /** How many rows were refused as late so far. */
  lateRows(): number;
  /** State keys changed since the last snapshot, prefixed by operator (`3/...`); null = deleted. */
  snapshot(): StateDelta;
  restore(entries: Iterable<[string, Uint8Array]>): void;
  stateBytes(): number;
}

interface Consumer {
  readonly target: OpNode | 'root';
  readonly input: number;
}

interface OpNode {
  readonly id: number;
  readonly op: Operator;
  readonly consumers: Consumer[];
}

interface SourceEntry {
  readonly node: SourceNode;
  readonly consumers: Consumer[];
}

type Factory = (node: PlanNode, ctx: OperatorContext, out: OperatorOutput) => Operator;

const FACTORIES: Record<Exclude<PlanKind, 'source'>, Factory> = {
  values: (n, ctx, out) => new ValuesOperator(n as Extract<PlanNode, { kind: 'values' }>, ctx, out),
  filter: (n, ctx, out) => new FilterOperator(n as Extract<PlanNode, { kind: 'filter' }>, ctx, out),
  project: (n, ctx, out) => new ProjectOperator(n as Extract<PlanNode, { kind: 'project' }>, ctx, out),
  window: (n, ctx, out) => new WindowOperator(n as Extract<PlanNode, { kind: 'window' }>, ctx, out),
  aggregate: (n, ctx, out) => new AggregateOperator(n as Extract<PlanNode, { kind: 'aggregate' }>, ctx, out),
  session_aggregate: (n, ctx, out) =>
    new SessionAggregateOperator(n as Extract<PlanNode, { kind: 'session_aggregate' }>, ctx, out),
  join: (n, ctx, out) => new JoinOperator(n as Extract<PlanNode, { kind: 'join' }>, ctx, out),
  union: (n, _ctx, out) => new UnionOperator(n as Extract<PlanNode, { kind: 'union' }>, out),
  distinct: (n, _ctx, out) => new DistinctOperator(n as Extract<PlanNode, { kind: 'distinct' }>, out),
  sort: (n, ctx, out) => new SortOperator(n as Extract<PlanNode, { kind: 'sort' }>, ctx, out),
  limit: (n, ctx, out) => new LimitOperator(n as Extract<PlanNode, { kind: 'limit' }>, ctx, out),
};

class DagImpl implements Dag {
  readonly sources: DagSource[] = [];
  readonly schema: Schema;
  private readonly ops: OpNode[] = [];
  private readonly built = new Map<PlanNode, OpNode | SourceEntry>();
  private readonly output: ChangeBatch[] = [];
  private readonly evalCtx: { params: readonly Value[]; nowMicros: number };
  private readonly opCtx: OperatorContext;
  private late = 0;

  constructor(plan: PlanNode, options: DagOptions) {
    this.schema = plan.schema;
    this.evalCtx = { params: options.params ?? [], nowMicros: options.nowMicros ?? Date.now() * 1000 };
    const evalCtx: EvalContext = this.evalCtx;
    this.opCtx = {
      eval: evalCtx,
      mode: options.mode,
      late: (row) => {
        this.late++;
        options.late?.(row);
      },
    };
    const root = this.build(plan);
    root.consumers.push({ target: 'root', input: 0 });
  }

  private build(node: PlanNode): OpNode | SourceEntry {
    const existing = this.built.get(node);
    if (existing !== undefined) return existing;
    if (node.kind === 'source') {
      const entry: SourceEntry = { node, consumers: [] };
      this.built.set(node, entry);
      this.sources.push({ node, push: (batch) => this.deliver(entry.consumers, batch) });
      return entry;
    }
    const inputs = planInputs(node).map((n) => this.build(n));
    const consumers: Consumer[] = [];
    const out: OperatorOutput = {
      emit: (batch) => this.deliver(consumers, batch),
      emitWatermark: (micros) => {
        for (const c of consumers) if (c.target !== 'root') c.target.op.watermark(c.input, micros);
      },
    };
    const opNode: OpNode = { id: this.ops.length, op: FACTORIES[node.kind](node, this.opCtx, out), consumers };
    // Post-order: every operator comes after its inputs, which is the flush order.
    this.ops.push(opNode);
    this.built.set(node, opNode);
    inputs.forEach((input, i) => input.consumers.push({ target: opNode, input: i }));
    return opNode;
  }

  private deliver(consumers: readonly Consumer[], batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    for (const c of consumers) {
      if (c.target === 'root') this.output.push(batch);
      else c.target.op.push(c.input, batch);
    }
  }

  beginEpoch(nowMicros: number): void {
    this.evalCtx.nowMicros = nowMicros;
  }

  private takeOutput(): ChangeBatch[] {
    return this.output.splice(0, this.output.length);
  }

  endEpoch(): ChangeBatch[] {
    for (const o of this.ops) o.op.flush();
    return this.takeOutput();
  }

  endOfInput(): ChangeBatch[] {
    for (const o of this.ops) o.op.endOfInput();
    return this.takeOutput();
  }

  watermark(): number | null {
    let min: number | null = null;
    for (const o of this.ops) {
      const op = o.op as Operator & { currentWatermark?: () => number | null };
      const w = op.currentWatermark?.() ?? null;
      if (w !== null && (min === null || w < min)) min = w;
    }
    return min;
  }

  lateRows(): number {
    return this.late;
  }

  snapshot(): StateDelta {
    const delta: StateDelta = new Map();
    for (const o of this.ops) {
      for (const [k, v] of o.op.snapshot()) delta.set(`${o.id}/${k}`, v);
    }
    return delta;
  }

  restore(entries: Iterable<[string, Uint8Array]>): void {
    const perOp = new Map<number, [string, Uint8Array][]>();
    for (const [k, v] of entries) {
      const slash = k.indexOf('/');
      const id = Number(k.slice(0, slash));
      if (!(id >= 0 && id < this.ops.length) || slash < 0) {
        throw new Error(`engine: state key ${JSON.stringify(k)} does not belong to this plan`);
      }
      let list = perOp.get(id);
      if (list === undefined) perOp.set(id, (list = []));
      list.push([k.slice(slash + 1), v]);
    }
    for (const [id, list] of perOp) this.ops[id].op.restore(list);
  }

  stateBytes(): number {
    return this.ops.reduce((n, o) => n + o.op.stateBytes(), 0);
  }
}

export function buildDag(plan: PlanNode, options: DagOptions): Dag {
  return new DagImpl(plan, options);
}

// Pull queries: the same operators as a continuous query, fed all input as one epoch, then end of input. The
// result rows come out consolidated (a deleted row cancels an inserted copy), in the root's order when it sorts.

import type { ChangeBatch } from './batch';
import { rowsFromBatch } from './columns/rows';
import { buildDag } from './dag';
import type { EvalContext } from './expr/context';
import { consolidateBatches } from './operators/changes';
import type { LateRow } from './operators/operator';
import type { PlanNode, SourceNode } from './plan';
import type { Schema, Value } from './types';

export interface PullOptions extends EvalContext {
  readonly late?: (row: LateRow) => void;
}

export function runPull(plan: PlanNode, readSource: (node: SourceNode) => ChangeBatch[], ctx: PullOptions): Value[][] {
  return consolidate(runPullChanges(plan, readSource, ctx), plan.schema);
}

/** The changes a pull query's operators emit, before consolidation. */
export function runPullChanges(plan: PlanNode, readSource: (node: SourceNode) => ChangeBatch[], ctx: PullOptions): ChangeBatch[] {
  const dag = buildDag(plan, { mode: 'batch', params: ctx.params, nowMicros: ctx.nowMicros, late: ctx.late });
  for (const source of dag.sources) for (const batch of readSource(source.node)) source.push(batch);
  return dag.endOfInput();
}

/** Rows of change batches with their weights applied: what remains, in first-insert order. */
export function consolidate(batches: readonly ChangeBatch[], schema: Schema): Value[][] {
  return rowsFromBatch(consolidateBatches(schema, batches), schema);
}

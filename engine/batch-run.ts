// Pull queries: the same operators as a continuous query, fed all input as one epoch, then end of input. The
// result rows come out consolidated (a deleted row cancels an inserted copy), in the root's order when it sorts.
// All the work goes in bounded slices with yields between them (engine/slices.ts, Dag.runPaced): the input, and what
// each operator makes of it (a join's output is cut into steps), so a pull over a big relation or a big join lets
// other sessions run, and a canceled statement stops at the next slice with 57014.

import type { ChangeBatch } from './batch';
import { rowsFromBatch } from './columns/rows';
import { buildDag } from './dag';
import type { EvalContext } from './expr/context';
import { consolidateBatches } from './operators/changes';
import type { LateRow } from './operators/operator';
import type { PlanNode, SourceNode } from './plan';
import { Pacer } from './slices';
import type { StatementMemory } from './memory/statement';
import type { Schema, Value } from './types';

export interface PullOptions extends EvalContext {
  readonly late?: (row: LateRow) => void;
  /** The statement's: aborted by a CancelRequest or a hang-up, which stops the pull between slices. */
  readonly signal?: AbortSignal;
  /** The statement's memory share; none: unbounded (tests of the operators). */
  readonly memory?: StatementMemory;
}

export async function runPull(plan: PlanNode, readSource: (node: SourceNode) => ChangeBatch[], ctx: PullOptions): Promise<Value[][]> {
  return consolidate(await runPullChanges(plan, readSource, ctx), plan.schema);
}

/** The changes a pull query's operators emit, before consolidation. */
export async function runPullChanges(
  plan: PlanNode,
  readSource: (node: SourceNode) => ChangeBatch[],
  ctx: PullOptions,
): Promise<ChangeBatch[]> {
  const dag = buildDag(plan, {
    mode: 'batch', params: ctx.params, nowMicros: ctx.nowMicros, zone: ctx.zone, late: ctx.late, memory: ctx.memory,
  });
  const pacer = new Pacer(ctx.signal);
  for (const source of dag.sources) {
    for (const batch of readSource(source.node)) {
      await dag.runPaced(pacer, () => source.push(batch));
      const watermark = batch.watermark;
      if (watermark !== undefined) await dag.runPaced(pacer, () => source.advanceWatermark(watermark));
    }
  }
  return dag.endOfInputPaced(pacer);
}

/** Rows of change batches with their weights applied: what remains, in first-insert order. */
export function consolidate(batches: readonly ChangeBatch[], schema: Schema): Value[][] {
  return rowsFromBatch(consolidateBatches(schema, batches), schema);
}

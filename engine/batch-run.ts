// Pull queries: the same operators as a continuous query, fed all input as one epoch, then end of input. The
// result rows come out consolidated (a deleted row cancels an inserted copy), in the root's order when it sorts.

import type { ChangeBatch } from './batch';
import { rowsFromBatch } from './columns/rows';
import { buildDag } from './dag';
import type { EvalContext } from './expr/context';
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
  const rows: Value[][] = [];
  const weights: number[] = [];
  for (const b of batches) {
    const rs = rowsFromBatch(b.data, schema);
    for (let i = 0; i < rs.length; i++) {
      rows.push(rs[i]);
      weights.push(b.diffs === null ? 1 : b.diffs[i]);
    }
  }
  if (weights.every((w) => w === 1)) return rows;
  const net = new Map<string, number>();
  const keys = rows.map(rowIdentity);
  keys.forEach((k, i) => net.set(k, (net.get(k) ?? 0) + weights[i]));
  const out: Value[][] = [];
  rows.forEach((row, i) => {
    if (weights[i] <= 0) return;
    const left = net.get(keys[i])!;
    if (left > 0) {
      out.push(row);
      net.set(keys[i], left - 1);
    }
  });
  return out;
}

function rowIdentity(row: readonly Value[]): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

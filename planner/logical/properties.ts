// Facts about a logical plan that binding and lowering need to decide what can run.

import type { LogicalNode } from './nodes';

/**
 * Whether the node's output is an unbounded append-only stream (rows are only ever inserted): a stream read directly
 * and anything row-by-row over it. Aggregates and DISTINCT turn a stream into a changing but bounded result.
 */
export function isAppendOnly(n: LogicalNode): boolean {
  switch (n.kind) {
    case 'scan': return n.relation.kind === 'stream';
    case 'values': case 'aggregate': case 'distinct': return false;
    case 'filter': case 'project': case 'window': case 'session_window': case 'sort': case 'limit': return isAppendOnly(n.input);
    case 'join': return isAppendOnly(n.left) || isAppendOnly(n.right);
    case 'union': return n.inputs.some(isAppendOnly);
  }
}

/**
 * Whether the node's output never deletes a row: streams read directly and anything row-by-row over them. Tables
 * and continuous query results change; so do aggregates, DISTINCT and joins (a join's row dies with either side's).
 */
export function neverRetracts(n: LogicalNode): boolean {
  switch (n.kind) {
    case 'scan': return n.relation.kind === 'stream';
    case 'values': return true;
    case 'aggregate': case 'distinct': case 'join': return false;
    case 'filter': case 'project': case 'window': case 'session_window': case 'sort': case 'limit': return neverRetracts(n.input);
    case 'union': return n.inputs.every(neverRetracts);
  }
}

/** The first aggregate in the plan that needs input without deletes but does not get it (sketches cannot forget). */
export function sketchOverChangingInput(n: LogicalNode): { fn: string } | null {
  if (n.kind === 'aggregate') {
    const sketch = n.aggs.find((a) => a.fn === 'approx_count_distinct' || a.fn === 'approx_percentile');
    if (sketch && !neverRetracts(n.input)) return { fn: sketch.fn };
  }
  switch (n.kind) {
    case 'scan': case 'values': return null;
    case 'join': return sketchOverChangingInput(n.left) ?? sketchOverChangingInput(n.right);
    case 'union': return n.inputs.map(sketchOverChangingInput).find((x) => x !== null) ?? null;
    default: return sketchOverChangingInput(n.input);
  }
}

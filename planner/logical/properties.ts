// Facts about a logical plan that binding and lowering need to decide what can run.

import type { LogicalNode } from './nodes';

/**
 * Whether the node's output is an unbounded append-only stream (rows are only ever inserted): a stream read directly
 * and anything row-by-row over it. Aggregates, DISTINCT, a window's max rows and a top-n turn a stream into a changing but
 * bounded result.
 */
export function isAppendOnly(n: LogicalNode): boolean {
  switch (n.kind) {
    case 'scan': return n.relation.kind === 'stream';
    case 'values': case 'aggregate': case 'distinct': case 'window_max': case 'top_n': return false;
    case 'filter': case 'project': case 'window': case 'session_window': case 'sort': case 'limit': return isAppendOnly(n.input);
    case 'join': return isAppendOnly(n.left) || isAppendOnly(n.right);
    case 'union': return n.inputs.some(isAppendOnly);
  }
}

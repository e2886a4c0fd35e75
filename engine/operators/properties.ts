// Facts about a physical plan that the engine decides by: whether a node's output ever retracts a row.

import type { PlanNode } from '../plan';

/**
 * Whether a plan's output is append-only in a continuous query: every change it can emit is an insert. True for a
 * stream read row by row (filter, project, TUMBLE/HOP), VALUES, an INNER JOIN or UNION of append-only inputs,
 * DISTINCT over an append-only input (a row's count only grows), and an aggregate or SESSION that emits ON WINDOW
 * CLOSE (each window once, final; rows for closed windows are dropped). A table or another query as input, an
 * aggregate emitting changes, a LEFT JOIN (its NULL-extended rows are retracted when a match arrives) a window's
 * max rows (a larger value displaces them) and a top-n (a better row pushes one out) are not.
 */
export function neverRetracts(n: PlanNode): boolean {
  switch (n.kind) {
    case 'source': return n.relation.kind === 'stream';
    case 'values': return true;
    case 'filter': case 'project': case 'window': case 'distinct': return neverRetracts(n.input);
    case 'aggregate': case 'session_aggregate': return n.emit === 'on_window_close';
    case 'join': return n.joinType === 'inner' && neverRetracts(n.left) && neverRetracts(n.right);
    case 'union': return n.inputs.every(neverRetracts);
    case 'sort': case 'limit': case 'window_max': case 'top_n': return false;
  }
}

/**
 * Whether output column `c` of `n` is a window_end that the node's watermark closes: once `n` has emitted
 * watermark W, it emits no more changes of rows whose column c is at or below W. True for TUMBLE/HOP's window_end
 * over an append-only input (later rows below the watermark are late and dropped), a windowed aggregate's
 * window_end key (a closed window's group is final and evicted), and a column passed through a filter or
 * projection.
 */
export function isClosingWindowEnd(n: PlanNode, c: number): boolean {
  switch (n.kind) {
    case 'window': return c === n.schema.length - 1 && neverRetracts(n.input);
    case 'aggregate': return n.windowEnd !== null && c === n.windowEnd;
    case 'filter': return isClosingWindowEnd(n.input, c);
    case 'project': {
      const e = n.exprs[c];
      return e !== undefined && e.kind === 'column' && isClosingWindowEnd(n.input, e.index);
    }
    default: return false;
  }
}

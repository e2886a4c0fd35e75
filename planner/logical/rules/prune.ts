// Projection pruning: each node keeps only the columns something above it reads, down to the sources, which then
// read only those columns of their relation. The root's columns are all kept, as are the columns of UNION inputs
// (positional) and of DISTINCT (all columns decide what is distinct). A node left with nothing to read keeps one
// column, so row counts survive (count(*) over a source still sees every row).

import { columnIds, type LExpr } from '../expr';
import { withInputs, type LogicalNode } from '../nodes';

export function pruneColumns(root: LogicalNode): LogicalNode {
  return prune(root, new Set(root.fields.map((f) => f.id)));
}

function add(into: Set<number>, exprs: readonly LExpr[]): Set<number> {
  for (const e of exprs) columnIds(e, into);
  return into;
}

function all(node: LogicalNode): Set<number> {
  return new Set(node.fields.map((f) => f.id));
}

function prune(node: LogicalNode, required: ReadonlySet<number>): LogicalNode {
  switch (node.kind) {
    case 'scan': {
      let keep = node.fields.map((f, i) => i).filter((i) => required.has(node.fields[i].id));
      if (keep.length === 0) keep = [0];
      return { ...node, columns: keep.map((i) => node.columns[i]), fields: keep.map((i) => node.fields[i]) };
    }
    case 'values':
      return node;
    case 'filter':
      return withInputs(node, [prune(node.input, add(new Set(required), [node.predicate]))]);
    case 'project': {
      let keep = node.fields.map((_, i) => i).filter((i) => required.has(node.fields[i].id));
      if (keep.length === 0) keep = [0];
      const exprs = keep.map((i) => node.exprs[i]);
      return { ...node, input: prune(node.input, add(new Set(), exprs)), exprs, fields: keep.map((i) => node.fields[i]) };
    }
    case 'window': case 'session_window': {
      const need = new Set(required);
      need.add(node.timeId);
      need.delete(node.startId);
      need.delete(node.endId);
      return withInputs(node, [prune(node.input, need)]);
    }
    case 'aggregate': {
      const aggs = node.aggs.filter((a) => required.has(a.id));
      const need = add(new Set(), [...node.groupBy.map((g) => g.expr), ...aggs.flatMap((a) => a.args)]);
      const keptIds = new Set([...node.groupBy.map((g) => g.id), ...aggs.map((a) => a.id)]);
      return { ...node, input: prune(node.input, need), aggs, fields: node.fields.filter((f) => keptIds.has(f.id)) };
    }
    case 'join': {
      const need = add(new Set(required), node.condition === null ? [] : [node.condition]);
      const left = prune(node.left, new Set([...all(node.left)].filter((id) => need.has(id))));
      const right = prune(node.right, new Set([...all(node.right)].filter((id) => need.has(id))));
      return withInputs(node, [left, right]);
    }
    case 'union':
      return withInputs(node, node.inputs.map((i) => prune(i, all(i))));
    case 'distinct':
      return withInputs(node, [prune(node.input, all(node.input))]);
    case 'sort': case 'top_n':
      return withInputs(node, [prune(node.input, add(new Set(required), node.keys.map((k) => k.expr)))]);
    case 'limit':
      return withInputs(node, [prune(node.input, required)]);
    case 'window_max':
      return withInputs(node, [prune(node.input, new Set([...required, node.endId, node.valueId]))]);
  }
}

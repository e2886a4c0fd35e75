// Predicate pushdown: every conjunct of a filter moves as far down as it keeps its meaning, so sources and joins see
// fewer rows. Through projections (columns replaced by their expressions), DISTINCT and ORDER BY; below window
// assignment when it does not use window_start / window_end; below an aggregate when it uses only group keys; into
// the side of a join it reads (both sides of an inner join; for an outer join, WHERE terms on a side that is never
// NULL-padded and ON terms on a side that is: LEFT JOIN's left and right, RIGHT JOIN's right and left, none for
// FULL); into every input of a UNION. A WHERE term over both sides of an inner join joins its
// condition, where lowering can use it as an equi-join key. Never below LIMIT.

import { columnIds, conjunction, mapColumns, splitConjuncts, usesOnly, type LExpr } from '../expr';
import { preservesSide } from '../../../engine/plan';
import type { LogicalNode } from '../nodes';

export function pushDownPredicates(node: LogicalNode): LogicalNode {
  return push(node, []);
}

function filterOver(node: LogicalNode, preds: readonly LExpr[]): LogicalNode {
  const predicate = conjunction(preds);
  return predicate === null ? node : { kind: 'filter', input: node, predicate, fields: node.fields };
}

function idsOf(node: LogicalNode): Set<number> {
  return new Set(node.fields.map((f) => f.id));
}

function substitute(e: LExpr, by: ReadonlyMap<number, LExpr>): LExpr {
  return mapColumns(e, (c) => by.get(c.id) ?? c);
}

/** The window_start / window_end ids of a session window under `node` (through filters and projections). */
function sessionBounds(node: LogicalNode): Set<number> {
  if (node.kind === 'session_window') return new Set([node.startId, node.endId]);
  if (node.kind === 'filter' || node.kind === 'project') return sessionBounds(node.input);
  return new Set();
}

function push(node: LogicalNode, preds: readonly LExpr[]): LogicalNode {
  switch (node.kind) {
    case 'scan': case 'values':
      return filterOver(node, preds);
    case 'filter':
      return push(node.input, [...preds, ...splitConjuncts(node.predicate)]);
    case 'project': {
      const by = new Map(node.fields.map((f, i) => [f.id, node.exprs[i]]));
      return { ...node, input: push(node.input, preds.map((p) => substitute(p, by))) };
    }
    case 'window': case 'session_window': {
      const windowIds = new Set([node.startId, node.endId]);
      const down = preds.filter((p) => ![...columnIds(p)].some((id) => windowIds.has(id)));
      const stay = preds.filter((p) => !down.includes(p));
      const input = push(node.input, down);
      return filterOver({ ...node, input }, stay);
    }
    case 'aggregate': {
      const keyIds = new Set(node.groupBy.map((g) => g.id));
      const by = new Map(node.groupBy.map((g) => [g.id, g.expr]));
      // A session's bounds exist only once its rows are aggregated: a term over them stays above the aggregate.
      const session = sessionBounds(node.input);
      const down = preds.filter((p) => usesOnly(p, keyIds) && ![...columnIds(substitute(p, by))].some((id) => session.has(id)));
      const stay = preds.filter((p) => !down.includes(p));
      const input = push(node.input, down.map((p) => substitute(p, by)));
      return filterOver({ ...node, input }, stay);
    }
    case 'join': {
      const leftIds = idsOf(node.left);
      const rightIds = idsOf(node.right);
      const toLeft: LExpr[] = [];
      const toRight: LExpr[] = [];
      const stay: LExpr[] = [];
      let condition = splitConjuncts(node.condition);
      const inner = node.joinType === 'inner';
      // A WHERE term over one side can filter that side first unless the other side's unmatched rows pad it with
      // NULLs (the term might hold on those); an ON term over one side can, unless that side keeps its unmatched rows.
      const leftPadded = preservesSide(node.joinType, 1);
      const rightPadded = preservesSide(node.joinType, 0);
      for (const p of preds) {
        if (!leftPadded && usesOnly(p, leftIds)) toLeft.push(p);
        else if (!rightPadded && usesOnly(p, rightIds)) toRight.push(p);
        else if (inner) condition.push(p);
        else stay.push(p);
      }
      const keep: LExpr[] = [];
      for (const c of condition) {
        if (columnIds(c).size > 0 && !preservesSide(node.joinType, 0) && usesOnly(c, leftIds)) toLeft.push(c);
        else if (columnIds(c).size > 0 && !preservesSide(node.joinType, 1) && usesOnly(c, rightIds)) toRight.push(c);
        else keep.push(c);
      }
      condition = keep;
      const joined: LogicalNode = {
        ...node, left: push(node.left, toLeft), right: push(node.right, toRight), condition: conjunction(condition),
      };
      return filterOver(joined, stay);
    }
    case 'union': {
      const inputs = node.inputs.map((input) => {
        const by = new Map(node.fields.map((f, i): [number, LExpr] => [f.id, { kind: 'column', id: input.fields[i].id, type: input.fields[i].type, name: input.fields[i].name }]));
        return push(input, preds.map((p) => substitute(p, by)));
      });
      return { ...node, inputs };
    }
    case 'distinct': case 'sort':
      return { ...node, input: push(node.input, preds) };
    case 'limit': case 'window_max': case 'top_n':
      // Filtering the rows of a window below its max (or below a LIMIT) would change which rows are kept.
      return filterOver({ ...node, input: push(node.input, []) }, preds);
  }
}

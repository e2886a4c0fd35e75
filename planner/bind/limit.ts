// LIMIT / OFFSET at the end of a query: a Limit over a pull query; in a continuous query, with its ORDER BY, a top-n
// that stays current.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { RowCount } from '../../engine/plan';
import { checkedCount, type CountClause } from '../../engine/operators/limit';
import { T, typeDisplayName } from '../../engine/types';
import type { LogicalNode } from '../logical/nodes';
import type { AstExpr, Query } from '../parse/ast';
import { coerce, mismatch } from './coerce';
import { bindExpr, type ExprEnv } from './expr';
import { Scope } from './scope';
import type { BindState } from './state';

/** A count of a pull query: a constant, or a parameter (`LIMIT $1`, as ORMs write it) read when the query runs. */
function rowCount(e: AstExpr | null, what: CountClause, state: BindState): RowCount | null {
  if (e === null) return null;
  const env: ExprEnv = { state, scope: Scope.empty(), aggs: null, clause: what };
  const b = coerce(bindExpr(e, env), T.int8, e.pos, state.params, () => mismatch(`argument of ${what} must be type bigint, not type ${typeDisplayName(bindExpr(e, env).type)}`, e.pos));
  if (b.kind === 'param') return { param: b.index };
  if (b.kind !== 'literal') throw new SqlError(SQLSTATE.feature_not_supported, `${what} must be a constant or a parameter`, { position: e.pos + 1 });
  if (b.value === null) return null;
  return checkedCount(Number(b.value), what, e.pos + 1);
}

/** A continuous query's top-n keeps a count fixed at CREATE: no parameters there. */
function constantCount(e: AstExpr | null, what: CountClause, state: BindState): number | null {
  const count = rowCount(e, what, state);
  if (count !== null && typeof count !== 'number') {
    throw new SqlError(SQLSTATE.feature_not_supported, `${what} of a continuous query must be a constant`, { position: e!.pos + 1 });
  }
  return count;
}

export function applyLimit(node: LogicalNode, query: Query, state: BindState): LogicalNode {
  if (query.limit === null && query.offset === null) return node;
  const limit = rowCount(query.limit, 'LIMIT', state);
  const offset = rowCount(query.offset, 'OFFSET', state) ?? 0;
  if (limit === null && offset === 0) return node;
  return { kind: 'limit', input: node, limit, offset, fields: node.fields };
}

/**
 * ORDER BY and LIMIT in a continuous query. With a LIMIT (or OFFSET) they make a top-n that stays current. ORDER BY
 * alone is accepted and means nothing, as in a PostgreSQL materialized view: the result is a set, and a SELECT from
 * it orders it. LIMIT without ORDER BY is refused: which rows it keeps would depend on arrival order.
 */
export function continuousOrder(node: LogicalNode, query: Query, state: BindState): LogicalNode {
  const sort = node.kind === 'sort' ? node : null;
  const input = sort?.input ?? node;
  const limit = constantCount(query.limit, 'LIMIT', state);
  const offset = constantCount(query.offset, 'OFFSET', state) ?? 0;
  if (limit === null && offset === 0) return input;
  if (sort === null) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'LIMIT and OFFSET in a continuous query need an ORDER BY', {
      position: (query.limit ?? query.offset)!.pos + 1,
      hint: 'Add ORDER BY to say which rows to keep, or apply LIMIT when you SELECT from the continuous query.',
    });
  }
  const keys = sort.keys.map((k) => {
    if (k.expr.kind !== 'column') throw new Error('planner: ORDER BY key is not a column');
    return { expr: k.expr, descending: k.descending, nullsFirst: k.nullsFirst };
  });
  return { kind: 'top_n', input, keys, limit, offset, fields: input.fields };
}

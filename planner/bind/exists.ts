// WHERE [NOT] EXISTS (SELECT ...): each such condition among WHERE's top-level AND terms becomes a join with the
// subquery's distinct correlation keys plus a marker column that is never NULL. EXISTS is an inner join (the keys are
// distinct, so each outer row stays at most once); NOT EXISTS a left join keeping the rows whose marker is NULL.
// Without correlation the subquery is at most one row (the marker) and the join has no condition; a continuous query
// stays current as that row comes and goes.

import { T } from '../../engine/types';
import { conjunction, type LExpr } from '../logical/expr';
import type { LogicalNode } from '../logical/nodes';
import type { AstExpr, Query } from '../parse/ast';
import { conjunctsOf, correlationOf, unsupportedCorrelation } from './correlation';
import { call, compare } from './operators';
import type { Scope } from './scope';
import { bindQuery } from './select';
import type { BindState } from './state';

/** Joins in the [NOT] EXISTS conditions of `where`; returns the rest of the condition (null when nothing is left). */
export function bindExistsSubqueries(
  where: AstExpr, input: LogicalNode, scope: Scope, state: BindState,
): { node: LogicalNode; rest: AstExpr | null } {
  let node = input;
  const rest: AstExpr[] = [];
  for (const c of conjunctsOf(where)) {
    const negated = c.kind === 'unary' && c.op === 'not' && c.arg.kind === 'exists';
    const exists = c.kind === 'unary' && negated ? c.arg : c;
    if (exists.kind !== 'exists') { rest.push(c); continue; }
    node = joinExists(node, exists.query, negated, scope, state, exists.pos);
  }
  const restExpr = rest.length === 0 ? null : rest.reduce((l, r) => ({ kind: 'binary', op: 'and', left: l, right: r, pos: r.pos }));
  return { node, rest: restExpr };
}

function joinExists(left: LogicalNode, query: Query, negated: boolean, scope: Scope, state: BindState, pos: number): LogicalNode {
  const corr = correlationOf(query, scope, state, 'EXISTS');
  if (corr.keys.length > 0 && corr.aggregates.length > 0) throw unsupportedCorrelation('EXISTS', pos);
  // The subquery's rows: its correlation keys (one column each) and a constant marker after them.
  const marker: AstExpr = { kind: 'bool', value: true, pos };
  const rows: LogicalNode = corr.core === null || corr.keys.length === 0
    ? markerOf(bindQuery(query, state), state)
    : bindQuery({
      ...query,
      orderBy: [],
      body: {
        ...corr.core,
        distinct: true,
        items: [...corr.keys.map((k) => ({ kind: 'expr' as const, expr: k.inner, alias: null, pos: k.pos })), { kind: 'expr', expr: marker, alias: null, pos }],
        where: corr.where,
      },
    }, state);
  const column = (i: number): LExpr => {
    const f = rows.fields[i];
    return { kind: 'column', id: f.id, type: f.type, name: f.name };
  };
  const condition = conjunction(corr.keys.map((k, i) => compare('=', k.outer, column(i), k.pos, state.params)));
  const fields = [...left.fields, ...rows.fields.map((f) => ({ ...f, nullable: f.nullable || negated }))];
  const join: LogicalNode = { kind: 'join', joinType: negated ? 'left' : 'inner', left, right: rows, condition, fields };
  if (!negated) return join;
  return { kind: 'filter', input: join, predicate: call('is_null', [column(rows.fields.length - 1)], T.bool), fields };
}

/** One row holding TRUE when `input` has any row, none otherwise. */
function markerOf(input: LogicalNode, state: BindState): LogicalNode {
  const fields = [{ id: state.nextId(), name: 'marker', type: T.bool, nullable: false }];
  const project: LogicalNode = { kind: 'project', input, exprs: [{ kind: 'literal', value: true, type: T.bool }], fields };
  return { kind: 'distinct', input: project, fields };
}

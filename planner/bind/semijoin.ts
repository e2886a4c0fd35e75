// WHERE x IN (SELECT y ...): each such condition among WHERE's top-level AND terms becomes an inner join with the
// distinct values of the subquery, which keeps every row of the outer query at most once, as IN does.
// NOT IN is not rewritten (its NULL semantics are not a join's) and stays unsupported.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { LogicalNode } from '../logical/nodes';
import type { AstExpr } from '../parse/ast';
import { conjunctsOf } from './correlation';
import { bindExpr } from './expr';
import { compare } from './operators';
import type { Scope } from './scope';
import { bindQuery } from './select';
import type { BindState } from './state';

/** Joins in the IN-subqueries of `where`; returns the rest of the condition (null when nothing is left). */
export function bindInSubqueries(
  where: AstExpr, input: LogicalNode, scope: Scope, state: BindState,
): { node: LogicalNode; rest: AstExpr | null } {
  let node = input;
  const rest: AstExpr[] = [];
  for (const c of conjunctsOf(where)) {
    if (c.kind !== 'in_query' || c.negated) { rest.push(c); continue; }
    const sub = bindQuery(c.query, state);
    if (sub.fields.length !== 1) {
      throw new SqlError(SQLSTATE.syntax_error, `subquery has too ${sub.fields.length > 1 ? 'many' : 'few'} columns`, { position: c.pos + 1 });
    }
    const right: LogicalNode = { kind: 'distinct', input: sub, fields: sub.fields };
    const f = sub.fields[0];
    const probe = bindExpr(c.arg, { state, scope, aggs: null, clause: 'WHERE' });
    const condition = compare('=', probe, { kind: 'column', id: f.id, type: f.type, name: f.name }, c.pos, state.params);
    node = { kind: 'join', joinType: 'inner', left: node, right, condition, fields: [...node.fields, ...right.fields] };
  }
  const restExpr = rest.length === 0 ? null : rest.reduce((l, r) => ({ kind: 'binary', op: 'and', left: l, right: r, pos: r.pos }));
  return { node, rest: restExpr };
}

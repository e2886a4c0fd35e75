// WHERE x [NOT] IN (SELECT y ...): each such condition among WHERE's top-level AND terms becomes a join with the
// distinct values of the subquery. IN is an inner join, which keeps every row of the outer query at most once, as IN
// does. NOT IN is true, as PostgreSQL's three-valued logic has it, only when no y equals x, and then only when the
// subquery is empty or (x is not NULL and no y is NULL): a left join keeps the rows without an equal y, and a one-row
// count of the subquery's rows and non-NULL values decides the rest.

import { SqlError, SQLSTATE } from '../../engine/errors';
import { T, type SqlType } from '../../engine/types';
import type { LExpr } from '../logical/expr';
import type { LField, LogicalNode } from '../logical/nodes';
import type { AstExpr } from '../parse/ast';
import { conjunctsOf } from './correlation';
import { bindExpr } from './expr';
import { call, compare } from './operators';
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
    if (c.kind !== 'in_query') { rest.push(c); continue; }
    const sub = bindQuery(c.query, state);
    if (sub.fields.length !== 1) {
      throw new SqlError(SQLSTATE.syntax_error, `subquery has too ${sub.fields.length > 1 ? 'many' : 'few'} columns`, { position: c.pos + 1 });
    }
    const probe = bindExpr(c.arg, { state, scope, aggs: null, clause: 'WHERE' });
    node = c.negated ? notIn(node, sub, probe, c.pos, state) : in_(node, sub, probe, c.pos, state);
  }
  const restExpr = rest.length === 0 ? null : rest.reduce((l, r) => ({ kind: 'binary', op: 'and', left: l, right: r, pos: r.pos }));
  return { node, rest: restExpr };
}

function column(f: LField): LExpr {
  return { kind: 'column', id: f.id, type: f.type, name: f.name };
}

function in_(left: LogicalNode, sub: LogicalNode, probe: LExpr, pos: number, state: BindState): LogicalNode {
  const right: LogicalNode = { kind: 'distinct', input: sub, fields: sub.fields };
  const condition = compare('=', probe, column(sub.fields[0]), pos, state.params);
  return { kind: 'join', joinType: 'inner', left, right, condition, fields: [...left.fields, ...right.fields] };
}

function notIn(left: LogicalNode, sub: LogicalNode, probe: LExpr, pos: number, state: BindState): LogicalNode {
  const y = sub.fields[0];
  const field = (name: string, type: SqlType, nullable: boolean): LField => ({ id: state.nextId(), name, type, nullable });
  // The distinct values, each with a marker that is never NULL, left-joined: a row without an equal value has none.
  const value = field(y.name, y.type, true);
  const marker = field('marker', T.bool, true);
  const values: LogicalNode = {
    kind: 'distinct',
    input: { kind: 'project', input: sub, exprs: [column(y), { kind: 'literal', value: true, type: T.bool }], fields: [value, marker] },
    fields: [value, marker],
  };
  const equal = compare('=', probe, column(value), pos, state.params);
  const unmatched: LogicalNode = { kind: 'join', joinType: 'left', left, right: values, condition: equal, fields: [...left.fields, value, marker] };
  // How many rows the subquery has, and how many of them are not NULL: one row, cross-joined.
  const rows = field('rows', T.int8, false);
  const nonNull = field('non_null', T.int8, false);
  const counts: LogicalNode = {
    kind: 'aggregate', input: sub, groupBy: [], windowEnd: null, emit: 'changes', fields: [rows, nonNull],
    aggs: [
      { id: rows.id, fn: 'count_star', args: [], distinct: false, type: T.int8 },
      { id: nonNull.id, fn: 'count', args: [column(y)], distinct: false, type: T.int8 },
    ],
  };
  const joined: LogicalNode = { kind: 'join', joinType: 'inner', left: unmatched, right: counts, condition: null, fields: [...unmatched.fields, rows, nonNull] };
  const bool = (fn: 'and' | 'or' | 'is_null' | 'is_not_null' | '=', ...args: LExpr[]): LExpr => call(fn, args, T.bool);
  const zero: LExpr = { kind: 'literal', value: 0n, type: T.int8 };
  const predicate = bool('and', bool('is_null', column(marker)),
    bool('or', bool('=', column(rows), zero), bool('and', bool('is_not_null', probe), bool('=', column(rows), column(nonNull)))));
  return { kind: 'filter', input: joined, predicate, fields: joined.fields };
}

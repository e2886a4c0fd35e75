// (SELECT ...) used as an expression, in the select list, WHERE or HAVING. The subquery becomes a relation of exactly
// one row: a global aggregate of its row count and the value of its row (max over at most one row), read through
// scalar_subquery(count, value), which is NULL when there is no row and 21000 when there are several, as in
// PostgreSQL. That row is cross-joined into the query where the clause is evaluated, so a continuous query stays
// current as the subquery's value changes. Correlated subqueries are 0A000 (see correlation.ts for the shapes
// EXISTS takes).

import { SqlError, SQLSTATE } from '../../engine/errors';
import { T, typeDisplayName } from '../../engine/types';
import type { LExpr } from '../logical/expr';
import type { LField, LogicalNode } from '../logical/nodes';
import type { AstExpr } from '../parse/ast';
import { correlationOf } from './correlation';
import { call } from './operators';
import type { Scope } from './scope';
import { bindQuery } from './select';
import type { BindState } from './state';

/** The types max() takes, and so the types a scalar subquery may have. */
const SINGLE_VALUE_TYPES = new Set<string>([
  'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'timestamp', 'timestamptz', 'date', 'interval', 'bool',
]);

/** The scalar subqueries of one stage of a SELECT (its WHERE, or its select list and HAVING), joined in together. */
export class ScalarSubqueries {
  private pending: LogicalNode[] = [];

  constructor(private readonly state: BindState, private readonly outer: Scope) {}

  /** Binds the subquery and returns its value, a column of the one-row relation joined in by joinInto. */
  add(e: Extract<AstExpr, { kind: 'subquery' }>): LExpr {
    const state = this.state;
    if (correlationOf(e.query, this.outer, state, 'scalar').keys.length > 0) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'correlated scalar subqueries are not supported', {
        position: e.pos + 1, hint: 'Write it as a LEFT JOIN with the subquery grouped by the correlated columns.',
      });
    }
    const sub = bindQuery(e.query, state);
    if (sub.fields.length !== 1) {
      throw new SqlError(SQLSTATE.syntax_error, 'subquery must return only one column', { position: e.pos + 1 });
    }
    const f = sub.fields[0];
    if (!SINGLE_VALUE_TYPES.has(f.type.name)) {
      throw new SqlError(SQLSTATE.feature_not_supported, `a scalar subquery of type ${typeDisplayName(f.type)} is not supported`, {
        position: e.pos + 1,
      });
    }
    const countId = state.nextId();
    const maxId = state.nextId();
    const value: LExpr = { kind: 'column', id: f.id, type: f.type, name: f.name };
    const aggregate: LogicalNode = {
      kind: 'aggregate',
      input: sub,
      groupBy: [],
      aggs: [
        { id: countId, fn: 'count_star', args: [], distinct: false, type: T.int8 },
        { id: maxId, fn: 'max', args: [value], distinct: false, type: f.type },
      ],
      windowEnd: null,
      emit: 'changes',
      fields: [
        { id: countId, name: 'count', type: T.int8, nullable: false },
        { id: maxId, name: 'max', type: f.type, nullable: true },
      ],
    };
    const field: LField = { id: state.nextId(), name: f.name, type: f.type, nullable: true };
    const exprs = [call('scalar_subquery', [
      { kind: 'column', id: countId, type: T.int8, name: 'count' },
      { kind: 'column', id: maxId, type: f.type, name: 'max' },
    ], f.type)];
    this.pending.push({ kind: 'project', input: aggregate, exprs, fields: [field] });
    return { kind: 'column', id: field.id, type: field.type, name: field.name, pos: e.pos };
  }

  /** The ids of the values add() returned: columns the query may use whatever it groups by. */
  get ids(): Set<number> {
    return new Set(this.pending.map((p) => p.fields[0].id));
  }

  /** `node` cross-joined with the one-row relations of the subqueries added so far. */
  joinInto(node: LogicalNode): LogicalNode {
    let joined = node;
    for (const right of this.pending) {
      joined = { kind: 'join', joinType: 'inner', left: joined, right, condition: null, fields: [...joined.fields, ...right.fields] };
    }
    this.pending = [];
    return joined;
  }
}

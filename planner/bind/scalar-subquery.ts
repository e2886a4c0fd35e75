// (SELECT ...) used as an expression, in the select list, WHERE or HAVING, planned as a join so that a continuous
// query stays current as the subquery's value changes:
// - Uncorrelated: a relation of exactly one row, a global aggregate of the subquery's row count and the value of its
//   row (max over at most one row), read through scalar_subquery(count, value): NULL when there is no row and 21000
//   when there are several, as in PostgreSQL. It is cross-joined into the query where the clause is evaluated.
// - Correlated by AND'ed equalities (see correlation.ts) and aggregating: decorrelated into the subquery grouped by
//   its correlation keys, one row per key, left-joined on them; a key without rows gives NULL, and 0 for a bare
//   count(), as the subquery over no rows would.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { AggFn } from '../../engine/plan';
import { T, typeDisplayName } from '../../engine/types';
import { conjunction, type LExpr } from '../logical/expr';
import type { LField, LogicalNode } from '../logical/nodes';
import type { AstExpr, Query, SelectCore } from '../parse/ast';
import { correlationOf, type Correlation } from './correlation';
import { call, compare } from './operators';
import type { Scope } from './scope';
import { bindQuery } from './select';
import type { BindState } from './state';

/** The types max() takes, and so the types an uncorrelated scalar subquery may have. */
const SINGLE_VALUE_TYPES = new Set<string>([
  'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'timestamp', 'timestamptz', 'date', 'interval', 'bool',
]);

/**
 * A subquery's rows, to be joined in: its value is the last field of `rows`. Correlated, its first fields are the
 * keys that must equal `outerKeys` (a left join); uncorrelated, `rows` is one row, cross-joined.
 */
interface PendingJoin {
  readonly rows: LogicalNode;
  readonly outerKeys: readonly { readonly expr: LExpr; readonly pos: number }[];
}

type SubqueryExpr = Extract<AstExpr, { kind: 'subquery' }>;

/** The scalar subqueries of one stage of a SELECT (its WHERE, or its select list and HAVING), joined in together. */
export class ScalarSubqueries {
  private pending: PendingJoin[] = [];
  private readonly values = new Set<number>();

  constructor(private readonly state: BindState, private readonly outer: Scope) {}

  /** Binds the subquery and returns its value, over a column of the relation joinInto joins in. */
  add(e: SubqueryExpr): LExpr {
    const corr = correlationOf(e.query, this.outer, this.state, 'scalar');
    const join = corr.keys.length > 0 ? this.correlated(e, corr) : this.uncorrelated(e);
    this.pending.push(join);
    const f = join.rows.fields[join.rows.fields.length - 1];
    this.values.add(f.id);
    const value: LExpr = { kind: 'column', id: f.id, type: f.type, name: f.name, pos: e.pos };
    const bareCount = corr.keys.length > 0 && isBareCount(corr.core!);
    return bareCount ? call('coalesce', [value, { kind: 'literal', value: 0n, type: T.int8 }], T.int8) : value;
  }

  /** The ids of the values add() returned: columns the query may use whatever it groups by. */
  get ids(): ReadonlySet<number> {
    return this.values;
  }

  /** `node` joined with the subqueries' relations added so far; `rewrite` maps outer columns to `node`'s. */
  joinInto(node: LogicalNode, rewrite: (e: LExpr) => LExpr = (e) => e): LogicalNode {
    let joined = node;
    for (const { rows, outerKeys } of this.pending) {
      const correlated = outerKeys.length > 0;
      const condition = conjunction(outerKeys.map((k, i) => {
        const f = rows.fields[i];
        return compare('=', rewrite(k.expr), { kind: 'column', id: f.id, type: f.type, name: f.name }, k.pos, this.state.params);
      }));
      const rightFields = correlated ? rows.fields.map((f) => ({ ...f, nullable: true })) : rows.fields;
      joined = {
        kind: 'join', joinType: correlated ? 'left' : 'inner', left: joined, right: rows, condition, fields: [...joined.fields, ...rightFields],
      };
    }
    this.pending = [];
    return joined;
  }

  private uncorrelated(e: SubqueryExpr): PendingJoin {
    const state = this.state;
    const sub = bindQuery(e.query, state);
    const f = oneColumn(sub.fields, e.pos);
    if (!SINGLE_VALUE_TYPES.has(f.type.name)) {
      throw new SqlError(SQLSTATE.feature_not_supported, `a scalar subquery of type ${typeDisplayName(f.type)} is not supported`, {
        position: e.pos + 1,
      });
    }
    const countId = state.nextId();
    const maxId = state.nextId();
    const aggregate: LogicalNode = {
      kind: 'aggregate',
      input: sub,
      groupBy: [],
      aggs: [
        { id: countId, fn: 'count_star', args: [], distinct: false, type: T.int8 },
        { id: maxId, fn: 'max', args: [{ kind: 'column', id: f.id, type: f.type, name: f.name }], distinct: false, type: f.type },
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
    return { rows: { kind: 'project', input: aggregate, exprs, fields: [field] }, outerKeys: [] };
  }

  private correlated(e: SubqueryExpr, corr: Correlation): PendingJoin {
    const core = corr.core!;
    oneColumn(core.items, e.pos);
    if (corr.aggregates.length === 0) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'a correlated scalar subquery must aggregate (SELECT max(b.x) FROM b WHERE b.k = a.k)', {
        position: e.pos + 1, hint: 'Without an aggregate it could return several rows: write it as a JOIN.',
      });
    }
    // Over no rows count() is 0 where the left join gives NULL: only a bare count() can be told apart.
    if (corr.aggregates.some((fn) => COUNTS.has(fn)) && !isBareCount(core)) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'a correlated scalar subquery may use count() only alone (SELECT count(*) FROM ...)', {
        position: e.pos + 1,
      });
    }
    const keyItems = corr.keys.map((k) => ({ kind: 'expr' as const, expr: k.inner, alias: null, pos: k.pos }));
    const body: SelectCore = { ...core, items: [...keyItems, ...core.items], where: corr.where, groupBy: corr.keys.map((k) => k.inner) };
    const query: Query = { ...e.query, body };
    return { rows: bindQuery(query, this.state), outerKeys: corr.keys.map((k) => ({ expr: k.outer, pos: k.pos })) };
  }
}

function oneColumn<F>(fields: readonly F[], pos: number): F {
  if (fields.length !== 1) throw new SqlError(SQLSTATE.syntax_error, 'subquery must return only one column', { position: pos + 1 });
  return fields[0];
}

const COUNTS = new Set<AggFn>(['count', 'count_star', 'approx_count_distinct']);

/** `SELECT count(...)`: over no rows it is 0, not NULL. */
function isBareCount(core: SelectCore): boolean {
  const item = core.items[0];
  return item.kind === 'expr' && item.expr.kind === 'call' && item.expr.name === 'count';
}

// How a subquery in an expression refers to the query around it. Names resolve as in PostgreSQL: a column of the
// subquery's own FROM first, else one of the outer query. The one shape Sluice plans is AND'ed equalities
// `inner = outer` in the subquery's WHERE (a.k = b.k): they become the keys of a join with the subquery's rows, so a
// continuous query stays current as either side changes. Any other reference to the outer query is 0A000.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { AggFn } from '../../engine/plan';
import type { LExpr } from '../logical/expr';
import type { AstExpr, Query, SelectCore } from '../parse/ast';
import { bindExpr, type AggCollector, type ExprEnv } from './expr';
import { bindFromList } from './from';
import { ScalarSubqueries } from './scalar-subquery';
import { Scope, type ScopeColumn } from './scope';
import type { BindState } from './state';

export interface CorrelationKey {
  /** An expression over the subquery's FROM. */
  readonly inner: AstExpr;
  /** The expression of the outer query it must equal. */
  readonly outer: LExpr;
  readonly pos: number;
}

export interface Correlation {
  /** The subquery's body, when it is a plain SELECT (the only kind that may be correlated). */
  readonly core: SelectCore | null;
  /** The subquery's WHERE without the correlating equalities. */
  readonly where: AstExpr | null;
  readonly keys: readonly CorrelationKey[];
  /** The aggregates of the select list (with any, the subquery is grouped even without GROUP BY). */
  readonly aggregates: readonly AggFn[];
}

/** The subquery's names, and behind them those of the outer query: a name resolves in the outer query only when
 * the subquery has none such. */
class NestedScope extends Scope {
  constructor(inner: Scope, private readonly outer: Scope) {
    super(inner.columns, inner.windows);
  }

  override resolve(parts: readonly string[], pos: number): ScopeColumn {
    try {
      return super.resolve(parts, pos);
    } catch (err) {
      if (!isUnresolved(err)) throw err;
      // A name this scope has no table for is the outer query's to report on.
      const mine = parts.length === 1 || this.hasQualifier(parts[parts.length - 2]);
      try {
        return this.outer.resolve(parts, pos);
      } catch (outerErr) {
        throw mine ? err : outerErr;
      }
    }
  }
}

function isUnresolved(err: unknown): boolean {
  return err instanceof SqlError && (err.code === SQLSTATE.undefined_column || err.code === SQLSTATE.undefined_table);
}

export function unsupportedCorrelation(what: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported,
    `a correlated ${what} subquery may refer to the outer query only by equalities (inner = outer) AND'ed in its WHERE`,
    { position: pos + 1, hint: 'Write it as a JOIN.' });
}

export function conjunctsOf(e: AstExpr): AstExpr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjunctsOf(e.left), ...conjunctsOf(e.right)] : [e];
}

/** The outer references of `query`'s WHERE, split off as join keys. `what` names the subquery for messages. */
export function correlationOf(query: Query, outer: Scope, state: BindState, what: string): Correlation {
  const core = query.body;
  if (core.kind !== 'select') return { core: null, where: null, keys: [], aggregates: [] };
  const inner = bindFromList(core.from, state)?.scope ?? Scope.empty();
  // Only to check names and types: the scalar subqueries found here are bound again with the rewritten subquery.
  const env = (scope: Scope, clause: string, aggs: AggCollector | null = null): ExprEnv =>
    ({ state, scope, aggs, clause, subqueries: new ScalarSubqueries(state, scope) });
  /** `e` bound over the subquery's FROM; 'outer' when it binds only with the outer query's columns too. */
  const bindInner = (e: AstExpr, clause: string, aggs: AggCollector | null = null): LExpr | 'outer' => {
    try {
      return bindExpr(e, env(inner, clause, aggs));
    } catch (err) {
      if (!isUnresolved(err)) throw err;
      bindExpr(e, env(new NestedScope(inner, outer), clause, aggs === null ? null : { calls: [], inside: false }));
      return 'outer';
    }
  };
  const collector: AggCollector = { calls: [], inside: false };
  for (const item of core.items) {
    if (item.kind === 'expr' && bindInner(item.expr, 'SELECT', collector) === 'outer') throw unsupportedCorrelation(what, item.pos);
  }
  const rest: AstExpr[] = [];
  const keys: CorrelationKey[] = [];
  for (const c of core.where === null ? [] : conjunctsOf(core.where)) {
    if (bindInner(c, 'WHERE') !== 'outer') { rest.push(c); continue; }
    if (c.kind !== 'binary' || c.op !== '=') throw unsupportedCorrelation(what, c.pos);
    const outerOnly = (e: AstExpr): LExpr | null => {
      try {
        // No subqueries on the outer side: the key is evaluated where no subquery joins in.
        return bindExpr(e, { state, scope: outer, aggs: null, clause: 'WHERE' });
      } catch {
        return null;
      }
    };
    const [l, r] = [bindInner(c.left, 'WHERE'), bindInner(c.right, 'WHERE')];
    const key = l !== 'outer' && r === 'outer' ? { inner: c.left, outer: outerOnly(c.right) }
      : r !== 'outer' && l === 'outer' ? { inner: c.right, outer: outerOnly(c.left) } : null;
    if (key === null || key.outer === null) throw unsupportedCorrelation(what, c.pos);
    keys.push({ inner: key.inner, outer: key.outer, pos: c.pos });
  }
  if (keys.length > 0 && (core.groupBy.length > 0 || core.having !== null || query.limit !== null || query.offset !== null)) {
    throw new SqlError(SQLSTATE.feature_not_supported, `a correlated ${what} subquery cannot have GROUP BY, HAVING, LIMIT or OFFSET`,
      { position: keys[0].pos + 1 });
  }
  const where = rest.length === 0 ? null : rest.reduce((l, r) => ({ kind: 'binary', op: 'and', left: l, right: r, pos: r.pos }));
  return { core, where, keys, aggregates: collector.calls.map((c) => c.fn) };
}

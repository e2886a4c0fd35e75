// A whole query to a logical plan, in SQL's order of evaluation: FROM, WHERE, GROUP BY + aggregates, HAVING, the
// select list, DISTINCT, ORDER BY, LIMIT / OFFSET; and UNION [ALL] and VALUES bodies. Grouping follows PostgreSQL:
// after GROUP BY, an expression may use the group keys (matched structurally) and aggregates, and nothing else
// (42803). Grouping by a TUMBLE / HOP window's columns marks the aggregate as windowed so the engine can close
// windows as the watermark passes them.

import { SqlError, SQLSTATE } from '../../engine/errors';
import { T, typeDisplayName, type SqlType } from '../../engine/types';
import { displayExpr, exprKey, mapExpr, type LExpr } from '../logical/expr';
import type { LField, LogicalNode } from '../logical/nodes';
import type { AstExpr, OrderItem, Query, QueryBody, SelectCore } from '../parse/ast';
import { coerce, commonType, mismatch } from './coerce';
import { bindExistsSubqueries } from './exists';
import { aggDisplayName, bindExpr, type AggCollector, type ExprEnv } from './expr';
import { bindFromList } from './from';
import { figureName } from './names';
import { requireBool } from './operators';
import { ScalarSubqueries } from './scalar-subquery';
import { Scope } from './scope';
import { applyLimit, continuousOrder } from './limit';
import { bindInSubqueries } from './semijoin';
import type { BindState } from './state';

/** PostgreSQL's MaxTupleAttributeNumber: a select list longer than a row can hold is refused (54011). */
const MAX_TARGET_ENTRIES = 1664;

function unsupported(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: pos + 1 });
}

/**
 * What a select list's outputs of unknown type (an untyped NULL or quoted literal) become: text, as PostgreSQL
 * resolves a SELECT's own output; left unknown in a branch of a UNION until the branches' types are matched
 * ('keep'); or, once they are, the matched type of each column.
 */
type UnknownOutputs = 'text' | 'keep' | readonly SqlType[];

export function bindQuery(query: Query, state: BindState, unknowns: UnknownOutputs = 'text'): LogicalNode {
  let node: LogicalNode;
  let visible: number;
  if (query.body.kind === 'select') {
    const r = bindSelectCore(query.body, query.orderBy, state, unknowns);
    node = r.node;
    visible = r.visible;
  } else {
    node = bindBody(query.body, state, unknowns);
    visible = node.fields.length;
    if (query.orderBy.length > 0) node = sortByOutput(node, query.orderBy);
  }
  node = state.mode === 'continuous' ? continuousOrder(node, query, state) : applyLimit(node, query, state);
  if (visible < node.fields.length) node = projectPrefix(node, visible, state);
  return node;
}

function bindBody(body: QueryBody, state: BindState, unknowns: UnknownOutputs = 'text'): LogicalNode {
  switch (body.kind) {
    case 'select': return bindSelectCore(body, [], state, unknowns).node;
    case 'nested': return bindQuery(body.query, state, unknowns);
    case 'values': return bindValues(body.rows, body.pos, state);
    case 'union': return bindUnion(body, state);
  }
}

export function bindValues(rows: readonly (readonly AstExpr[])[], pos: number, state: BindState): LogicalNode {
  const width = rows[0].length;
  const env: ExprEnv = { state, scope: Scope.empty(), aggs: null, clause: 'VALUES' };
  const bound = rows.map((r) => {
    if (r.length !== width) throw new SqlError(SQLSTATE.syntax_error, 'VALUES lists must all be the same length', { position: r[0].pos + 1 });
    return r.map((e) => bindExpr(e, env));
  });
  const fields: LField[] = [];
  const columns: LExpr[][] = bound.map(() => []);
  for (let c = 0; c < width; c++) {
    const types = bound.map((r) => r[c].type);
    const t = commonType(types);
    const fail = () => mismatch(`VALUES types ${types.map(typeDisplayName).filter((x, i, a) => a.indexOf(x) === i).join(' and ')} cannot be matched`, rows[0][c].pos);
    if (t === null) throw fail();
    bound.forEach((r, i) => columns[i].push(coerce(r[c], t, rows[i][c].pos, state.params, fail)));
    fields.push({ id: state.nextId(), name: `column${c + 1}`, type: t, nullable: true });
  }
  return { kind: 'values', rows: columns, fields };
}

function bindUnion(body: Extract<QueryBody, { kind: 'union' }>, state: BindState): LogicalNode {
  const flatten = (b: QueryBody): QueryBody[] => (b.kind === 'union' && b.all === body.all ? [...flatten(b.left), ...flatten(b.right)] : [b]);
  const parts = flatten(body);
  const branches = parts.map((p) => bindBody(p, state, 'keep'));
  const width = branches[0].fields.length;
  branches.forEach((n, i) => {
    if (n.fields.length !== width) {
      throw new SqlError(SQLSTATE.syntax_error, 'each UNION query must have the same number of columns', { position: parts[i].pos + 1 });
    }
  });
  // As PostgreSQL: the branches are matched pairwise from the left, and a pair of unknowns is text.
  const types: SqlType[] = [];
  for (let c = 0; c < width; c++) {
    let t = branches[0].fields[c].type;
    for (const n of branches.slice(1)) {
      const next = commonType([t, n.fields[c].type]);
      if (next === null) throw mismatch(`UNION types ${typeDisplayName(t)} and ${typeDisplayName(n.fields[c].type)} cannot be matched`, body.pos);
      t = next;
    }
    types.push(t.name === 'unknown' ? T.text : t);
  }
  // A branch's untyped literals take the matched types (bound again, so that they are read as that type).
  const inputs = branches.map((n, i) => (n.fields.some((f) => f.type.name === 'unknown') ? bindBody(parts[i], state, types) : n));
  const fields: LField[] = types.map((type, c) => (
    { id: state.nextId(), name: inputs[0].fields[c].name, type, nullable: inputs.some((n) => n.fields[c].nullable) }));
  const cast = inputs.map((n) => {
    if (n.fields.every((f, c) => f.type.name === fields[c].type.name)) return n;
    const exprs = n.fields.map((f, c) => coerce(col(f), fields[c].type, body.pos, state.params, () => mismatch('UNION types cannot be matched', body.pos)));
    return project(n, exprs, n.fields.map((f, c) => ({ ...f, id: state.nextId(), type: fields[c].type })));
  });
  const union: LogicalNode = { kind: 'union', inputs: cast, fields };
  return body.all ? union : { kind: 'distinct', input: union, fields };
}

function col(f: LField, pos?: number): LExpr {
  return { kind: 'column', id: f.id, type: f.type, name: f.name, pos };
}

function project(input: LogicalNode, exprs: readonly LExpr[], fields: readonly LField[]): LogicalNode {
  return { kind: 'project', input, exprs, fields };
}

function projectPrefix(node: LogicalNode, n: number, state: BindState): LogicalNode {
  const keep = node.fields.slice(0, n);
  return project(node, keep.map((f) => col(f)), keep.map((f) => ({ ...f, id: state.nextId() })));
}

/** ORDER BY over a UNION or VALUES: output columns by name or position only. */
function sortByOutput(node: LogicalNode, orderBy: readonly OrderItem[]): LogicalNode {
  const keys = orderBy.map((o) => {
    const e = o.expr;
    let f: LField | undefined;
    if (e.kind === 'number' && /^\d+$/.test(e.text)) f = node.fields[Number(e.text) - 1];
    else if (e.kind === 'column' && e.parts.length === 1) f = node.fields.find((x) => x.name === e.parts[0]);
    if (f === undefined) throw unsupported('ORDER BY of a UNION or VALUES must name a result column', e.pos);
    return { expr: col(f), descending: o.descending, nullsFirst: o.nullsFirst ?? o.descending };
  });
  return { kind: 'sort', input: node, keys, fields: node.fields };
}

interface SelectOutput {
  readonly expr: LExpr;
  readonly name: string;
  readonly pos: number;
}

/** A SELECT core plus its ORDER BY. `visible` output fields come first; ORDER BY may add hidden ones after them. */
function bindSelectCore(
  core: SelectCore, orderBy: readonly OrderItem[], state: BindState, unknowns: UnknownOutputs,
): { node: LogicalNode; visible: number } {
  const from = bindFromList(core.from, state);
  let node: LogicalNode = from?.node ?? { kind: 'values', rows: [[]], fields: [] };
  const scope = from?.scope ?? Scope.empty();

  if (core.where !== null) {
    const semi = bindInSubqueries(core.where, node, scope, state);
    const exists = semi.rest === null ? semi : bindExistsSubqueries(semi.rest, semi.node, scope, state);
    node = exists.node;
    if (exists.rest !== null) {
      const subqueries = new ScalarSubqueries(state, scope);
      const env: ExprEnv = { state, scope, aggs: null, clause: 'WHERE', subqueries };
      const predicate = requireBool(bindExpr(exists.rest, env), 'WHERE', exists.rest.pos, state.params);
      node = subqueries.joinInto(node);
      node = { kind: 'filter', input: node, predicate, fields: node.fields };
    }
  }

  const collector: AggCollector = { calls: [], inside: false };
  const subqueries = new ScalarSubqueries(state, scope);
  const env: ExprEnv = { state, scope, aggs: collector, clause: 'SELECT', subqueries };

  // The select list, with * expanded.
  const outputs: SelectOutput[] = [];
  for (const item of core.items) {
    if (item.kind === 'star') {
      for (const c of scope.star(item.qualifier, item.pos)) {
        outputs.push({ expr: { kind: 'column', id: c.id, type: c.type, name: c.name, pos: item.pos }, name: c.name, pos: item.pos });
      }
    } else {
      outputs.push({ expr: bindExpr(item.expr, env), name: item.alias ?? figureName(item.expr), pos: item.pos });
    }
  }
  if (outputs.length > MAX_TARGET_ENTRIES) {
    throw new SqlError(SQLSTATE.too_many_columns, `target lists can have at most ${MAX_TARGET_ENTRIES} entries`);
  }

  // GROUP BY: an ordinal or an output alias (when no input column has that name) means that select item.
  const groupEnv: ExprEnv = { state, scope, aggs: null, clause: 'GROUP BY' };
  const groupKeys: LExpr[] = [];
  for (const g of core.groupBy) {
    let key: LExpr;
    if (g.kind === 'number' && /^\d+$/.test(g.text)) {
      const item = outputs[Number(g.text) - 1];
      if (item === undefined) {
        throw new SqlError(SQLSTATE.invalid_column_reference, `GROUP BY position ${g.text} is not in select list`, { position: g.pos + 1 });
      }
      if (containsAggregate(item.expr, collector)) {
        throw new SqlError(SQLSTATE.grouping_error, 'aggregate functions are not allowed in GROUP BY', { position: g.pos + 1 });
      }
      key = item.expr;
    } else if (g.kind === 'column' && g.parts.length === 1 && !scope.columns.some((c) => c.name === g.parts[0]) && outputs.some((o) => o.name === g.parts[0])) {
      key = outputs.find((o) => o.name === g.parts[0])!.expr;
      if (containsAggregate(key, collector)) {
        throw new SqlError(SQLSTATE.grouping_error, 'aggregate functions are not allowed in GROUP BY', { position: g.pos + 1 });
      }
    } else {
      key = bindExpr(g, groupEnv);
    }
    if (mentions(key, subqueries.ids)) throw unsupported('GROUP BY a scalar subquery is not supported', g.pos);
    if (!groupKeys.some((k) => exprKey(k) === exprKey(key))) groupKeys.push(key);
  }

  const having = core.having === null ? null : requireBool(bindExpr(core.having, { ...env, clause: 'HAVING' }), 'HAVING', core.having.pos, state.params);

  // ORDER BY: an ordinal or an output name means that output; anything else is an expression over the input.
  const sortSpecs: { outputIndex: number; descending: boolean; nullsFirst: boolean }[] = [];
  const hidden: SelectOutput[] = [];
  for (const o of orderBy) {
    const e = o.expr;
    let index = -1;
    if (e.kind === 'number' && /^\d+$/.test(e.text)) {
      index = Number(e.text) - 1;
      if (index >= outputs.length) {
        throw new SqlError(SQLSTATE.invalid_column_reference, `ORDER BY position ${e.text} is not in select list`, { position: e.pos + 1 });
      }
    } else if (e.kind === 'column' && e.parts.length === 1 && outputs.filter((x) => x.name === e.parts[0]).length === 1) {
      index = outputs.findIndex((x) => x.name === e.parts[0]);
    } else {
      const bound = bindExpr(e, { ...env, clause: 'ORDER BY' });
      index = outputs.findIndex((x) => exprKey(x.expr) === exprKey(bound));
      if (index < 0) {
        if (core.distinct) {
          throw new SqlError(SQLSTATE.invalid_column_reference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: e.pos + 1 });
        }
        index = outputs.length + hidden.length;
        hidden.push({ expr: bound, name: figureName(e), pos: e.pos });
      }
    }
    sortSpecs.push({ outputIndex: index, descending: o.descending, nullsFirst: o.nullsFirst ?? o.descending });
  }

  let all = [...outputs, ...hidden];
  let havingExpr = having;
  let outerColumns = (e: LExpr): LExpr => e;
  if (groupKeys.length > 0 || collector.calls.length > 0 || having !== null) {
    const grouped = groupNode(node, groupKeys, collector, scope, state, subqueries.ids);
    node = grouped.node;
    all = all.map((o) => ({ ...o, expr: grouped.rewrite(o.expr) }));
    havingExpr = having === null ? null : grouped.rewrite(having);
    outerColumns = grouped.rewrite;
  }
  // Scalar subqueries of the select list and HAVING join in after grouping (a correlated one on grouped columns).
  node = subqueries.joinInto(node, outerColumns);
  if (havingExpr !== null) node = { kind: 'filter', input: node, predicate: havingExpr, fields: node.fields };

  // The select list (and ORDER BY's extra expressions) as one projection; untyped constants become text, or
  // what the UNION this is a branch of makes them (DISTINCT reads them, so they are text before it, as in PostgreSQL).
  const keepUnknown = unknowns === 'keep' && !core.distinct;
  const exprs = all.map((o, i) => {
    if (o.expr.type.name !== 'unknown' || keepUnknown) return o.expr;
    const to = typeof unknowns === 'object' && i < unknowns.length ? unknowns[i] : T.text;
    return coerce(o.expr, to, o.pos, state.params, () => mismatch(`cannot match unknown type to ${typeDisplayName(to)}`, o.pos));
  });
  const inputFields = new Map(node.fields.map((f) => [f.id, f]));
  const fields: LField[] = all.map((o, i) => ({
    id: state.nextId(),
    name: o.name,
    type: exprs[i].type,
    nullable: nullableOf(exprs[i], inputFields),
  }));
  node = project(node, exprs, fields);
  if (core.distinct) node = { kind: 'distinct', input: node, fields: node.fields };
  if (sortSpecs.length > 0) {
    node = {
      kind: 'sort',
      input: node,
      keys: sortSpecs.map((s) => ({ expr: col(node.fields[s.outputIndex]), descending: s.descending, nullsFirst: s.nullsFirst })),
      fields: node.fields,
    };
  }
  return { node, visible: outputs.length };
}

function nullableOf(e: LExpr, inputs: ReadonlyMap<number, LField>): boolean {
  if (e.kind === 'column') return inputs.get(e.id)?.nullable ?? true;
  if (e.kind === 'literal') return e.value === null;
  return true;
}

function containsAggregate(e: LExpr, collector: AggCollector): boolean {
  return mentions(e, new Set(collector.calls.map((c) => c.id)));
}

function mentions(e: LExpr, ids: ReadonlySet<number>): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && ids.has(x.id)) found = true;
    return undefined;
  });
  return found;
}

/**
 * The aggregate node for a grouped SELECT, and how to rewrite expressions above it: group keys and aggregates become
 * references to its outputs; `constants` (scalar subqueries' values, joined in after grouping) stay as they are; any
 * other column is a grouping error.
 */
function groupNode(
  input: LogicalNode, keys: LExpr[], collector: AggCollector, scope: Scope, state: BindState, constants: ReadonlySet<number>,
): { node: LogicalNode; rewrite: (e: LExpr) => LExpr } {
  const isColumn = (e: LExpr, id: number) => e.kind === 'column' && e.id === id;
  let windowEnd: number | null = null;
  const all = [...keys];
  for (const w of scope.windows) {
    const hasStart = all.some((k) => isColumn(k, w.startId));
    const hasEnd = all.some((k) => isColumn(k, w.endId));
    if (!hasStart && !hasEnd) {
      if (w.kind === 'session') {
        throw unsupported('a SESSION window must be grouped by its window_start and window_end', w.pos);
      }
      continue;
    }
    // window_end follows from window_start (and back): grouping by both changes nothing and lets the engine close
    // windows by window_end.
    const field = (id: number) => input.fields.find((f) => f.id === id)!;
    if (!hasEnd) all.push(col(field(w.endId)));
    if (!hasStart && w.kind === 'session') all.push(col(field(w.startId)));
    if (w.kind !== 'session' && windowEnd === null) windowEnd = all.findIndex((k) => isColumn(k, w.endId));
  }
  const sessionWindowed = scope.windows.some((w) => w.kind === 'session');
  const windowed = windowEnd !== null || sessionWindowed;
  const groupBy = all.map((expr) => ({ id: state.nextId(), expr }));
  const nameOf = (e: LExpr): string => displayExpr(e);
  const inputNullable = new Map(input.fields.map((f) => [f.id, f.nullable]));
  const fields: LField[] = [
    ...groupBy.map((g) => ({ id: g.id, name: nameOf(g.expr), type: g.expr.type, nullable: g.expr.kind === 'column' ? inputNullable.get(g.expr.id) ?? true : true })),
    ...collector.calls.map((a) => ({ id: a.id, name: aggDisplayName(a), type: a.type, nullable: a.fn !== 'count' && a.fn !== 'count_star' && a.fn !== 'approx_count_distinct' })),
  ];
  const node: LogicalNode = {
    kind: 'aggregate',
    input,
    groupBy,
    aggs: collector.calls,
    windowEnd,
    emit: windowed ? state.emit : 'changes',
    fields,
  };
  const keyIds = new Map(groupBy.map((g) => [exprKey(g.expr), g]));
  const aggIds = new Set(collector.calls.map((a) => a.id));
  const rewrite = (e: LExpr): LExpr => mapExpr(e, (x) => {
    const g = keyIds.get(exprKey(x));
    if (g !== undefined) return { kind: 'column', id: g.id, type: g.expr.type, name: nameOf(g.expr) };
    if (x.kind === 'column') {
      if (aggIds.has(x.id) || constants.has(x.id)) return x;
      const c = scope.columns.find((s) => s.id === x.id);
      const shown = c?.qualifier ? `${c.qualifier}.${x.name}` : x.name;
      throw new SqlError(SQLSTATE.grouping_error, `column "${shown}" must appear in the GROUP BY clause or be used in an aggregate function`, {
        position: x.pos === undefined ? undefined : x.pos + 1,
      });
    }
    return undefined;
  });
  return { node, rewrite };
}

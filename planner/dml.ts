// INSERT, UPDATE, DELETE and COPY FROM: the target checked against the catalog, columns resolved, values cast to the
// column types as PostgreSQL's assignment rules allow.

import { SqlError, SQLSTATE } from '../engine/errors';
import { T, type Field, type SqlType } from '../engine/types';
import { assignTo, castTo } from './bind/coerce';
import { bindExpr, type ExprEnv } from './bind/expr';
import { requireBool } from './bind/operators';
import { Scope } from './bind/scope';
import { bindQuery } from './bind/select';
import type { BindState } from './bind/state';
import type { LExpr } from './logical/expr';
import type { LField, LogicalNode } from './logical/nodes';
import { optimize } from './logical/optimize';
import { Lowering, lowerPlan } from './lower';
import type { Name, OnConflictAst, Returning as ReturningAst, StatementAst } from './parse/ast';
import type { OnConflict, Returning, Statement } from '../engine/statement';
import { figureName } from './bind/names';

type Of<K extends StatementAst['kind']> = Extract<StatementAst, { kind: K }>;

interface Target {
  readonly name: string;
  readonly kind: 'stream' | 'table';
  readonly columns: readonly Field[];
  /** A table's primary key columns; none for a stream or a table without one. */
  readonly primaryKey: readonly string[];
}

function target(name: Name, state: BindState, verb: string, tablesOnly: boolean): Target {
  const def = state.catalog.relation(name.name);
  if (def === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${name.name}" does not exist`, { position: name.pos + 1 });
  if (def.kind === 'table') return { name: def.name, kind: def.kind, columns: def.columns, primaryKey: def.primaryKey };
  if (def.kind === 'stream' && !tablesOnly) return { name: def.name, kind: def.kind, columns: def.columns, primaryKey: [] };
  const what = def.kind === 'query' ? 'continuous query' : def.kind;
  throw new SqlError(SQLSTATE.wrong_object_type, `cannot ${verb} ${what} "${def.name}"`, {
    position: name.pos + 1,
    hint: def.kind === 'stream' ? 'Streams are append-only: rows can only be inserted.' : undefined,
  });
}

/** Column names to indexes into the target's columns; all columns when no list was given. */
function columnIndexes(t: Target, names: readonly Name[] | null): number[] {
  if (names === null) return t.columns.map((_, i) => i);
  const seen = new Set<number>();
  return names.map((n) => {
    const i = t.columns.findIndex((c) => c.name === n.name);
    if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${n.name}" of relation "${t.name}" does not exist`, { position: n.pos + 1 });
    if (seen.has(i)) throw new SqlError(SQLSTATE.duplicate_column, `column "${n.name}" specified more than once`, { position: n.pos + 1 });
    seen.add(i);
    return i;
  });
}

export function planInsert(s: Of<'insert'>, state: BindState): Statement {
  const t = target(s.table, state, 'insert into', false);
  let listed = columnIndexes(t, s.columns);
  const fields: LField[] = t.columns.map((c) => ({ id: state.nextId(), name: c.name, type: c.type, nullable: c.nullable }));
  const tooMany = (pos: number) => new SqlError(SQLSTATE.syntax_error, 'INSERT has more expressions than target columns', { position: pos + 1 });
  const tooFew = (pos: number) => new SqlError(SQLSTATE.syntax_error, 'INSERT has more target columns than expressions', { position: pos + 1 });
  const fill = (values: readonly LExpr[], positions: readonly number[]): LExpr[] => t.columns.map((c, i) => {
    const k = listed.indexOf(i);
    if (k < 0) return { kind: 'literal', value: null, type: c.type };
    return assignTo(values[k], c, positions[k], state.params);
  });
  let node: LogicalNode;
  const body = s.source.body;
  if (body.kind === 'values' && s.source.orderBy.length === 0 && s.source.limit === null && s.source.offset === null) {
    // VALUES directly under INSERT: each constant takes its column's type (no common type per VALUES column).
    const env: ExprEnv = { state, scope: Scope.empty(), aggs: null, clause: 'VALUES' };
    // Without a column list, N values fill the first N columns (PostgreSQL); every row must then have N.
    const width = body.rows[0]?.length ?? 0;
    if (s.columns === null && width < listed.length) listed = listed.slice(0, width);
    const rows = body.rows.map((r) => {
      if (s.columns === null && r.length !== width) {
        throw new SqlError(SQLSTATE.syntax_error, 'VALUES lists must all be the same length', { position: (r[0]?.pos ?? body.pos) + 1 });
      }
      if (r.length > listed.length) throw tooMany(r[listed.length].pos);
      if (r.length < listed.length) throw tooFew(r[r.length - 1]?.pos ?? body.pos);
      return fill(r.map((e) => bindExpr(e, env)), r.map((e) => e.pos));
    });
    node = { kind: 'values', rows, fields };
  } else {
    const source = literalsAsTargetTypes(bindQuery(s.source, state), listed.map((i) => t.columns[i]), state, s.source.pos);
    if (s.columns === null && source.fields.length < listed.length) listed = listed.slice(0, source.fields.length);
    if (source.fields.length > listed.length) throw tooMany(s.source.pos);
    if (source.fields.length < listed.length) throw tooFew(s.source.pos);
    const refs: LExpr[] = source.fields.map((f) => ({ kind: 'column', id: f.id, type: f.type, name: f.name }));
    node = { kind: 'project', input: source, exprs: fill(refs, refs.map(() => s.source.pos)), fields };
  }
  const onConflict = s.onConflict === null ? null : bindOnConflict(s.onConflict, t, state);
  const returning = bindReturning(s.returning, t, null, state);
  const params = state.params.types;
  return {
    kind: 'insert', target: t.name, targetKind: t.kind, columns: t.columns.map((c) => c.name),
    source: lowerPlan(optimize(node), params), onConflict: onConflict?.(new Lowering(params)) ?? null,
    returning: returning?.lower(new Lowering(params)) ?? null,
    paramTypes: finalParams(params),
  };
}

/**
 * ON CONFLICT: the conflict target must be the table's primary key (Sluice's only unique constraint); DO UPDATE's
 * expressions see the existing row under the table's name and the proposed one as EXCLUDED.
 */
function bindOnConflict(
  s: OnConflictAst, t: Target, state: BindState,
): ((lowering: Lowering) => OnConflict) | null {
  const key = t.primaryKey;
  const noConstraint = () => new SqlError(SQLSTATE.invalid_column_reference,
    'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  if (s.target !== null) {
    const names = new Set(s.target.map((n) => n.name));
    if (key.length === 0 || names.size !== key.length || !key.every((k) => names.has(k))) throw noConstraint();
  }
  if (s.action.kind === 'nothing') return key.length === 0 ? null : () => ({ action: 'nothing' });
  if (s.target === null) {
    throw new SqlError(SQLSTATE.syntax_error, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', {
      position: s.pos + 1, hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  const existing = tableScope(t, null, state);
  const excluded = tableScope(t, 'excluded', state);
  const ids = [...existing.ids, ...excluded.ids];
  const env: ExprEnv = { state, scope: existing.scope.concat(excluded.scope), aggs: null, clause: 'UPDATE' };
  const assignments = s.action.assignments.map((a) => {
    const column = columnIndexes(t, [a.column])[0];
    return { column, value: assignTo(bindExpr(a.value, env), t.columns[column], a.value.pos, state.params) };
  });
  const where = s.action.where;
  const boundWhere = where === null ? null : requireBool(bindExpr(where, { ...env, clause: 'WHERE' }), 'WHERE', where.pos, state.params);
  return (lowering) => ({
    action: 'update',
    assignments: assignments.map((a) => ({ column: a.column, value: lowering.expr(a.value, ids) })),
    where: boundWhere === null ? null : lowering.expr(boundWhere, ids),
  });
}

/**
 * `INSERT INTO t SELECT 1, '2026-01-01 10:00:00+00'`: in PostgreSQL a quoted constant in the select list has no
 * type yet and takes the target column's. The binder has already made such constants text; a text literal feeding
 * a non-text column is read again as that column's type.
 */
function literalsAsTargetTypes(node: LogicalNode, targets: readonly Field[], state: BindState, pos: number): LogicalNode {
  if (node.kind !== 'project') return node;
  let changed = false;
  const exprs = node.exprs.map((e, i) => {
    const target = targets[i];
    if (!target || e.kind !== 'literal' || e.type.name !== 'text' || typeof e.value !== 'string' || target.type.name === 'text') return e;
    changed = true;
    return castTo(e, target.type, pos, state.params);
  });
  if (!changed) return node;
  return { ...node, exprs, fields: node.fields.map((f, i) => ({ ...f, type: exprs[i].type })) };
}

/** Parameter types after binding; any left undetermined are text, as PostgreSQL does for unknown. */
export function finalParams(types: readonly (SqlType | undefined)[]): SqlType[] {
  return Array.from(types, (t) => (t === undefined || t.name === 'unknown' ? T.text : t));
}

/** A bound RETURNING list, lowered once every parameter of the statement is typed. */
interface BoundReturning {
  lower(lowering: Lowering): Returning;
}

/** RETURNING's select list over the target's columns (`*` is all of them), named as a SELECT names its columns. */
function bindReturning(items: ReturningAst, t: Target, alias: string | null, state: BindState): BoundReturning | null {
  if (items === null) return null;
  const { scope, ids } = tableScope(t, alias, state);
  const env: ExprEnv = { state, scope, aggs: null, clause: 'RETURNING' };
  const outputs = items.flatMap((item) => {
    if (item.kind === 'star') {
      return scope.star(item.qualifier, item.pos).map((c): { expr: LExpr; name: string } =>
        ({ expr: { kind: 'column', id: c.id, type: c.type, name: c.name }, name: c.name }));
    }
    return [{ expr: bindExpr(item.expr, env), name: item.alias ?? figureName(item.expr) }];
  });
  return {
    lower: (lowering) => ({
      exprs: outputs.map((o) => lowering.expr(o.expr, ids)),
      schema: outputs.map((o) => ({ name: o.name, type: o.expr.type, nullable: true })),
    }),
  };
}

/** The table's columns as a scope; lowering against it makes expressions index the table's columns. */
function tableScope(t: Target, alias: string | null, state: BindState): { scope: Scope; ids: number[] } {
  const fields: LField[] = t.columns.map((c) => ({ id: state.nextId(), name: c.name, type: c.type, nullable: c.nullable }));
  return { scope: Scope.ofFields(alias ?? t.name, fields), ids: fields.map((f) => f.id) };
}

export function planUpdate(s: Of<'update'>, state: BindState): Statement {
  const t = target(s.table, state, 'update', true);
  const { scope, ids } = tableScope(t, s.alias, state);
  const env: ExprEnv = { state, scope, aggs: null, clause: 'UPDATE' };
  const bound = s.assignments.map((a) => {
    const column = columnIndexes(t, [a.column])[0];
    return { column, value: assignTo(bindExpr(a.value, env), t.columns[column], a.value.pos, state.params) };
  });
  const seen = new Set<number>();
  for (const [i, b] of bound.entries()) {
    if (seen.has(b.column)) {
      throw new SqlError(SQLSTATE.duplicate_column, `multiple assignments to same column "${t.columns[b.column].name}"`, { position: s.assignments[i].column.pos + 1 });
    }
    seen.add(b.column);
  }
  const where = s.where;
  // Bind WHERE before lowering so that parameters it types are known to every expression.
  const boundWhere = where === null ? null : requireBool(bindExpr(where, { ...env, clause: 'WHERE' }), 'WHERE', where.pos, state.params);
  const returning = bindReturning(s.returning, t, s.alias, state);
  const lowering = new Lowering(state.params.types);
  return {
    kind: 'update',
    table: t.name,
    assignments: bound.map((b) => ({ column: b.column, value: lowering.expr(b.value, ids) })),
    predicate: boundWhere === null ? null : lowering.expr(boundWhere, ids),
    returning: returning?.lower(lowering) ?? null,
    paramTypes: finalParams(state.params.types),
  };
}

export function planDelete(s: Of<'delete'>, state: BindState): Statement {
  const t = target(s.table, state, 'delete from', true);
  const { scope, ids } = tableScope(t, s.alias, state);
  const env: ExprEnv = { state, scope, aggs: null, clause: 'WHERE' };
  const boundWhere = s.where === null ? null : requireBool(bindExpr(s.where, env), 'WHERE', s.where.pos, state.params);
  const returning = bindReturning(s.returning, t, s.alias, state);
  const lowering = new Lowering(state.params.types);
  return {
    kind: 'delete',
    table: t.name,
    predicate: boundWhere === null ? null : lowering.expr(boundWhere, ids),
    returning: returning?.lower(lowering) ?? null,
    paramTypes: finalParams(state.params.types),
  };
}

export function planCopyFrom(s: Of<'copy_from'>, state: BindState): Statement {
  const t = target(s.table, state, 'copy to', false);
  return {
    kind: 'copy_from',
    target: t.name,
    targetKind: t.kind,
    columns: columnIndexes(t, s.columns),
    format: s.format,
    header: s.header,
    delimiter: s.delimiter ?? (s.format === 'csv' ? ',' : '\t'),
    null: s.null ?? (s.format === 'csv' ? '' : '\\N'),
  };
}

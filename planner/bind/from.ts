// FROM: relations from the catalog (and the system views), subqueries, the window table functions TUMBLE / HOP /
// SESSION, and INNER / LEFT / RIGHT / FULL / CROSS joins. Each FROM item becomes a logical plan plus the scope of
// names it brings.
// Streaming rules are checked here, where the position is known: a pull SELECT cannot read a stream that keeps no
// rows, and a continuous stream-stream join needs a time bound.

import { ARRIVAL_COLUMN, type RelationDef, type StreamDef } from '../../engine/catalog';
import { SqlError, SQLSTATE } from '../../engine/errors';
import { preservesSide, type JoinType, type RelationRef, type WindowSpec } from '../../engine/plan';
import { intervalMicros } from '../../engine/text';
import { T, typeDisplayName, type Field, type Interval } from '../../engine/types';
import { columnIds, conjunction, splitConjuncts, type LExpr } from '../logical/expr';
import { intervalBound, watermarkColumnId } from './interval-bound';
import { joinFields, type LField, type LogicalNode } from '../logical/nodes';
import { isAppendOnly } from '../logical/properties';
import type { AstExpr, ColumnAliases, FromItem } from '../parse/ast';
import { coerce, isTime } from './coerce';
import { bindExpr } from './expr';
import { compare, requireBool } from './operators';
import { Scope } from './scope';
import { bindQuery } from './select';
import type { BindState } from './state';

export interface BoundFrom {
  readonly node: LogicalNode;
  readonly scope: Scope;
  /** When the item is a stream read directly: its definition (for its watermark). */
  readonly stream: StreamDef | null;
}

function unsupported(message: string, pos: number, hint?: string): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: pos + 1, hint });
}

/** The comma-separated FROM list: a cross join of its items. Null when there is no FROM. */
export function bindFromList(items: readonly FromItem[], state: BindState): BoundFrom | null {
  let acc: BoundFrom | null = null;
  for (const item of items) {
    const b = bindFromItem(item, state);
    acc = acc === null ? b : joinOf(acc, b, 'inner', null, item.pos, state);
  }
  return acc;
}

function bindFromItem(item: FromItem, state: BindState): BoundFrom {
  switch (item.kind) {
    case 'relation': return renameColumns(bindRelation(item, state), item.alias ?? item.name, item.columnAliases);
    case 'subquery': {
      const node = bindQuery(item.query, state);
      return renameColumns({ node, scope: Scope.ofFields(item.alias, node.fields), stream: null }, item.alias, item.columnAliases);
    }
    case 'window_fn': return bindWindowFn(item, state);
    case 'join': return bindJoin(item, state);
  }
}

/** `AS t(a, b)`: the first columns take the new names, as in PostgreSQL; more names than columns is 42P10. */
function renameColumns(bound: BoundFrom, table: string | null, aliases: ColumnAliases | undefined): BoundFrom {
  if (aliases === undefined) return bound;
  const visible = bound.scope.columns.filter((c) => !c.hidden);
  if (aliases.names.length > visible.length) {
    throw new SqlError(SQLSTATE.invalid_column_reference,
      `table "${table}" has ${visible.length} columns available but ${aliases.names.length} columns specified`);
  }
  const newName = new Map(visible.slice(0, aliases.names.length).map((c, i) => [c.id, aliases.names[i]]));
  const columns = bound.scope.columns.map((c) => ({ ...c, name: newName.get(c.id) ?? c.name }));
  return { ...bound, scope: new Scope(columns, bound.scope.windows) };
}

function fieldsOf(columns: readonly Field[], state: BindState): LField[] {
  return columns.map((c) => ({ id: state.nextId(), name: c.name, type: c.type, nullable: c.nullable }));
}

function scan(relation: RelationRef, fields: readonly LField[]): LogicalNode {
  return { kind: 'scan', relation, columns: fields.map((_, i) => i), fields };
}

function bindRelation(item: Extract<FromItem, { kind: 'relation' }>, state: BindState): BoundFrom {
  const qualifier = item.alias ?? item.name;
  if (item.schema !== null && item.schema !== 'public') {
    const schema = state.catalog.systemView(item.schema, item.name);
    if (schema === undefined) {
      throw new SqlError(SQLSTATE.undefined_table, `relation "${item.schema}.${item.name}" does not exist`, { position: item.pos + 1 });
    }
    const fields = fieldsOf(schema, state);
    return { node: scan({ kind: 'system', name: `${item.schema}.${item.name}` }, fields), scope: Scope.ofFields(qualifier, fields), stream: null };
  }
  const def: RelationDef | undefined = state.catalog.relation(item.name);
  if (def === undefined) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${item.name}" does not exist`, { position: item.pos + 1 });
  }
  if (def.kind === 'sink') {
    throw new SqlError(SQLSTATE.wrong_object_type, `"${item.name}" is a sink, which cannot be read`, { position: item.pos + 1 });
  }
  state.dependsOn.add(def.name);
  if (def.kind === 'stream') {
    if (state.mode === 'pull' && def.options.retention === undefined) {
      state.unreadable.push(unsupported(`stream "${def.name}" keeps no rows to SELECT from`, item.pos,
        'Read it with a continuous query or SUBSCRIBE, or create it WITH (retention = \'10 minutes\') to query recent rows.'));
    }
    const fields = fieldsOf([...def.columns, { name: ARRIVAL_COLUMN, type: T.timestamptz, nullable: false }], state);
    const hidden = new Set([fields[fields.length - 1].id]);
    return { node: scan({ kind: 'stream', name: def.name }, fields), scope: Scope.ofFields(qualifier, fields, hidden), stream: def };
  }
  const fields = fieldsOf(def.columns, state);
  return { node: scan({ kind: def.kind, name: def.name }, fields), scope: Scope.ofFields(qualifier, fields), stream: null };
}

const WINDOW_ARITY = { tumble: ['size'], hop: ['slide', 'size'], session: ['gap'] } as const;

/** A window size, gap or slide: an interval constant with a fixed, positive length. */
function windowInterval(e: AstExpr, what: string, state: BindState): { value: Interval; micros: number } {
  const env = { state, scope: Scope.empty(), aggs: null, clause: 'window arguments' };
  const bound = coerce(bindExpr(e, env), T.interval, e.pos, state.params, () =>
    new SqlError(SQLSTATE.datatype_mismatch, `the ${what} of a window must be an interval`, { position: e.pos + 1 }));
  if (bound.kind !== 'literal' || bound.value === null || typeof bound.value !== 'object') {
    throw unsupported(`the ${what} of a window must be a constant interval`, e.pos);
  }
  let micros: number;
  try {
    micros = intervalMicros(bound.value, `window ${what}`);
  } catch (err) {
    if (err instanceof SqlError) throw new SqlError(err.code, err.message, { position: e.pos + 1 });
    throw err;
  }
  if (micros <= 0) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `the ${what} of a window must be positive`, { position: e.pos + 1 });
  }
  return { value: bound.value, micros };
}

function bindWindowFn(item: Extract<FromItem, { kind: 'window_fn' }>, state: BindState): BoundFrom {
  const source = bindFromItem(item.source, state);
  const expected = WINDOW_ARITY[item.fn];
  if (item.args.length !== expected.length + 1) {
    throw new SqlError(SQLSTATE.undefined_function,
      `${item.fn.toUpperCase()} takes (source, time_column, ${expected.join(', ')})`, { position: item.pos + 1 });
  }
  const [timeArg, ...sizeArgs] = item.args;
  if (timeArg.kind !== 'column') {
    throw new SqlError(SQLSTATE.datatype_mismatch, `the time argument of ${item.fn.toUpperCase()} must be a column`, { position: timeArg.pos + 1 });
  }
  const time = source.scope.resolve(timeArg.parts, timeArg.pos);
  if (!isTime(time.type)) {
    throw new SqlError(SQLSTATE.datatype_mismatch,
      `window time column "${time.name}" must be of type timestamp with time zone, not ${typeDisplayName(time.type)}`, { position: timeArg.pos + 1 });
  }
  const wm = source.stream?.watermark;
  // The stream's watermark applies when the window is over its watermark column, read directly; any other window
  // has no watermark: no row is late and no window closes.
  const delayMicros = wm !== null && wm !== undefined && wm.column === time.name ? wm.delayMicros : null;
  const startId = state.nextId();
  const endId = state.nextId();
  const fields: LField[] = [
    ...source.node.fields,
    { id: startId, name: 'window_start', type: T.timestamptz, nullable: false },
    { id: endId, name: 'window_end', type: T.timestamptz, nullable: false },
  ];
  const qualifier = item.alias ?? (item.source.kind === 'relation' ? item.source.name : item.source.kind === 'subquery' ? item.source.alias : null);
  const hidden = new Set(source.scope.columns.filter((c) => c.hidden).map((c) => c.id));
  const scope = new Scope(Scope.ofFields(qualifier, fields, hidden).columns, [{ kind: item.fn, startId, endId, pos: item.pos }]);
  if (item.fn === 'session') {
    const gap = windowInterval(sizeArgs[0], 'gap', state);
    const node: LogicalNode = {
      kind: 'session_window', input: source.node, gap: gap.value, timeId: time.id, delayMicros, startId, endId, pos: item.pos, fields,
    };
    return { node, scope, stream: null };
  }
  let spec: WindowSpec;
  if (item.fn === 'tumble') {
    spec = { kind: 'tumble', size: windowInterval(sizeArgs[0], 'size', state).value };
  } else {
    const slide = windowInterval(sizeArgs[0], 'slide', state);
    const size = windowInterval(sizeArgs[1], 'size', state);
    if (size.micros % slide.micros !== 0) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, 'HOP size must be a multiple of its slide', {
        position: sizeArgs[1].pos + 1,
        detail: `size ${size.micros / 1e6}s, slide ${slide.micros / 1e6}s`,
      });
    }
    spec = { kind: 'hop', slide: slide.value, size: size.value };
  }
  const node: LogicalNode = { kind: 'window', input: source.node, spec, timeId: time.id, delayMicros, startId, endId, fields };
  return { node, scope, stream: null };
}

function bindJoin(item: Extract<FromItem, { kind: 'join' }>, state: BindState): BoundFrom {
  const left = bindFromItem(item.left, state);
  const right = bindFromItem(item.right, state);
  const joinType: JoinType = item.joinType === 'cross' ? 'inner' : item.joinType;
  // A side is NULL-padded in the other side's unmatched rows when the join preserves the other side: its names (and
  // fields, joinFields) are nullable.
  const scope = (preservesSide(joinType, 1) ? left.scope.nullable() : left.scope)
    .concat(preservesSide(joinType, 0) ? right.scope.nullable() : right.scope);
  let condition: LExpr | null = null;
  if (item.on !== null) {
    const env = { state, scope, aggs: null, clause: 'JOIN conditions' };
    condition = requireBool(bindExpr(item.on, env), 'JOIN/ON', item.on.pos, state.params);
  } else if (item.using !== null) {
    condition = conjunction(item.using.map((u) => {
      const l = left.scope.resolve([u.name], u.pos);
      const r = right.scope.resolve([u.name], u.pos);
      return compare('=', { kind: 'column', id: l.id, type: l.type, name: l.name }, { kind: 'column', id: r.id, type: r.type, name: r.name }, u.pos, state.params);
    }));
  }
  return joinOf(left, right, joinType, condition, item.pos, state, scope);
}

function joinOf(
  left: BoundFrom, right: BoundFrom, joinType: JoinType, condition: LExpr | null, pos: number, state: BindState,
  scope: Scope = left.scope.concat(right.scope),
): BoundFrom {
  if (state.mode === 'continuous' && isAppendOnly(left.node) && isAppendOnly(right.node) && !hasTimeBound(condition, left, right)) {
    throw unsupported('a join of two streams in a continuous query needs a time bound', pos,
      'Bound it by time (ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL \'10 minutes\' AND a.ts) or join the same window of both sides on window_start and window_end.');
  }
  const bound = intervalBound(condition, watermarkColumnId(left.stream, left.node.fields), watermarkColumnId(right.stream, right.node.fields));
  const node: LogicalNode = {
    kind: 'join', joinType, left: left.node, right: right.node, condition, fields: joinFields(joinType, left.node.fields, right.node.fields),
    ...(bound === null ? {} : { timeBound: bound }),
  };
  return { node, scope, stream: null };
}

/**
 * Whether a stream-stream join condition bounds the time distance between the sides: both a lower and an upper
 * bound between a time column of each side (what BETWEEN a.ts - x AND a.ts gives), or equal windows (equality on
 * window_start or window_end of a window on each side).
 */
function hasTimeBound(condition: LExpr | null, left: BoundFrom, right: BoundFrom): boolean {
  const leftIds = new Set(left.node.fields.map((f) => f.id));
  const rightIds = new Set(right.node.fields.map((f) => f.id));
  const windowIds = (s: Scope) => new Set(s.windows.flatMap((w) => [w.startId, w.endId]));
  const lw = windowIds(left.scope);
  const rw = windowIds(right.scope);
  let lower = false;
  let upper = false;
  for (const c of splitConjuncts(condition)) {
    if (c.kind !== 'call' || c.args.length !== 2) continue;
    const [a, b] = c.args;
    const aIds = columnIds(a);
    const bIds = columnIds(b);
    const side = (ids: Set<number>): 'l' | 'r' | null => {
      if (ids.size === 0) return null;
      if ([...ids].every((i) => leftIds.has(i))) return 'l';
      if ([...ids].every((i) => rightIds.has(i))) return 'r';
      return null;
    };
    const sa = side(aIds);
    const sb = side(bIds);
    if (sa === null || sb === null || sa === sb) continue;
    if (c.fn === '=' && a.kind === 'column' && b.kind === 'column' && (lw.has(a.id) || rw.has(a.id)) && (lw.has(b.id) || rw.has(b.id))) return true;
    if (!isTime(a.type) || !isTime(b.type)) continue;
    // Normalize to "right OP f(left)".
    const op = sa === 'r' ? c.fn : ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[c.fn];
    if (op === '>' || op === '>=') lower = true;
    if (op === '<' || op === '<=') upper = true;
    if (c.fn === '=') return true;
  }
  return lower && upper;
}

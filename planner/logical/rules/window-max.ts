// Join to the window's max: recognises Nexmark q7's shape,
//
//   SELECT ... FROM TUMBLE(s, t, size) AS B
//   JOIN (SELECT max(x) AS m, window_start, window_end FROM TUMBLE(s, t, size) GROUP BY window_start, window_end) AS M
//   ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.x = M.m
//
// and plans it as the rows of each window whose x is the window's maximum (a window max node, one state entry per
// open window holding only the rows tied with the max) instead of a join that keeps every row of every window. The
// join's output columns are kept: M's columns become B's window_start, window_end and x, which they equal.
//
// It applies only when the result is the same: both sides read the same stream through the same window (same
// size, time column and watermark delay) with nothing else between; the aggregate groups by exactly that window,
// computes max(x) alone and emits changes; every condition is an equality of a column of B with the column of M it
// equals (x with the max, and window_start and/or window_end), x among them; x is an integer or a time, so that
// "equal to the max" means the same to the join and to the aggregate (no NaN, no -0, no collation).

import type { LExpr } from '../expr';
import { splitConjuncts } from '../expr';
import { inputsOf, withInputs, type LAggregate, type LField, type LJoin, type LogicalNode, type LWindow } from '../nodes';

const EXACT_TYPES: ReadonlySet<string> = new Set(['int2', 'int4', 'int8', 'date', 'timestamp', 'timestamptz']);

export function joinToWindowMax(node: LogicalNode): LogicalNode {
  const inputs = inputsOf(node);
  const rewritten = inputs.map(joinToWindowMax);
  const n = rewritten.every((x, i) => x === inputs[i]) ? node : withInputs(node, rewritten);
  if (n.kind !== 'join') return n;
  return windowMaxOf(n, n.left, n.right) ?? windowMaxOf(n, n.right, n.left) ?? n;
}

/** The join as a window max over `rows`, when `maxes` is the per-window max of the same rows; otherwise null. */
function windowMaxOf(join: LJoin, rows: LogicalNode, maxes: LogicalNode): LogicalNode | null {
  if (join.joinType !== 'inner' || join.condition === null || rows.kind !== 'window') return null;
  const found = perWindowMax(maxes);
  if (found === null) return null;
  const sameRow = sameWindowedStream(rows, found.window);
  if (sameRow === null) return null;
  // Each column of `maxes` as the column of `rows` it equals.
  const asRow = new Map<number, number>();
  for (const [id, source] of found.columns) {
    const mapped = source === 'max' ? sameRow.get(found.valueId) : sameRow.get(source);
    if (mapped === undefined) return null;
    asRow.set(id, mapped);
  }
  const valueId = sameRow.get(found.valueId)!;
  const value = rows.fields.find((f) => f.id === valueId)!;
  if (!EXACT_TYPES.has(value.type.name)) return null;
  const equated = equatedColumns(join.condition, rows, asRow);
  if (equated === null || !equated.has(valueId) || !(equated.has(rows.startId) || equated.has(rows.endId))) return null;

  const byId = new Map(rows.fields.map((f): [number, LField] => [f.id, f]));
  const top: LogicalNode = { kind: 'window_max', input: rows, endId: rows.endId, valueId, fields: rows.fields };
  const exprs = join.fields.map((f): LExpr => {
    const source = byId.get(byId.has(f.id) ? f.id : asRow.get(f.id)!)!;
    return { kind: 'column', id: source.id, type: source.type, name: source.name };
  });
  return { kind: 'project', input: top, exprs, fields: join.fields };
}

interface PerWindowMax {
  readonly window: LWindow;
  /** The column of the window whose max is taken. */
  readonly valueId: number;
  /** Each output column: the window column it is (window_start or window_end), or the max. */
  readonly columns: ReadonlyMap<number, number | 'max'>;
}

/** `SELECT max(x), window_start, window_end FROM <window> GROUP BY window_start, window_end`, with its columns. */
function perWindowMax(n: LogicalNode): PerWindowMax | null {
  const agg = n.kind === 'project' ? n.input : n;
  if (agg.kind !== 'aggregate' || !isMaxPerWindow(agg) || agg.input.kind !== 'window') return null;
  const window = agg.input;
  const arg = agg.aggs[0].args[0];
  if (arg.kind !== 'column') return null;
  const keys = new Map<number, number | 'max'>(agg.groupBy.map((g) => [g.id, (g.expr as { id: number }).id]));
  keys.set(agg.aggs[0].id, 'max');
  if (n.kind !== 'project') return { window, valueId: arg.id, columns: keys };
  const columns = new Map<number, number | 'max'>();
  for (let i = 0; i < n.exprs.length; i++) {
    const e = n.exprs[i];
    const source = e.kind === 'column' ? keys.get(e.id) : undefined;
    if (source === undefined) return null;
    columns.set(n.fields[i].id, source);
  }
  return { window, valueId: arg.id, columns };
}

function isMaxPerWindow(agg: LAggregate): boolean {
  if (agg.emit !== 'changes' || agg.aggs.length !== 1 || agg.input.kind !== 'window') return false;
  const call = agg.aggs[0];
  if (call.fn !== 'max' || call.distinct || call.args.length !== 1) return false;
  const window = agg.input;
  const keys = agg.groupBy.map((g) => (g.expr.kind === 'column' ? g.expr.id : -1));
  return keys.length === 2 && keys.includes(window.startId) && keys.includes(window.endId);
}

/**
 * When `a` and `b` are the same window over the same stream (a possibly reading more of its columns): each column
 * id of `b` as the id of the same column of `a`. Otherwise null.
 */
function sameWindowedStream(a: LWindow, b: LWindow): Map<number, number> | null {
  const sa = a.input;
  const sb = b.input;
  if (sa.kind !== 'scan' || sb.kind !== 'scan' || sa.relation.kind !== 'stream') return null;
  if (sa.relation.kind !== sb.relation.kind || sa.relation.name !== sb.relation.name) return null;
  if (JSON.stringify(a.spec) !== JSON.stringify(b.spec) || a.delayMicros !== b.delayMicros) return null;
  const ids = new Map<number, number>([[b.startId, a.startId], [b.endId, a.endId]]);
  for (let i = 0; i < sb.columns.length; i++) {
    const j = sa.columns.indexOf(sb.columns[i]);
    if (j < 0) return null;
    ids.set(sb.fields[i].id, sa.fields[j].id);
  }
  return ids.get(b.timeId) === a.timeId ? ids : null;
}

/**
 * The columns of `rows` that the condition equates with the column of the other side they equal (`asRow`); null
 * when any conjunct is anything else.
 */
function equatedColumns(condition: LExpr, rows: LogicalNode, asRow: ReadonlyMap<number, number>): Set<number> | null {
  const rowIds = new Set(rows.fields.map((f) => f.id));
  const equated = new Set<number>();
  for (const c of splitConjuncts(condition)) {
    if (c.kind !== 'call' || c.fn !== '=' || c.args[0].kind !== 'column' || c.args[1].kind !== 'column') return null;
    const [a, b] = c.args;
    const [row, other] = rowIds.has(a.id) ? [a.id, b.id] : [b.id, a.id];
    if (!rowIds.has(row) || asRow.get(other) !== row) return null;
    equated.add(row);
  }
  return equated;
}

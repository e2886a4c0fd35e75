// EXPLAIN: one line per physical operator, children indented two spaces under their parent, expressions written
// with the input's column names. The text is stable (golden tests compare it), so change it deliberately. This is the
// one renderer of physical plans: operators print nothing, and the fingerprint that guards a continuous query's
// stored state is computed from the plan data (engine/plan-fingerprint.ts), never from this text.

import { planInputs, planNodeOrder, type AggCall, type EventTime, type Expr, type PlanKind, type PlanNode, type RowCount } from '../engine/plan';
import type { ExplainedNode } from '../engine/statement';
import { formatValue } from '../engine/text';
import type { Interval, Schema } from '../engine/types';

/**
 * A node with two parents (a common subplan, planner/share.ts) is one operator: it is written in full under its first
 * parent, marked `[shared #k]`, and under the next ones as `Shared #k` alone.
 */
export function explainPlan(plan: PlanNode): string[] {
  return explainLines(plan).map((l) => l.text);
}

/**
 * EXPLAIN ANALYZE's skeleton: EXPLAIN's lines, each naming the node it describes by its id in planNodeOrder (the
 * DAG's order, so the runtime finds that node's figures), and every node with its inputs' ids.
 */
export function explainAnalyzed(plan: PlanNode): { lines: ExplainLine[]; nodes: ExplainedNode[] } {
  const order = planNodeOrder(plan);
  const ids = new Map(order.map((n, id) => [n, id]));
  const nodes = order.map((n, id) => ({
    id, kind: n.kind, description: describe(n), inputs: planInputs(n).map((input) => ids.get(input)!),
  }));
  const lines = explainLines(plan).map((l) => ({ text: l.text, node: l.node === null ? null : ids.get(l.node)! }));
  return { lines, nodes };
}

interface ExplainLine<N = number> {
  readonly text: string;
  /** The node the line describes; null on a `Shared #k` line, which refers to one written before. */
  readonly node: N | null;
}

function describe(n: PlanNode): string {
  return (DESCRIBE[n.kind] as (x: PlanNode) => string)(n);
}

function explainLines(plan: PlanNode): ExplainLine<PlanNode>[] {
  const lines: ExplainLine<PlanNode>[] = [];
  const sharedIds = numberShared(plan);
  const written = new Set<PlanNode>();
  const walk = (n: PlanNode, depth: number): void => {
    const indent = '  '.repeat(depth);
    const id = sharedIds.get(n);
    if (id !== undefined && written.has(n)) {
      lines.push({ text: `${indent}Shared #${id}`, node: null });
      return;
    }
    written.add(n);
    const mark = id === undefined ? '' : ` [shared #${id}]`;
    lines.push({ text: `${indent}${describe(n)}${mark}`, node: n });
    for (const child of planInputs(n)) walk(child, depth + 1);
  };
  walk(plan, 0);
  return lines;
}

/** The nodes with more than one parent, numbered 1, 2, ... in the order EXPLAIN first writes them. */
function numberShared(plan: PlanNode): Map<PlanNode, number> {
  const parents = new Map<PlanNode, number>();
  const count = (n: PlanNode): void => {
    const seen = parents.get(n) ?? 0;
    parents.set(n, seen + 1);
    if (seen === 0) for (const child of planInputs(n)) count(child);
  };
  count(plan);
  const ids = new Map<PlanNode, number>();
  const number = (n: PlanNode): void => {
    if (ids.has(n)) return;
    if (parents.get(n)! > 1) ids.set(n, ids.size + 1);
    for (const child of planInputs(n)) number(child);
  };
  number(plan);
  return ids;
}


/** 60s, 1.5s, 250ms, 2d; months (never in a window) as mon. */
export function formatDuration(iv: Interval): string {
  const parts: string[] = [];
  if (iv.months !== 0) parts.push(`${iv.months}mon`);
  const micros = iv.days * 86_400_000_000 + iv.micros;
  if (micros !== 0 || parts.length === 0) {
    if (micros % 1_000_000 === 0) parts.push(`${micros / 1_000_000}s`);
    else if (micros % 1000 === 0) parts.push(`${micros / 1000}ms`);
    else parts.push(`${micros}us`);
  }
  return parts.join(' ');
}

const INFIX: Readonly<Record<string, string>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '=': '=', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  and: 'AND', or: 'OR', like: 'LIKE', ilike: 'ILIKE', '||': '||', '->': '->', '->>': '->>', '?': '?', is_distinct_from: 'IS DISTINCT FROM',
};

export function formatExpr(e: Expr, schema: Schema): string {
  const f = (x: Expr) => formatExpr(x, schema);
  switch (e.kind) {
    case 'column': return schema[e.index]?.name ?? `#${e.index}`;
    case 'param': return `$${e.index + 1}`;
    case 'literal': {
      if (e.value === null) return 'NULL';
      switch (e.type.name) {
        case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': case 'bool':
          return String(e.value);
        case 'text': case 'varchar': case 'unknown':
          return `'${String(e.value).replace(/'/g, "''")}'`;
        default:
          return `'${formatValue(e.value, e.type)}'::${e.type.name}`;
      }
    }
    case 'cast': return `${f(e.expr)}::${e.type.name}${e.type.length === undefined ? '' : `(${e.type.length})`}`;
    case 'case': {
      const whens = e.whens.map((w) => `WHEN ${f(w.when)} THEN ${f(w.then)}`).join(' ');
      return `CASE ${whens}${e.otherwise === null ? '' : ` ELSE ${f(e.otherwise)}`} END`;
    }
    case 'call': {
      const infix = INFIX[e.fn];
      if (infix !== undefined && e.args.length === 2) return `(${f(e.args[0])} ${infix} ${f(e.args[1])})`;
      switch (e.fn) {
        case 'not': return `NOT ${f(e.args[0])}`;
        case 'neg': return `-${f(e.args[0])}`;
        case 'is_null': return `${f(e.args[0])} IS NULL`;
        case 'is_not_null': return `${f(e.args[0])} IS NOT NULL`;
        case 'is_true': return `${f(e.args[0])} IS TRUE`;
        case 'is_false': return `${f(e.args[0])} IS FALSE`;
        case 'in': return `${f(e.args[0])} IN (${e.args.slice(1).map(f).join(', ')})`;
        default: return `${e.fn}(${e.args.map(f).join(', ')})`;
      }
    }
  }
}

/** A LIMIT or OFFSET count as written: a number, or $n for a parameter. */
function countText(c: RowCount): string {
  return typeof c === 'number' ? String(c) : `$${c.param + 1}`;
}

function formatAgg(a: AggCall, schema: Schema): string {
  if (a.fn === 'count_star') return 'count(*)';
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map((x) => formatExpr(x, schema)).join(', ')})`;
}

const names = (schema: Schema): string => schema.map((f) => f.name).join(', ');

const DESCRIBE: { readonly [K in PlanKind]: (n: Extract<PlanNode, { kind: K }>) => string } = {
  source: (n) => `Source ${n.relation.kind} ${n.relation.name} columns=[${names(n.schema)}]`,
  values: (n) => `Values rows=${n.rows.length} columns=[${names(n.schema)}]`,
  filter: (n) => `Filter ${formatExpr(n.predicate, n.input.schema)}`,
  project: (n) => `Project [${n.exprs.map((e, i) => {
    const text = formatExpr(e, n.input.schema);
    return text === n.schema[i].name ? text : `${text} AS ${n.schema[i].name}`;
  }).join(', ')}]`,
  window: (n) => {
    const spec = n.window.kind === 'tumble'
      ? `tumble size=${formatDuration(n.window.size)}`
      : `hop slide=${formatDuration(n.window.slide)} size=${formatDuration(n.window.size)}`;
    const delay = watermarkText(n.time);
    return `Window ${spec} time=${n.input.schema[n.time.column].name}${delay}`;
  },
  aggregate: (n) => {
    const keys = n.groupBy.map((i) => n.input.schema[i].name).join(', ');
    const aggs = n.aggs.map((a) => formatAgg(a, n.input.schema)).join(', ');
    const windowEnd = n.windowEnd === null ? '' : ` window_end=${n.input.schema[n.groupBy[n.windowEnd]].name}`;
    return `HashAggregate keys=[${keys}] aggs=[${aggs}] emit=${n.emit}${windowEnd}`;
  },
  session_aggregate: (n) => {
    const keys = n.keys.map((i) => n.input.schema[i].name).join(', ');
    const aggs = n.aggs.map((a) => formatAgg(a, n.input.schema)).join(', ');
    const delay = watermarkText(n.time);
    return `SessionAggregate keys=[${keys}] gap=${formatDuration(n.gap)} time=${n.input.schema[n.time.column].name}${delay} aggs=[${aggs}] emit=${n.emit}`;
  },
  join: (n) => {
    const keys = n.leftKeys.map((l, i) => `${n.left.schema[l].name} = ${n.right.schema[n.rightKeys[i]].name}`).join(', ');
    const both = [...n.left.schema, ...n.right.schema];
    const residual = n.residual === null ? '' : ` residual=${formatExpr(n.residual, both)}`;
    return n.leftKeys.length > 0
      ? `HashJoin ${n.joinType} keys=[${keys}]${residual}`
      : `NestedLoopJoin ${n.joinType}${residual}`;
  },
  window_max: (n) => `WindowMax value=${n.input.schema[n.value].name} window_end=${n.input.schema[n.windowEnd].name}`,
  union: () => 'Union',
  distinct: () => 'Distinct',
  sort: (n) => `Sort [${n.keys.map((k) => `${formatExpr(k.expr, n.input.schema)}${orderText(k)}`).join(', ')}]`,
  limit: (n) => `Limit ${n.limit === null ? 'ALL' : countText(n.limit)}${n.offset !== 0 ? ` offset=${countText(n.offset)}` : ''}`,
  top_n: (n) => `TopN [${n.keys.map((k) => `${n.input.schema[k.column].name}${orderText(k)}`).join(', ')}] ` +
    `limit=${n.limit === null ? 'ALL' : n.limit}${n.offset > 0 ? ` offset=${n.offset}` : ''}${n.appendOnly ? ' append_only' : ''}`,
};

/** ` DESC`, ` NULLS FIRST` / ` NULLS LAST` where they differ from the default, as PostgreSQL writes them. */
function orderText(k: { readonly descending: boolean; readonly nullsFirst: boolean }): string {
  const dir = k.descending ? ' DESC' : '';
  const nulls = k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : '';
  return dir + nulls;
}

/** A window's watermark delay, when it has a watermark with one. */
function watermarkText(time: EventTime): string {
  const delay = time.watermarkDelayMicros;
  return delay !== null && delay > 0 ? ` delay=${formatDuration({ months: 0, days: 0, micros: delay })}` : '';
}

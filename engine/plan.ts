// The physical plan: what the engine can run, as frozen data. The planner produces it (planner/ lowers its logical
// plan to these nodes after binding and optimizing); the engine instantiates one operator per node. The same plan
// runs incrementally as a continuous query (one epoch at a time, over changes) and once as a pull query (all input
// as inserts, then end of input).
//
// Every node carries its output schema. Column references are positional (index into the input's schema), so the
// engine never resolves names.

import type { Interval, Schema, SqlType, Value } from './types';

// ---------------------------------------------------------------------------------------------------------------
// Expressions: compiled once per plan into closures over whole batches.

export type Expr =
  | ColumnRef
  | Literal
  | Param
  | Call
  | Case
  | Cast;

export interface ColumnRef {
  readonly kind: 'column';
  /** Index into the input schema of the node that evaluates this expression. */
  readonly index: number;
  readonly type: SqlType;
}

export interface Literal {
  readonly kind: 'literal';
  readonly value: Value;
  readonly type: SqlType;
}

/** $n of the extended protocol (0-based here); bound to a Value before the plan runs. */
export interface Param {
  readonly kind: 'param';
  readonly index: number;
  readonly type: SqlType;
}

/**
 * A scalar function or operator. The planner has resolved the overload: argument types are exactly what the
 * engine's kernel for `fn` expects (implicit casts are explicit Cast nodes), and `type` is the result type.
 */
export interface Call {
  readonly kind: 'call';
  readonly fn: ScalarFn;
  readonly args: readonly Expr[];
  readonly type: SqlType;
}

export interface Case {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
  readonly type: SqlType;
}

export interface Cast {
  readonly kind: 'cast';
  readonly expr: Expr;
  readonly type: SqlType;
}

/**
 * Scalar functions and operators of SQL.md. Operators are named by their symbol. `in` takes the probe first and the
 * list after; `like`/`ilike` take (value, pattern); `is_null`/`is_not_null`/`not`/`neg` take one argument;
 * `between` is lowered by the planner to `>=` and `<=`. `date_part` (float8) and `extract` (numeric) take (field text literal, value);
 * `timezone` (AT TIME ZONE) takes (zone text or interval, value).
 * `now` is the start time of the current micro-batch (pull query: of the statement).
 */
export type ScalarFn =
  | '+' | '-' | '*' | '/' | '%' | 'neg'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'and' | 'or' | 'not' | 'is_null' | 'is_not_null' | 'is_true' | 'is_false' | 'is_distinct_from'
  | 'in' | 'like' | 'ilike'
  | 'coalesce' | 'nullif' | 'greatest' | 'least'
  | 'abs' | 'round' | 'trunc' | 'floor' | 'ceil' | 'mod' | 'power' | 'sqrt'
  | 'lower' | 'upper' | 'length' | 'substring' | 'trim' | 'ltrim' | 'rtrim' | 'concat' | '||' | 'replace'
  | 'split_part' | 'position'
  | 'date_trunc' | 'date_part' | 'extract' | 'timezone' | 'now' | 'to_timestamp'
  | '->' | '->>' | '?'
  | 'scalar_subquery';

// ---------------------------------------------------------------------------------------------------------------
// Aggregates

export type AggFn =
  | 'count_star'
  | 'count'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'stddev'
  | 'bool_and'
  | 'bool_or'
  | 'approx_count_distinct'
  | 'approx_percentile';

export interface AggCall {
  readonly fn: AggFn;
  /** Over the aggregate node's input. approx_percentile: (value, fraction literal). */
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly type: SqlType;
}

// ---------------------------------------------------------------------------------------------------------------
// Nodes

/** What a Source reads. Every relation is a durable log of changes; see storage/. */
export interface RelationRef {
  readonly kind: 'stream' | 'table' | 'query' | 'system';
  readonly name: string;
}

export type PlanNode =
  | SourceNode
  | ValuesNode
  | FilterNode
  | ProjectNode
  | WindowNode
  | AggregateNode
  | SessionAggregateNode
  | JoinNode
  | WindowMaxNode
  | UnionNode
  | DistinctNode
  | SortNode
  | LimitNode
  | TopNNode;

export type PlanKind = PlanNode['kind'];

export interface SourceNode {
  readonly kind: 'source';
  readonly relation: RelationRef;
  /**
   * Which of the relation's columns to read, in output order (projection pruning). The hidden `_arrival` column of a
   * stream is addressable by name like any other column in the relation's full schema.
   */
  readonly columns: readonly number[];
  readonly schema: Schema;
}

export interface ValuesNode {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
  readonly schema: Schema;
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: Expr;
  readonly schema: Schema;
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly exprs: readonly Expr[];
  readonly schema: Schema;
}

export type WindowSpec =
  | { readonly kind: 'tumble'; readonly size: Interval }
  | { readonly kind: 'hop'; readonly slide: Interval; readonly size: Interval };

/**
 * Event-time bookkeeping shared by the window nodes. The watermark is the source stream's, read from its log
 * (engine/runtime/stream-watermarks.ts), so lateness depends only on the log, never on a query's filters or on how
 * rows were cut into micro-batches: every query over the stream, and a pull query over the same entries, finds the
 * same late rows. A late row (time < the watermark of the entries before its own) is applied to no window; it is
 * counted and sent to sluice.dead_letters with reason 'late'.
 */
export interface EventTime {
  /** Index of the event-time column in the input. */
  readonly column: number;
  /**
   * The stream's `WATERMARK FOR col AS col - INTERVAL ...` delay when col is this column, read directly (the delay
   * is applied at the source; shown by EXPLAIN). null: the column has no watermark, so no row is late and no window
   * closes.
   */
  readonly watermarkDelayMicros: number | null;
}

/**
 * TUMBLE / HOP: appends window_start and window_end (timestamptz) to each input row; a HOP row appears once per
 * window it falls in. SESSION is not a row-to-window mapping and is planned as SessionAggregateNode.
 */
export interface WindowNode {
  readonly kind: 'window';
  readonly input: PlanNode;
  readonly window: WindowSpec;
  readonly time: EventTime;
  readonly schema: Schema;
}

export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  /** Input column indexes that form the group key; output starts with them, then one column per aggregate. */
  readonly groupBy: readonly number[];
  readonly aggs: readonly AggCall[];
  /**
   * Index (into groupBy) of the key column holding window_end, when grouping by a window. Lets the operator finalize
   * and evict a group once the watermark passes its window_end.
   */
  readonly windowEnd: number | null;
  readonly emit: 'changes' | 'on_window_close';
  readonly schema: Schema;
}

/**
 * SESSION(source, time, gap) grouped by window_start, window_end and `keys`: output is keys, window_start,
 * window_end, then the aggregates. Sessions of one key merge when a row bridges them.
 */
export interface SessionAggregateNode {
  readonly kind: 'session_aggregate';
  readonly input: PlanNode;
  readonly keys: readonly number[];
  readonly time: EventTime;
  readonly gap: Interval;
  readonly aggs: readonly AggCall[];
  readonly emit: 'changes' | 'on_window_close';
  readonly schema: Schema;
}

/**
 * Which sides of a join keep their unmatched rows, NULL-extended: LEFT the left's, RIGHT the right's, FULL both's,
 * INNER neither's.
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full';

/** Whether a join of this type keeps the unmatched rows of its left side (0) or right side (1). */
export function preservesSide(joinType: JoinType, side: 0 | 1): boolean {
  return joinType === 'full' || joinType === (side === 0 ? 'left' : 'right');
}

export interface JoinNode {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: PlanNode;
  readonly right: PlanNode;
  /** Equi-join keys: leftKeys[i] = rightKeys[i] (input column indexes). */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** Any further condition, over the concatenated left ++ right schema. */
  readonly residual: Expr | null;
  /**
   * An interval join's bound, which the residual implies: right[rightTime] - left[leftTime] lies in [lowerMicros,
   * upperMicros] for every matching pair, over the sides' watermark columns. Rows below the inputs' watermark are
   * late, and rows beyond the bound are evicted as it passes. Absent: no time bound.
   */
  readonly timeBound?: { readonly leftTime: number; readonly rightTime: number; readonly lowerMicros: number; readonly upperMicros: number };
  readonly schema: Schema;
}

/**
 * The rows of each window whose `value` is the largest in their window, all rows tied with it (a NULL value never
 * qualifies), kept current as rows arrive: an inner join of a windowed stream to its own per-window max(value),
 * recognised by the planner (planner/logical/rules/window-max.ts). Its input is append-only.
 */
export interface WindowMaxNode {
  readonly kind: 'window_max';
  readonly input: PlanNode;
  /** Input column holding window_end: one window per value (start and end go together). */
  readonly windowEnd: number;
  /** Input column whose per-window maximum selects the rows. */
  readonly value: number;
  readonly schema: Schema;
}

export interface UnionNode {
  readonly kind: 'union';
  readonly inputs: readonly PlanNode[];
  readonly schema: Schema;
}

export interface DistinctNode {
  readonly kind: 'distinct';
  readonly input: PlanNode;
  readonly schema: Schema;
}

/** Pull queries only. */
export interface SortNode {
  readonly kind: 'sort';
  readonly input: PlanNode;
  readonly keys: readonly { readonly expr: Expr; readonly descending: boolean; readonly nullsFirst: boolean }[];
  readonly schema: Schema;
}

/** A LIMIT or OFFSET count: a constant, or a parameter ($n, 0-based) read when the query runs. */
export type RowCount = number | { readonly param: number };

/** Pull queries only. */
export interface LimitNode {
  readonly kind: 'limit';
  readonly input: PlanNode;
  readonly limit: RowCount | null;
  readonly offset: RowCount;
  readonly schema: Schema;
}

/**
 * ORDER BY ... LIMIT n [OFFSET m] at the end of a continuous query: the rows at ranks m+1 .. m+n of all input so far,
 * kept current (engine/operators/top-n.ts). Rows tied on the keys rank by the whole row, so the choice is the same
 * whatever order rows arrived in.
 */
export interface TopNNode {
  readonly kind: 'top_n';
  readonly input: PlanNode;
  /** Input columns to order by (ORDER BY's expressions are columns of a projection below). */
  readonly keys: readonly { readonly column: number; readonly descending: boolean; readonly nullsFirst: boolean }[];
  readonly limit: number | null;
  readonly offset: number;
  /**
   * The input never retracts a row (engine/operators/properties.ts neverRetracts): a row pushed out of the first
   * offset + limit can never come back, so the operator keeps only those.
   */
  readonly appendOnly: boolean;
  readonly schema: Schema;
}

/** The inputs of a node, in input order (a join's left then right). */
export function planInputs(node: PlanNode): readonly PlanNode[] {
  switch (node.kind) {
    case 'source': case 'values': return [];
    case 'join': return [node.left, node.right];
    case 'union': return node.inputs;
    default: return [node.input];
  }
}

/**
 * Every node of a plan once (a node shared by two parents too), each after its inputs. A node's place in this order
 * is its id: the DAG instantiates the plan in this order, and EXPLAIN ANALYZE names operators by it.
 */
export function planNodeOrder(plan: PlanNode): PlanNode[] {
  const order: PlanNode[] = [];
  const seen = new Set<PlanNode>();
  const visit = (node: PlanNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const input of planInputs(node)) visit(input);
    order.push(node);
  };
  visit(plan);
  return order;
}

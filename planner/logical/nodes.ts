// The logical plan: what a query means, as frozen nodes. Every node lists its output fields, each with a plan-wide
// unique id; expressions refer to ids (logical/expr.ts). The binder builds it, rules in logical/rules/ rewrite it,
// and lower.ts turns it into engine/plan.ts nodes.

import { preservesSide, type AggFn, type JoinType, type RelationRef, type RowCount, type WindowSpec } from '../../engine/plan';
import type { Interval, SqlType } from '../../engine/types';
import type { LExpr } from './expr';

export interface LField {
  readonly id: number;
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
}

export type LogicalNode =
  | LScan
  | LValues
  | LFilter
  | LProject
  | LWindow
  | LSessionWindow
  | LAggregate
  | LJoin
  | LWindowMax
  | LUnion
  | LDistinct
  | LSort
  | LLimit
  | LTopN;

export type LogicalKind = LogicalNode['kind'];

export interface LScan {
  readonly kind: 'scan';
  readonly relation: RelationRef;
  /** Index of each output field in the relation's full schema (projection pruning shrinks this list). */
  readonly columns: readonly number[];
  readonly fields: readonly LField[];
}

export interface LValues {
  readonly kind: 'values';
  readonly rows: readonly (readonly LExpr[])[];
  readonly fields: readonly LField[];
}

export interface LFilter {
  readonly kind: 'filter';
  readonly input: LogicalNode;
  readonly predicate: LExpr;
  readonly fields: readonly LField[];
}

export interface LProject {
  readonly kind: 'project';
  readonly input: LogicalNode;
  /** One per output field. */
  readonly exprs: readonly LExpr[];
  readonly fields: readonly LField[];
}

/** TUMBLE / HOP: the input's fields plus window_start and window_end. */
export interface LWindow {
  readonly kind: 'window';
  readonly input: LogicalNode;
  readonly spec: WindowSpec;
  readonly timeId: number;
  /** The stream's WATERMARK FOR delay when the time column is its watermark column; null: no watermark. */
  readonly delayMicros: number | null;
  readonly startId: number;
  readonly endId: number;
  readonly fields: readonly LField[];
}

/**
 * SESSION: like LWindow in shape, but sessions only exist per group, so it must sit directly under an aggregate that
 * groups by its window_start and window_end; lowering fuses the two into one session aggregate.
 */
export interface LSessionWindow {
  readonly kind: 'session_window';
  readonly input: LogicalNode;
  readonly gap: Interval;
  readonly timeId: number;
  /** As LWindow's. */
  readonly delayMicros: number | null;
  readonly startId: number;
  readonly endId: number;
  /** Where SESSION was written, for errors found late. */
  readonly pos: number;
  readonly fields: readonly LField[];
}

export interface LAggCall {
  readonly id: number;
  readonly fn: AggFn;
  readonly args: readonly LExpr[];
  readonly distinct: boolean;
  readonly type: SqlType;
}

/** Output: one field per group key (in order), then one per aggregate. */
export interface LAggregate {
  readonly kind: 'aggregate';
  readonly input: LogicalNode;
  readonly groupBy: readonly { readonly id: number; readonly expr: LExpr }[];
  readonly aggs: readonly LAggCall[];
  /** Index into groupBy of the key that is a window's window_end, when grouping by a window. */
  readonly windowEnd: number | null;
  readonly emit: 'changes' | 'on_window_close';
  readonly fields: readonly LField[];
}

/** Output: the left's fields, then the right's. */
export interface LJoin {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalNode;
  readonly right: LogicalNode;
  readonly condition: LExpr | null;
  readonly fields: readonly LField[];
  /** An interval join's bound on its sides' watermark columns (bind/interval-bound.ts); absent: none. */
  readonly timeBound?: TimeBound;
}

/** right time - left time lies in [lowerMicros, upperMicros] for every matching pair. */
export interface TimeBound {
  readonly leftTimeId: number;
  readonly rightTimeId: number;
  readonly lowerMicros: number;
  readonly upperMicros: number;
}

/** The input's rows whose valueId is the maximum of their window (engine/plan.ts WindowMaxNode): same fields. */
export interface LWindowMax {
  readonly kind: 'window_max';
  readonly input: LogicalNode;
  readonly endId: number;
  readonly valueId: number;
  readonly fields: readonly LField[];
}

/** UNION ALL: inputs line up by position; output fields have their own ids. */
export interface LUnion {
  readonly kind: 'union';
  readonly inputs: readonly LogicalNode[];
  readonly fields: readonly LField[];
}

export interface LDistinct {
  readonly kind: 'distinct';
  readonly input: LogicalNode;
  readonly fields: readonly LField[];
}

export interface LSort {
  readonly kind: 'sort';
  readonly input: LogicalNode;
  readonly keys: readonly { readonly expr: LExpr; readonly descending: boolean; readonly nullsFirst: boolean }[];
  readonly fields: readonly LField[];
}

export interface LLimit {
  readonly kind: 'limit';
  readonly input: LogicalNode;
  readonly limit: RowCount | null;
  readonly offset: RowCount;
  readonly fields: readonly LField[];
}

/**
 * ORDER BY ... LIMIT at the end of a continuous query: the top rows of all input so far, kept current
 * (engine/plan.ts TopNNode). Keys are columns of the input.
 */
export interface LTopN {
  readonly kind: 'top_n';
  readonly input: LogicalNode;
  readonly keys: readonly { readonly expr: LExpr & { readonly kind: 'column' }; readonly descending: boolean; readonly nullsFirst: boolean }[];
  readonly limit: number | null;
  readonly offset: number;
  readonly fields: readonly LField[];
}

/** A join's output fields: the left's, then the right's; a side another side's unmatched rows pad with NULLs is nullable. */
export function joinFields(joinType: JoinType, left: readonly LField[], right: readonly LField[]): LField[] {
  const padded = (fields: readonly LField[]) => fields.map((f) => ({ ...f, nullable: true }));
  return [...(preservesSide(joinType, 1) ? padded(left) : left), ...(preservesSide(joinType, 0) ? padded(right) : right)];
}

/** The inputs of a node, in order. */
export function inputsOf(n: LogicalNode): readonly LogicalNode[] {
  switch (n.kind) {
    case 'scan': case 'values': return [];
    case 'join': return [n.left, n.right];
    case 'union': return n.inputs;
    default: return [n.input];
  }
}

/** The same node over new inputs (same count and order as inputsOf). Fields that pass through are recomputed. */
export function withInputs(n: LogicalNode, inputs: readonly LogicalNode[]): LogicalNode {
  switch (n.kind) {
    case 'scan': case 'values': return n;
    case 'join': return { ...n, left: inputs[0], right: inputs[1], fields: joinFields(n.joinType, inputs[0].fields, inputs[1].fields) };
    case 'union': return { ...n, inputs };
    case 'filter': case 'distinct': case 'sort': case 'limit': case 'window_max': case 'top_n': return { ...n, input: inputs[0], fields: inputs[0].fields };
    case 'window': case 'session_window':
      return { ...n, input: inputs[0], fields: [...inputs[0].fields, ...n.fields.slice(n.fields.length - 2)] };
    case 'project': case 'aggregate': return { ...n, input: inputs[0] };
  }
}

// Which operator runs each kind of plan node: the one table the DAG (dag.ts) builds its operators from. A plan kind
// without an entry is a compile error (the Record's keys are every kind but a source, which is no operator).

import type { PlanKind, PlanNode } from './plan';
import { AggregateOperator } from './operators/aggregate';
import { DistinctOperator } from './operators/distinct';
import { FilterOperator } from './operators/filter';
import { JoinOperator } from './operators/join';
import { LimitOperator } from './operators/limit';
import { ProjectOperator } from './operators/project';
import { SessionAggregateOperator } from './operators/session-aggregate';
import { SortOperator } from './operators/sort';
import { TopNOperator } from './operators/top-n';
import { UnionOperator } from './operators/union';
import { ValuesOperator } from './operators/values';
import { WindowOperator } from './operators/window';
import { WindowMaxOperator } from './operators/window-max';
import type { Operator, OperatorContext, OperatorOutput } from './operators/operator';

type Factory = (node: PlanNode, ctx: OperatorContext, out: OperatorOutput) => Operator;

export const FACTORIES: Record<Exclude<PlanKind, 'source'>, Factory> = {
  values: (n, ctx, out) => new ValuesOperator(n as Extract<PlanNode, { kind: 'values' }>, ctx, out),
  filter: (n, ctx, out) => new FilterOperator(n as Extract<PlanNode, { kind: 'filter' }>, ctx, out),
  project: (n, ctx, out) => new ProjectOperator(n as Extract<PlanNode, { kind: 'project' }>, ctx, out),
  window: (n, ctx, out) => new WindowOperator(n as Extract<PlanNode, { kind: 'window' }>, ctx, out),
  aggregate: (n, ctx, out) => new AggregateOperator(n as Extract<PlanNode, { kind: 'aggregate' }>, ctx, out),
  session_aggregate: (n, ctx, out) =>
    new SessionAggregateOperator(n as Extract<PlanNode, { kind: 'session_aggregate' }>, ctx, out),
  join: (n, ctx, out) => new JoinOperator(n as Extract<PlanNode, { kind: 'join' }>, ctx, out),
  window_max: (n, ctx, out) => new WindowMaxOperator(n as Extract<PlanNode, { kind: 'window_max' }>, ctx, out),
  union: (n, _ctx, out) => new UnionOperator(n as Extract<PlanNode, { kind: 'union' }>, out),
  distinct: (n, ctx, out) => new DistinctOperator(n as Extract<PlanNode, { kind: 'distinct' }>, ctx, out),
  sort: (n, ctx, out) => new SortOperator(n as Extract<PlanNode, { kind: 'sort' }>, ctx, out),
  limit: (n, ctx, out) => new LimitOperator(n as Extract<PlanNode, { kind: 'limit' }>, ctx, out),
  top_n: (n, ctx, out) => new TopNOperator(n as Extract<PlanNode, { kind: 'top_n' }>, ctx, out),
};


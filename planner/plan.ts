// The planner's entry points: parseStatement (text to syntax tree) and planStatement (syntax tree to a Statement
// the runtime executes), plus planSelect for the runtime to re-plan a continuous query's stored SELECT at start.

import { planGrant } from './grants';
import { SqlError, SQLSTATE } from '../engine/errors';
import { planInputs, type PlanNode } from '../engine/plan';
import type { SqlType } from '../engine/types';
import { bindQuery } from './bind/select';
import { checkReadable, newBindState, type BindState } from './bind/state';
import type { PlanContext, PlannerCatalog } from './context';
import { copySourceQuery, planCopyTo } from './copy';
import { buildQueryDef, planAlter, planCreateSink, planCreateStream, planCreateTable, planDrop } from './ddl';
import { finalParams, planCopyFrom, planDelete, planInsert, planUpdate } from './dml';
import { explainAnalyzed, explainPlan } from './explain';
import type { LogicalNode } from './logical/nodes';
import { optimize, RULES } from './logical/optimize';
import { neverRetracts } from '../engine/operators/properties';
import { lowerPlan } from './lower';
import type { Ast, Query } from './parse/ast';
import { parseStatement } from './parse/statement';
import { planSubscribe } from './subscribe';
import type { Statement } from '../engine/statement';

export { parseStatement };

export interface PlannedSelect {
  readonly plan: PlanNode;
  readonly paramTypes: readonly SqlType[];
  /** Names of the streams, tables and queries read. */
  readonly dependsOn: readonly string[];
}

export interface SelectOptions {
  readonly mode: 'pull' | 'continuous';
  readonly emit?: 'changes' | 'on_window_close';
  /** Where EMIT was written, for the error when it cannot apply. */
  readonly emitPos?: number;
  /** Skip the optimizer (tests compare plans before and after it). */
  readonly optimize?: boolean;
}

function hasWindowedAggregate(n: LogicalNode): boolean {
  if (n.kind === 'aggregate' && n.emit === 'on_window_close') return true;
  switch (n.kind) {
    case 'scan': case 'values': return false;
    case 'join': return hasWindowedAggregate(n.left) || hasWindowedAggregate(n.right);
    case 'union': return n.inputs.some(hasWindowedAggregate);
    default: return hasWindowedAggregate(n.input);
  }
}

/** Whether a TUMBLE, HOP or SESSION in the plan is over a column with no watermark (so it never closes). */
function hasWindowWithoutWatermark(n: LogicalNode): boolean {
  if ((n.kind === 'window' || n.kind === 'session_window') && n.delayMicros === null) return true;
  switch (n.kind) {
    case 'scan': case 'values': return false;
    case 'join': return hasWindowWithoutWatermark(n.left) || hasWindowWithoutWatermark(n.right);
    case 'union': return n.inputs.some(hasWindowWithoutWatermark);
    default: return hasWindowWithoutWatermark(n.input);
  }
}

/** A sketch (APPROX_*) cannot forget a deleted row: its input in a continuous query must never retract. */
function refuseSketchOverChanges(n: PlanNode): void {
  if (n.kind === 'aggregate' || n.kind === 'session_aggregate') {
    const sketch = n.aggs.find((a) => a.fn === 'approx_count_distinct' || a.fn === 'approx_percentile');
    if (sketch && !neverRetracts(n.input)) {
      throw new SqlError(SQLSTATE.feature_not_supported, `${sketch.fn.toUpperCase()} cannot run over input that changes`, {
        hint: 'Its sketch cannot forget a deleted row: use it over a stream, or use an exact aggregate such as count(DISTINCT x).',
      });
    }
  }
  planInputs(n).forEach(refuseSketchOverChanges);
}

export function planQuery(query: Query, catalog: PlannerCatalog, ctx: PlanContext, options: SelectOptions): PlannedSelect {
  const emit = options.emit ?? 'changes';
  const state = newBindState(catalog, ctx, options.mode, emit);
  const logical = bindQuery(query, state);
  checkReadable(state);
  if (emit === 'on_window_close' && !hasWindowedAggregate(logical)) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'EMIT ON WINDOW CLOSE needs a window: GROUP BY the window_start or window_end of a TUMBLE, HOP or SESSION', {
      position: options.emitPos === undefined ? undefined : options.emitPos + 1,
    });
  }
  if (emit === 'on_window_close' && hasWindowWithoutWatermark(logical)) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'EMIT ON WINDOW CLOSE needs a watermark: its windows would never close', {
      position: options.emitPos === undefined ? undefined : options.emitPos + 1,
      hint: 'Declare one on the stream (WATERMARK FOR ts AS ts - INTERVAL \'5 seconds\') and window over that column, read directly.',
    });
  }
  const optimized = options.optimize === false ? logical : optimize(logical, RULES);
  const plan = lowerPlan(optimized, state.params.types);
  if (options.mode === 'continuous') refuseSketchOverChanges(plan);
  return { plan, paramTypes: finalParams(state.params.types), dependsOn: [...state.dependsOn] };
}

/** Re-plans a continuous query from its stored SELECT text (at server start or EXPLAIN CONTINUOUS QUERY). */
export function planContinuousSelect(
  select: string, emit: 'changes' | 'on_window_close', catalog: PlannerCatalog, ctx: PlanContext,
): PlannedSelect {
  const ast = parseStatement(select);
  if (ast.statement.kind !== 'query') throw new SqlError(SQLSTATE.syntax_error, 'a continuous query must be a SELECT');
  return planQuery(ast.statement.query, catalog, ctx, { mode: 'continuous', emit });
}

/** A write statement planned with a pull query's bind state, its unreadable objects raised after its analysis. */
function analysed(catalog: PlannerCatalog, ctx: PlanContext, plan: (state: BindState) => Statement): Statement {
  const state = newBindState(catalog, ctx, 'pull');
  const statement = plan(state);
  checkReadable(state);
  return statement;
}

export function planStatement(ast: Ast, catalog: PlannerCatalog, ctx: PlanContext): Statement {
  const s = ast.statement;
  switch (s.kind) {
    case 'query': {
      const p = planQuery(s.query, catalog, ctx, { mode: 'pull' });
      return { kind: 'select', plan: p.plan, paramTypes: p.paramTypes };
    }
    case 'explain': {
      const plan = planQuery(s.query, catalog, ctx, { mode: 'pull' }).plan;
      return { kind: 'explain', lines: explainPlan(plan), explained: plan };
    }
    case 'explain_query': {
      const def = catalog.relation(s.name.name);
      if (def === undefined || def.kind !== 'query') {
        throw new SqlError(SQLSTATE.undefined_table, `continuous query "${s.name.name}" does not exist`, { position: s.name.pos + 1 });
      }
      const plan = planContinuousSelect(def.select, def.emit, catalog, ctx).plan;
      if (!s.analyze) return { kind: 'explain', lines: explainPlan(plan), explained: def.name };
      return { kind: 'explain_analyze', query: def.name, format: s.format, ...explainAnalyzed(plan) };
    }
    case 'create_stream': return planCreateStream(ast, s, ctx);
    case 'create_table': return planCreateTable(ast, s, ctx);
    case 'create_query': {
      const p = planQuery(s.query, catalog, ctx, { mode: 'continuous', emit: s.emit?.mode, emitPos: s.emit?.pos });
      if (p.paramTypes.length > 0) {
        throw new SqlError(SQLSTATE.feature_not_supported, 'a continuous query cannot have parameters');
      }
      const def = buildQueryDef(ast, s, ctx, p.plan.schema, p.dependsOn);
      return { kind: 'create_query', def, plan: p.plan, ifNotExists: s.ifNotExists };
    }
    case 'create_sink': return planCreateSink(ast, s, catalog, ctx);
    case 'drop': return planDrop(s, catalog);
    case 'alter_query': return planAlter(s, catalog);
    // Role statements need no catalog to plan: whether the role exists is the engine's check when they run.
    case 'create_role': return { kind: 'create_role', name: s.name.name, options: s.options, user: s.user };
    case 'alter_role': return { kind: 'alter_role', name: s.name.name, alteration: s.alteration };
    case 'drop_role': return { kind: 'drop_role', names: s.names.map((n) => n.name), ifExists: s.ifExists };
    case 'grant': return planGrant(s, catalog);
    case 'show': return { kind: 'show_objects', objectKind: s.objectKind };
    case 'insert': return analysed(catalog, ctx, (state) => planInsert(s, state));
    case 'update': return analysed(catalog, ctx, (state) => planUpdate(s, state));
    case 'delete': return analysed(catalog, ctx, (state) => planDelete(s, state));
    case 'copy_from': return analysed(catalog, ctx, (state) => planCopyFrom(s, state));
    case 'copy_to': return planCopyTo(s.options, planQuery(copySourceQuery(s.source, catalog), catalog, ctx, { mode: 'pull' }));
    case 'subscribe': return planSubscribe(s, catalog);
  }
}

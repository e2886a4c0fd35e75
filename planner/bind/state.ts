// What binding one statement carries from clause to clause: the catalog, the session context, the parameter types
// inferred so far, whether the SELECT is a one-off (pull) query or the body of a continuous query, and the ids.

import type { PlanContext, PlannerCatalog } from '../context';
import type { ParamTypes } from './coerce';

export interface BindState {
  readonly catalog: PlannerCatalog;
  readonly ctx: PlanContext;
  readonly params: ParamTypes;
  /** 'continuous': the body of CREATE CONTINUOUS QUERY; 'pull': everything else. */
  readonly mode: 'pull' | 'continuous';
  readonly emit: 'changes' | 'on_window_close';
  /** Names of the relations read, for QueryDef.dependsOn. */
  readonly dependsOn: Set<string>;
  nextId(): number;
}

export function newBindState(
  catalog: PlannerCatalog, ctx: PlanContext, mode: 'pull' | 'continuous', emit: 'changes' | 'on_window_close' = 'changes',
): BindState {
  let id = 0;
  return {
    catalog,
    ctx,
    params: { types: [...ctx.paramTypes] },
    mode,
    emit,
    dependsOn: new Set(),
    nextId: () => ++id,
  };
}

// What binding one statement carries from clause to clause: the catalog, the session context, the parameter types
// inferred so far, whether the SELECT is a one-off (pull) query or the body of a continuous query, and the ids.

import type { SqlError } from '../../engine/errors';
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
  /**
   * Objects that exist but cannot be read here (a stream without retention in a pull query), found while binding.
   * Like PostgreSQL's permission checks they are raised only once the whole statement has been analysed, so an
   * unknown name or a type error in the same statement is what the client hears first.
   */
  readonly unreadable: SqlError[];
  nextId(): number;
}

/** Raises the first object found unreadable, once binding is done (see BindState.unreadable). */
export function checkReadable(state: BindState): void {
  if (state.unreadable.length > 0) throw state.unreadable[0];
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
    unreadable: [],
    nextId: () => ++id,
  };
}

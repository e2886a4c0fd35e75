// The shape of a scalar kernel: chosen once per plan from the argument and result types (the planner resolved the
// overload), then run on whole columns.

import type { Vec } from '../columns/vec';
import type { Expr } from '../plan';
import type { SqlType } from '../types';
import type { EvalContext } from './context';

export type Kernel = (args: readonly Vec[], n: number, ctx: EvalContext) => Vec;

export interface KernelSpec {
  readonly fn: string;
  readonly argTypes: readonly SqlType[];
  readonly type: SqlType;
  /** The argument expressions, so a kernel can specialize on a literal (a LIKE pattern, a date_part field). */
  readonly args: readonly Expr[];
}

export type KernelFactory = (spec: KernelSpec) => Kernel;

export function noKernel(spec: KernelSpec): Error {
  return new Error(`engine: no kernel for ${spec.fn}(${spec.argTypes.map((t) => t.name).join(', ')}) → ${spec.type.name}`);
}

/** The literal text of argument i when it is a constant, for kernels that specialize on it. */
export function literalText(spec: KernelSpec, i: number): string | null {
  let a = spec.args[i];
  while (a !== undefined && a.kind === 'cast') a = a.expr;
  return a !== undefined && a.kind === 'literal' && typeof a.value === 'string' ? a.value : null;
}

// Expressions compiled once per plan into closures over whole batches: each node picks its kernel from the types the
// planner resolved, then every batch runs one tight loop per node. CASE branches and the right side of AND / OR
// run only on the rows that need them, so they guard errors the way users expect.

import type { RecordBatch } from 'apache-arrow';
import { dataFromVec } from '../columns/arrow';
import { constantVec, valueAt, type Vec } from '../columns/vec';
import type { Expr, ScalarFn } from '../plan';
import type { Schema, SqlType, Value } from '../types';
import type { TimeZone } from '../values/timezone';
import { compileCast, type CastFn } from './cast';
import { BatchColumns, SubsetView, type BatchView, type EvalContext } from './context';
import type { Kernel, KernelFactory, KernelSpec } from './kernel';
import { arithKernel, negKernel } from './kernels/arith';
import { compareKernel, extremumKernel, inKernel, isDistinctFromKernel } from './kernels/compare';
import { jsonGetKernel, jsonHasKeyKernel } from './kernels/json';
import { numericKernel } from './kernels/numeric';
import { coalesceKernel, isBoolKernel, isNullKernel, notKernel, nullifKernel, scalarSubqueryKernel } from './kernels/logic';
import { absKernel, ceilKernel, floorKernel, modKernel, powerKernel, roundKernel, sqrtKernel, truncKernel } from './kernels/math';
import {
  concatKernel, concatOpKernel, lengthKernel, likeKernel, lowerKernel, positionKernel, replaceKernel, splitPartKernel,
  substringKernel, trimKernel, upperKernel,
} from './kernels/strings';
import { dateTruncKernel, datePartKernel, extractKernel, timeZoneKernel, nowKernel, toTimestampKernel } from './kernels/time';
import { asBool, rowsWhere, VecWriter } from './vecs';
import type { Data } from 'apache-arrow';

export interface CompiledExpr {
  readonly type: SqlType;
  /** The value of the expression for every row of `input` (a constant is broadcast to the batch's length). */
  eval(input: BatchView, ctx: EvalContext): Vec;
}

/** AND / OR are special forms (lazy right side); everything else is a kernel over evaluated arguments. */
const KERNELS: Record<ScalarFn, KernelFactory | 'and' | 'or'> = {
  '+': arithKernel, '-': arithKernel, '*': arithKernel, '/': arithKernel, '%': arithKernel, neg: negKernel,
  '=': compareKernel, '<>': compareKernel, '<': compareKernel, '<=': compareKernel, '>': compareKernel,
  '>=': compareKernel,
  and: 'and', or: 'or', not: notKernel, is_null: isNullKernel, is_not_null: isNullKernel, is_true: isBoolKernel,
  is_false: isBoolKernel, is_distinct_from: isDistinctFromKernel,
  in: inKernel, like: likeKernel, ilike: likeKernel,
  coalesce: coalesceKernel, nullif: nullifKernel, greatest: extremumKernel, least: extremumKernel,
  abs: absKernel, round: roundKernel, trunc: truncKernel, floor: floorKernel, ceil: ceilKernel, mod: modKernel, power: powerKernel,
  sqrt: sqrtKernel,
  lower: lowerKernel, upper: upperKernel, length: lengthKernel, substring: substringKernel, trim: trimKernel,
  ltrim: trimKernel, rtrim: trimKernel, concat: concatKernel, '||': concatOpKernel, replace: replaceKernel,
  split_part: splitPartKernel, position: positionKernel,
  date_trunc: dateTruncKernel, date_part: datePartKernel, extract: extractKernel, timezone: timeZoneKernel, now: nowKernel, to_timestamp: toTimestampKernel,
  '->': jsonGetKernel, '->>': jsonGetKernel, '?': jsonHasKeyKernel,
  scalar_subquery: scalarSubqueryKernel,
};

/** Evaluates `expr` on the rows of `input` where mask is 1 and merges the results into `into`. */
function evalOnRows(expr: CompiledExpr, input: BatchView, ctx: EvalContext, mask: Uint8Array): { rows: Int32Array; vec: Vec } {
  const rows = rowsWhere(mask, input.length);
  const view = rows.length === input.length ? input : new SubsetView(input, rows);
  return { rows, vec: expr.eval(view, ctx) };
}

/**
 * Three-valued AND / OR. The right side runs only on rows the left side left undecided (AND: not false; OR: not
 * true), like PostgreSQL's short circuit.
 */
function compileLogic(op: 'and' | 'or', args: readonly CompiledExpr[], type: SqlType): CompiledExpr {
  const decisive = op === 'and' ? 0 : 1;
  return {
    type,
    eval(input, ctx) {
      const n = input.length;
      const values = new Uint8Array(n).fill(1 - decisive);
      const nulls = new Uint8Array(n);
      // undecided[i] = 1 while row i still needs the next argument.
      const undecided = new Uint8Array(n).fill(1);
      let remaining = n;
      for (const arg of args) {
        if (remaining === 0) break;
        const { rows, vec } = evalOnRows(arg, input, ctx, undecided);
        const b = asBool(vec);
        for (let k = 0; k < rows.length; k++) {
          const i = rows[k];
          if (b.nulls !== null && b.nulls[k] === 1) nulls[i] = 1;
          else if (b.values[k] === decisive) {
            values[i] = decisive;
            nulls[i] = 0;
            undecided[i] = 0;
            remaining--;
          }
        }
      }
      for (let i = 0; i < n; i++) if (nulls[i] === 1) values[i] = 0;
      return { kind: 'bool', type, length: n, nulls: nulls.indexOf(1) < 0 ? null : nulls, values };
    },
  };
}

function compileCase(expr: Extract<Expr, { kind: 'case' }>): CompiledExpr {
  const whens = expr.whens.map((w) => ({ when: compileExpr(w.when), then: compileExpr(w.then) }));
  const otherwise = expr.otherwise === null ? null : compileExpr(expr.otherwise);
  const type = expr.type;
  return {
    type,
    eval(input, ctx) {
      const n = input.length;
      const out = new VecWriter(type, n);
      const pending = new Uint8Array(n).fill(1);
      let remaining = n;
      for (const w of whens) {
        if (remaining === 0) break;
        const { rows, vec } = evalOnRows(w.when, input, ctx, pending);
        const cond = asBool(vec);
        const hit = new Uint8Array(n);
        for (let k = 0; k < rows.length; k++) {
          if (cond.values[k] === 1 && (cond.nulls === null || cond.nulls[k] === 0)) {
            hit[rows[k]] = 1;
            pending[rows[k]] = 0;
            remaining--;
          }
        }
        const taken = evalOnRows(w.then, input, ctx, hit);
        if (taken.rows.length > 0) out.scatter(taken.rows, taken.vec);
      }
      if (otherwise !== null && remaining > 0) {
        const rest = evalOnRows(otherwise, input, ctx, pending);
        out.scatter(rest.rows, rest.vec);
      }
      return out.finish();
    },
  };
}

function compileCall(expr: Extract<Expr, { kind: 'call' }>): CompiledExpr {
  const args = expr.args.map(compileExpr);
  const entry = KERNELS[expr.fn];
  if (entry === 'and' || entry === 'or') return compileLogic(entry, args, expr.type);
  const spec: KernelSpec = { fn: expr.fn, argTypes: args.map((a) => a.type), type: expr.type, args: expr.args };
  const kernel: Kernel = numericKernel(spec) ?? entry(spec);
  return {
    type: expr.type,
    eval(input, ctx) {
      const vecs = args.map((a) => a.eval(input, ctx));
      return kernel(vecs, input.length, ctx);
    },
  };
}

export function compileExpr(expr: Expr): CompiledExpr {
  switch (expr.kind) {
    case 'column': {
      const { index, type } = expr;
      return {
        type,
        eval(input) {
          const v = input.column(index);
          return v.type === type ? v : ({ ...v, type } as Vec);
        },
      };
    }
    case 'literal': {
      const { value, type } = expr;
      return { type, eval: (input) => constantVec(value, type, input.length) };
    }
    case 'param': {
      const { index, type } = expr;
      return { type, eval: (input, ctx) => constantVec(ctx.params[index] ?? null, type, input.length) };
    }
    case 'call':
      return compileCall(expr);
    case 'case':
      return compileCase(expr);
    case 'cast': {
      const inner = compileExpr(expr.expr);
      const cast = compileCast(inner.type, expr.type);
      if (expr.expr.kind === 'literal') return constantCast(inner, cast, expr.type);
      return { type: expr.type, eval: (input, ctx) => cast(inner.eval(input, ctx), ctx.zone) };
    }
  }
}

/**
 * A cast of a constant the planner could not fold because it depends on the session's zone ('2026-03-29 02:30'
 * as a timestamptz): cast once per zone, not once per row.
 */
function constantCast(literal: CompiledExpr, cast: CastFn, type: SqlType): CompiledExpr {
  let last: { zone: TimeZone; value: Value } | null = null;
  return {
    type,
    eval(input, ctx) {
      if (last === null || last.zone !== ctx.zone) {
        last = { zone: ctx.zone, value: valueAt(cast(literal.eval(ONE_ROW, ctx), ctx.zone), 0) };
      }
      return constantVec(last.value, type, input.length);
    },
  };
}

const ONE_ROW: BatchView = { length: 1, column: () => { throw new Error('a constant reads no column'); } };

/** Evaluates a compiled expression over a RecordBatch of `schema` into an Arrow column. */
export function evalToArrow(expr: CompiledExpr, batch: RecordBatch, schema: Schema, ctx: EvalContext): Data {
  return dataFromVec(expr.eval(new BatchColumns(batch, schema), ctx));
}

/** A predicate's rows that are TRUE (NULL and FALSE are dropped, as WHERE does). */
export function selectedRows(predicate: Vec): Int32Array {
  const b = asBool(predicate);
  const n = b.length;
  const mask = b.nulls === null ? b.values : b.values.map((x, i) => (b.nulls![i] === 1 ? 0 : x));
  return rowsWhere(mask, n);
}

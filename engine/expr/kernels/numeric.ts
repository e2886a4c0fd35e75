// NUMERIC's own kernels: + - * / %, unary minus, abs, round, trunc, floor, ceil, mod, sqrt, power, exact over the
// canonical decimal text of each row (engine/values/decimal.ts, decimal-functions.ts), with PostgreSQL's result scales.

import { unionNulls, type StrVec, type Vec } from '../../columns/vec';
import type { SqlType } from '../../types';
import {
  absDecimal, addDecimal, ceilDecimal, type Decimal, divideDecimal, floorDecimal, formatDecimal, modDecimal,
  multiplyDecimal, negateDecimal, parseDecimal, roundDecimal, subtractDecimal, truncDecimal,
} from '../../values/decimal';
import { powerDecimal, sqrtDecimal } from '../../values/decimal-functions';
import type { Kernel, KernelSpec } from '../kernel';
import { asNum, asStr, strVec } from '../vecs';

const BINARY: Record<string, (a: Decimal, b: Decimal) => Decimal> = {
  power: powerDecimal,
  '+': addDecimal,
  '-': subtractDecimal,
  '*': multiplyDecimal,
  '/': divideDecimal,
  '%': modDecimal,
  mod: modDecimal,
};

export const isNumericType = (t: SqlType): boolean => t.name === 'numeric';

/** numeric (op) numeric: + - * / % and mod(). */
export function numericBinaryKernel(fn: string, type: SqlType): Kernel {
  const f = BINARY[fn];
  return (args, n) => {
    const a = asStr(args[0]).values;
    const b = asStr(args[1]).values;
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      out[i] = nulls !== null && nulls[i] === 1 ? '' : formatDecimal(f(parseDecimal(a[i]), parseDecimal(b[i])));
    }
    return strVec(type, out, nulls);
  };
}

function unary(type: SqlType, f: (a: Decimal) => Decimal): Kernel {
  return (args) => mapRows(type, asStr(args[0]), f);
}

function mapRows(type: SqlType, a: StrVec, f: (a: Decimal, i: number) => Decimal): Vec {
  const out = new Array<string>(a.length);
  for (let i = 0; i < a.length; i++) {
    out[i] = a.nulls !== null && a.nulls[i] === 1 ? '' : formatDecimal(f(parseDecimal(a.values[i]), i));
  }
  return strVec(type, out, a.nulls);
}

export const numericNegateKernel = (type: SqlType): Kernel => unary(type, negateDecimal);
export const numericAbsKernel = (type: SqlType): Kernel => unary(type, absDecimal);
export const numericFloorKernel = (type: SqlType): Kernel => unary(type, floorDecimal);
export const numericCeilKernel = (type: SqlType): Kernel => unary(type, ceilDecimal);

/** round / trunc (numeric [, int4 digits]). */
export function numericRoundKernel(type: SqlType, truncate: boolean, withScale: boolean): Kernel {
  const f = truncate ? truncDecimal : roundDecimal;
  if (!withScale) return unary(type, (a) => f(a, 0));
  return (args, n) => {
    const digits = asNum(args[1]);
    const nulls = unionNulls(n, args[0], args[1]);
    return mapRows(type, { ...asStr(args[0]), nulls }, (a, i) => f(a, digits.values[i]));
  };
}

const UNARY: Record<string, (type: SqlType) => Kernel> = {
  neg: numericNegateKernel,
  abs: numericAbsKernel,
  floor: numericFloorKernel,
  ceil: numericCeilKernel,
  sqrt: (type) => unary(type, sqrtDecimal),
};

/**
 * The NUMERIC kernel of a call whose result is NUMERIC, or null when the call is not one of them (the caller then
 * takes the kernel for numbers).
 */
export function numericKernel(spec: KernelSpec): Kernel | null {
  const { fn, type, argTypes } = spec;
  if (!isNumericType(type) || !isNumericType(argTypes[0])) return null;
  if (fn in BINARY && argTypes.length === 2 && isNumericType(argTypes[1])) return numericBinaryKernel(fn, type);
  if (fn in UNARY && argTypes.length === 1) return UNARY[fn](type);
  if (fn === 'round' || fn === 'trunc') return numericRoundKernel(type, fn === 'trunc', argTypes.length === 2);
  return null;
}

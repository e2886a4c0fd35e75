// ABS, ROUND, FLOOR, CEIL, MOD, POWER, SQRT with PostgreSQL's rounding: round(float8) rounds half to even (rint),
// round(numeric) half away from zero. An invalid argument of SQRT / POWER is 2201F, as in PostgreSQL.

import { SqlError, SQLSTATE } from '../../errors';
import { unionNulls } from '../../columns/vec';
import type { Kernel, KernelSpec } from '../kernel';
import { integerBinary, integerUnary } from './integer';
import { asNum, checkRange, divisionByZero, isIntType, numVec, outOfRange, underflow } from '../vecs';

function invalidArgument(message: string): SqlError {
  return new SqlError(SQLSTATE.invalid_argument_for_power_function, message);
}

/** Half to even, as C's rint(). */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Half away from zero at `scale` decimal digits, as NUMERIC rounds. */
export function roundHalfAway(x: number, scale = 0): number {
  if (!Number.isFinite(x)) return x;
  if (scale === 0) return Math.sign(x) * Math.round(Math.abs(x)) + 0;
  // Via the decimal text, so 1.005 rounds to 1.01 like NUMERIC's exact decimal would.
  const shifted = Number(`${Math.abs(x)}e${scale}`);
  const r = Math.round(shifted);
  return Math.sign(x) * Number(`${r}e${-scale}`) + 0;
}

function unary(spec: KernelSpec, f: (x: number) => number): Kernel {
  return (args, n) => {
    const a = asNum(args[0]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) if (a.nulls === null || a.nulls[i] === 0) out[i] = f(a.values[i]);
    checkRange(spec.type, out, a.nulls);
    return numVec(spec.type, out, a.nulls);
  };
}

function binary(spec: KernelSpec, f: (x: number, y: number) => number): Kernel {
  return (args, n) => {
    const a = asNum(args[0]);
    const b = asNum(args[1]);
    const nulls = unionNulls(n, a, b);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) out[i] = f(a.values[i], b.values[i]);
    checkRange(spec.type, out, nulls);
    return numVec(spec.type, out, nulls);
  };
}

export function absKernel(spec: KernelSpec): Kernel {
  const type = spec.type;
  if (isIntType(type)) return (args, n) => integerUnary(type, asNum(args[0]), n, Math.abs, (x) => (x < 0n ? -x : x));
  return unary(spec, Math.abs);
}

export function roundKernel(spec: KernelSpec): Kernel {
  const isFloat = spec.argTypes[0].name === 'float8' || spec.argTypes[0].name === 'float4';
  if (spec.argTypes.length === 2) return binary(spec, (x, s) => roundHalfAway(x, Math.trunc(s)));
  return unary(spec, isFloat ? rint : (x) => roundHalfAway(x));
}

/** trunc(float8): toward zero (numeric's trunc is in kernels/numeric.ts). */
export function truncKernel(spec: KernelSpec): Kernel {
  return unary(spec, Math.trunc);
}

/** floor(float8); keeps the sign of a zero, as PostgreSQL prints it (`floor(-0.0::float8)` is -0). */
export function floorKernel(spec: KernelSpec): Kernel {
  return unary(spec, Math.floor);
}

/** ceil(float8): `ceil(-0.5::float8)` is -0, as in PostgreSQL. */
export function ceilKernel(spec: KernelSpec): Kernel {
  return unary(spec, Math.ceil);
}

export function modKernel(spec: KernelSpec): Kernel {
  const type = spec.type;
  if (isIntType(type)) {
    return (args, n) => integerBinary('%', type, asNum(args[0]), asNum(args[1]), n, unionNulls(n, args[0], args[1]));
  }
  return binary(spec, (x, y) => {
    if (y === 0) throw divisionByZero();
    return (x % y) + 0;
  });
}

export function powerKernel(spec: KernelSpec): Kernel {
  return binary(spec, (x, y) => {
    if (x === 0 && y < 0) throw invalidArgument('zero raised to a negative power is undefined');
    if (x < 0 && !Number.isInteger(y)) {
      throw invalidArgument('a negative number raised to a non-integer power yields a complex result');
    }
    const r = Math.pow(x, y);
    if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw outOfRange(spec.type);
    if (r === 0 && x !== 0 && Number.isFinite(y)) throw underflow();
    return isIntType(spec.type) ? Math.round(r) : r;
  });
}

export function sqrtKernel(spec: KernelSpec): Kernel {
  return unary(spec, (x) => {
    if (x < 0) throw invalidArgument('cannot take square root of a negative number');
    return Math.sqrt(x);
  });
}

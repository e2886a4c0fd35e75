// Integer arithmetic exact to 64 bits, as PostgreSQL's int2 / int4 / int8 operators: 22003 when a result leaves its
// type, 22012 on division by zero, division truncating toward zero.
//
// Two lanes. A batch whose inputs all lie within ±2^53 computes in float64, one tight loop per operator: there + - *
// and % are exact whenever the result also lies within ±2^53 (checked after the loop), and so is the truncated
// quotient (a rounding error of at most |a/b|·2^-53 < 1/|b| cannot carry a/b across an integer). Any other batch
// computes in BigInt over the int64 lane (NumVec.exact, or the doubles, which are then exact integers).

import type { NumVec } from '../../columns/vec';
import type { SqlType } from '../../types';
import { divisionByZero, outOfRange } from '../vecs';

export type IntegerOp = '+' | '-' | '*' | '/' | '%';

/** Integers of magnitude below this are exact doubles, and so are sums and products that stay below it. */
const EXACT_DOUBLE = 2 ** 53;

const INT_RANGES: Partial<Record<SqlType['name'], readonly [bigint, bigint]>> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

/** Whether the first n doubles all lie strictly within ±2^53 (rows under a NULL hold 0). */
function withinExactDoubles(values: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (!(x < EXACT_DOUBLE && x > -EXACT_DOUBLE)) return false;
  }
  return true;
}

export const isWide = (x: number): boolean => !(x < EXACT_DOUBLE && x > -EXACT_DOUBLE);

/** Row i of an integer column as its exact int64. */
export function int64At(v: NumVec, i: number): bigint {
  return v.exact !== undefined ? v.exact[i] : BigInt(v.values[i]);
}

/** An integer result as a NumVec: the doubles, and for int8 the exact int64 lane when some value needs it. */
function integerVec(type: SqlType, values: Float64Array, exact: BigInt64Array | undefined, nulls: Uint8Array | null): NumVec {
  return { kind: 'num', type, length: values.length, nulls, values, exact: type.name === 'int8' ? exact : undefined };
}

function checkedInt(type: SqlType, r: bigint): bigint {
  const [lo, hi] = INT_RANGES[type.name]!;
  if (r < lo || r > hi) throw outOfRange(type);
  return r;
}

function applyExact(op: IntegerOp, x: bigint, y: bigint): bigint {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/':
      if (y === 0n) throw divisionByZero();
      return x / y;
    case '%':
      if (y === 0n) throw divisionByZero();
      return x % y;
  }
}

// Integer results never hold -0 (from -5 * 0, -6 % 3 or -1 / 2): `+ 0` makes it 0.
function floatLoop(op: IntegerOp, a: Float64Array, b: Float64Array, out: Float64Array, n: number, nulls: Uint8Array | null): void {
  switch (op) {
    case '+': for (let i = 0; i < n; i++) out[i] = a[i] + b[i] + 0; return;
    case '-': for (let i = 0; i < n; i++) out[i] = a[i] - b[i] + 0; return;
    case '*': for (let i = 0; i < n; i++) out[i] = a[i] * b[i] + 0; return;
    case '/':
    case '%':
      for (let i = 0; i < n; i++) {
        if (b[i] === 0 && (nulls === null || nulls[i] === 0)) throw divisionByZero();
      }
      if (op === '%') for (let i = 0; i < n; i++) out[i] = b[i] === 0 ? 0 : (a[i] % b[i]) + 0;
      else for (let i = 0; i < n; i++) out[i] = b[i] === 0 ? 0 : Math.trunc(a[i] / b[i]) + 0;
  }
}

/** Whether a column's doubles are its integers exactly: always for int2 / int4, for int8 when within ±2^53. */
function exactAsDoubles(v: NumVec, n: number): boolean {
  return v.type.name === 'int2' || v.type.name === 'int4' || withinExactDoubles(v.values, n);
}

/**
 * Checks results computed in doubles from exact inputs: an int2 / int4 result out of its range is 22003 at once
 * (its range lies within ±2^53, so its doubles are exact); an int8 result beyond ±2^53 may have been rounded, and
 * false sends the batch to the exact lane, which decides.
 */
function doubleResultsHold(type: SqlType, out: Float64Array, nulls: Uint8Array | null): boolean {
  const [lo, hi] = type.name === 'int8' ? [-EXACT_DOUBLE, EXACT_DOUBLE] : INT_RANGES[type.name]!.map(Number);
  const exclusive = type.name === 'int8';
  for (let i = 0; i < out.length; i++) {
    const x = out[i];
    if (x > lo && x < hi) continue;
    if (!exclusive && (x === lo || x === hi)) continue;
    if (nulls !== null && nulls[i] === 1) continue;
    if (exclusive) return false;
    throw outOfRange(type);
  }
  return true;
}

/** a (op) b for integer operands and an integer result type. */
export function integerBinary(op: IntegerOp, type: SqlType, a: NumVec, b: NumVec, n: number, nulls: Uint8Array | null): NumVec {
  if (exactAsDoubles(a, n) && exactAsDoubles(b, n)) {
    const out = new Float64Array(n);
    floatLoop(op, a.values, b.values, out, n, nulls);
    if (doubleResultsHold(type, out, nulls)) return integerVec(type, out, undefined, nulls);
  }
  const values = new Float64Array(n);
  const exact = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const r = checkedInt(type, applyExact(op, int64At(a, i), int64At(b, i)));
    exact[i] = r;
    values[i] = Number(r);
  }
  return integerVec(type, values, exact, nulls);
}

/** A one-argument integer function (unary minus, abs) that is exact on doubles within ±2^53. */
export function integerUnary(type: SqlType, a: NumVec, n: number, onDouble: (x: number) => number,
  onExact: (x: bigint) => bigint): NumVec {
  const nulls = a.nulls;
  if (exactAsDoubles(a, n)) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = onDouble(a.values[i]) + 0;
    if (doubleResultsHold(type, out, nulls)) return integerVec(type, out, undefined, nulls);
  }
  const values = new Float64Array(n);
  const exact = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const r = checkedInt(type, onExact(int64At(a, i)));
    exact[i] = r;
    values[i] = Number(r);
  }
  return integerVec(type, values, exact, nulls);
}

/** Two integers compared exactly: their doubles first, their int64s only where the doubles tie beyond 2^53. */
export function compareIntegersAt(a: NumVec, i: number, b: NumVec, j: number): number {
  const x = a.values[i];
  const y = b.values[j];
  if (x !== y || !isWide(x)) return x < y ? -1 : x > y ? 1 : 0;
  const p = int64At(a, i);
  const q = int64At(b, j);
  return p < q ? -1 : p > q ? 1 : 0;
}

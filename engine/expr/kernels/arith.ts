// + - * / % and unary minus over numbers, dates, timestamps and intervals, with PostgreSQL's errors: 22012 on
// division by zero (integers, floats and numerics alike) and 22003 when an integer result leaves its type. Integers
// compute exactly to 64 bits (integer.ts).

import { unionNulls, type IntervalVec, type NumVec, type Vec } from '../../columns/vec';
import type { Interval, SqlType } from '../../types';
import { DATE_INFINITY, DATE_NEG_INFINITY, MICROS_PER_DAY } from '../../values/datetime';
import { addDays, addInterval, dateDiff, divideInterval, isFiniteTimestamp, scaleInterval, timestampDiff, TS_NEG_INF, TS_POS_INF } from '../../values/temporal';
import { noKernel, type Kernel, type KernelSpec } from '../kernel';
import { integerBinary, integerUnary } from './integer';
import { asInterval, asNum, checkRange, divisionByZero, isIntType, isTimestampType, numVec, outOfRange, underflow } from '../vecs';

type Op = '+' | '-' | '*' | '/' | '%';

const isTemporal = (t: SqlType): boolean => t.name === 'date' || isTimestampType(t);
const isPlainNumber = (t: SqlType): boolean =>
  isIntType(t) || t.name === 'float4' || t.name === 'float8' || t.name === 'numeric' || t.name === 'unknown';

function ivAt(v: IntervalVec, i: number): Interval {
  return { months: v.months[i], days: v.days[i], micros: v.micros[i] };
}

function intervalOut(type: SqlType, n: number, nulls: Uint8Array | null, f: (i: number) => Interval): IntervalVec {
  const months = new Int32Array(n);
  const days = new Int32Array(n);
  const micros = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const r = f(i);
    months[i] = r.months;
    days[i] = r.days;
    micros[i] = r.micros;
  }
  return { kind: 'interval', type, length: n, nulls, months, days, micros };
}

function floatOverflowCheck(type: SqlType, out: Float64Array, a: Float64Array, b: Float64Array | null, nulls: Uint8Array | null): void {
  for (let i = 0; i < out.length; i++) {
    const r = out[i];
    if (r - r !== 0 && r === r && (nulls === null || nulls[i] === 0)) {
      // Infinite from finite inputs is an overflow in PostgreSQL.
      if (Number.isFinite(a[i]) && (b === null || Number.isFinite(b[i]))) throw outOfRange(type);
    }
  }
}

/** A product or quotient that rounded to zero from a nonzero dividend or factors (not divided by infinity). */
function floatUnderflowCheck(op: Op, out: Float64Array, a: Float64Array, b: Float64Array, nulls: Uint8Array | null): void {
  if (op !== '*' && op !== '/') return;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 0 || a[i] === 0 || (nulls !== null && nulls[i] === 1)) continue;
    if (op === '*' ? b[i] !== 0 : Number.isFinite(b[i])) throw underflow();
  }
}

/** number (op) number, the hot path: one tight loop per operator. */
function numberKernel(op: Op, type: SqlType): Kernel {
  const intResult = isIntType(type);
  const float4 = type.name === 'float4';
  return (args, n) => {
    const nulls = unionNulls(n, args[0], args[1]);
    if (intResult) return integerBinary(op, type, asNum(args[0]), asNum(args[1]), n, nulls);
    const a = asNum(args[0]).values;
    const b = asNum(args[1]).values;
    const out = new Float64Array(n);
    switch (op) {
      case '+': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; break;
      case '-': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; break;
      case '*': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; break;
      case '/':
      case '%':
        for (let i = 0; i < n; i++) {
          if (b[i] === 0 && (nulls === null || nulls[i] === 0)) throw divisionByZero();
        }
        if (op === '%') for (let i = 0; i < n; i++) out[i] = b[i] === 0 ? 0 : a[i] % b[i];
        else for (let i = 0; i < n; i++) out[i] = b[i] === 0 ? 0 : a[i] / b[i];
        break;
    }
    if (float4) for (let i = 0; i < n; i++) out[i] = Math.fround(out[i]);
    floatOverflowCheck(type, out, a, b, nulls);
    floatUnderflowCheck(op, out, a, b, nulls);
    return numVec(type, out, nulls);
  };
}

function perRowNum(type: SqlType, f: (a: Vec, b: Vec, i: number) => number): Kernel {
  return (args, n) => {
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) out[i] = f(args[0], args[1], i);
    if (isIntType(type)) checkRange(type, out, nulls);
    return numVec(type, out, nulls);
  };
}

function perRowInterval(type: SqlType, f: (a: Vec, b: Vec, i: number) => Interval): Kernel {
  return (args, n) => {
    const nulls = unionNulls(n, args[0], args[1]);
    return intervalOut(type, n, nulls, (i) => f(args[0], args[1], i));
  };
}

const tsOf = (v: Vec, i: number, t: SqlType): number => {
  const x = asNum(v).values[i];
  // A date in timestamp arithmetic is its midnight; an infinite date the infinite timestamp.
  if (t.name !== 'date') return x;
  if (x === DATE_INFINITY) return TS_POS_INF;
  if (x === DATE_NEG_INFINITY) return TS_NEG_INF;
  return x * MICROS_PER_DAY;
};

export function arithKernel(spec: KernelSpec): Kernel {
  const op = spec.fn as Op;
  const [lt, rt] = spec.argTypes;
  const type = spec.type;
  const lp = isPlainNumber(lt);
  const rp = isPlainNumber(rt);
  if (lp && rp) return numberKernel(op, type);

  const li = lt.name === 'interval';
  const ri = rt.name === 'interval';
  // date ± integer → date; date - date → integer (days).
  if (lt.name === 'date' && rp && (op === '+' || op === '-')) {
    const sign = op === '+' ? 1 : -1;
    return perRowNum(type, (a, b, i) => addDays(asNum(a).values[i], sign * asNum(b).values[i]));
  }
  if (lp && rt.name === 'date' && op === '+') return perRowNum(type, (a, b, i) => addDays(asNum(b).values[i], asNum(a).values[i]));
  if (lt.name === 'date' && rt.name === 'date' && op === '-') {
    return perRowNum(type, (a, b, i) => dateDiff(asNum(a).values[i], asNum(b).values[i]));
  }
  // timestamp/date ± interval → timestamp.
  if (isTemporal(lt) && ri && (op === '+' || op === '-')) {
    const sign = op === '+' ? 1 : -1;
    return perRowNum(type, (a, b, i) => addInterval(tsOf(a, i, lt), ivAt(asInterval(b), i), sign));
  }
  if (li && isTemporal(rt) && op === '+') {
    return perRowNum(type, (a, b, i) => addInterval(tsOf(b, i, rt), ivAt(asInterval(a), i), 1));
  }
  // timestamp - timestamp → interval.
  if (isTimestampType(lt) && isTimestampType(rt) && op === '-') {
    return perRowInterval(type, (a, b, i) => timestampDiff(asNum(a).values[i], asNum(b).values[i]));
  }
  if (li && ri && (op === '+' || op === '-')) {
    const s = op === '+' ? 1 : -1;
    return perRowInterval(type, (a, b, i) => {
      const x = asInterval(a);
      const y = asInterval(b);
      return { months: x.months[i] + s * y.months[i], days: x.days[i] + s * y.days[i], micros: x.micros[i] + s * y.micros[i] };
    });
  }
  if (li && rp && (op === '*' || op === '/')) {
    return perRowInterval(type, (a, b, i) => {
      const f = asNum(b).values[i];
      if (op === '/' && f === 0) throw divisionByZero();
      return op === '*' ? scaleInterval(ivAt(asInterval(a), i), f) : divideInterval(ivAt(asInterval(a), i), f);
    });
  }
  if (lp && ri && op === '*') return perRowInterval(type, (a, b, i) => scaleInterval(ivAt(asInterval(b), i), asNum(a).values[i]));
  throw noKernel(spec);
}

export function negKernel(spec: KernelSpec): Kernel {
  const type = spec.type;
  if (spec.argTypes[0].name === 'interval') {
    return (args, n) => {
      const a = asInterval(args[0]);
      return intervalOut(type, n, a.nulls, (i) => ({ months: -a.months[i] + 0, days: -a.days[i] + 0, micros: -a.micros[i] + 0 }));
    };
  }
  if (isIntType(type)) return (args, n) => integerUnary(type, asNum(args[0]), n, (x) => -x, (x) => -x);
  return (args, n) => {
    const a = asNum(args[0]) as NumVec;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = -a.values[i];
    checkRange(type, out, a.nulls);
    return numVec(type, out, a.nulls);
  };
}

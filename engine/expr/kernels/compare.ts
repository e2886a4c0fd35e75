// Comparisons, IS DISTINCT FROM, IN, GREATEST / LEAST. Order: numbers numerically with NaN above everything (as
// PostgreSQL; NUMERIC by its exact decimal value), text by code unit (the "C" collation), false < true, intervals by
// their 30-day-month length; integers exactly, to 64 bits.

import { unionNulls, type NumVec, type Vec } from '../../columns/vec';
import { MICROS_PER_DAY } from '../../values/datetime';
import { compareNumericText } from '../../values/decimal';
import { noKernel, type Kernel, type KernelSpec } from '../kernel';
import { boolVec, bug, isIntType, VecWriter } from '../vecs';
import { compareIntegersAt, isWide } from './integer';

export function compareNumbers(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // At least one NaN: NaN sorts above every number and equals itself.
  const xn = x !== x;
  const yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

export function compareStrings(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Row i of a against row j of b (same representation, both non-NULL). */
export function compareAt(a: Vec, i: number, b: Vec, j: number): number {
  switch (a.kind) {
    case 'num':
      if (isIntType(a.type) && isIntType(b.type)) return compareIntegersAt(a, i, b as NumVec, j);
      return compareNumbers(a.values[i], (b as typeof a).values[j]);
    case 'str':
      if (a.type.name === 'numeric') return compareNumericText(a.values[i], (b as typeof a).values[j]);
      return compareStrings(a.values[i], (b as typeof a).values[j]);
    case 'bool': return a.values[i] - (b as typeof a).values[j];
    case 'interval': {
      const c = b as typeof a;
      const x = (a.months[i] * 30 + a.days[i]) * MICROS_PER_DAY + a.micros[i];
      const y = (c.months[j] * 30 + c.days[j]) * MICROS_PER_DAY + c.micros[j];
      return compareNumbers(x, y);
    }
  }
}

type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

const TEST: Record<CmpOp, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function numberCompare(op: CmpOp, a: Float64Array, b: Float64Array, out: Uint8Array, n: number): void {
  // Tight loops for the common case; NaN falls to the general comparison.
  switch (op) {
    case '=': for (let i = 0; i < n; i++) out[i] = a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]) ? 1 : 0; return;
    case '<>': for (let i = 0; i < n; i++) out[i] = a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]) ? 0 : 1; return;
    default: {
      const test = TEST[op];
      for (let i = 0; i < n; i++) {
        const x = a[i];
        const y = b[i];
        const c = x < y ? -1 : x > y ? 1 : x === y ? 0 : compareNumbers(x, y);
        out[i] = test(c) ? 1 : 0;
      }
    }
  }
}

/**
 * Integers beyond 2^53 whose doubles tie may still differ: those rows are compared again by their int64s. Only an
 * int64 lane can hold such integers (the doubles of any other column are the values themselves).
 */
function retieWideIntegers(test: (c: number) => boolean, a: NumVec, b: NumVec, out: Uint8Array, n: number): void {
  if (!isIntType(a.type) || !isIntType(b.type)) return;
  const x = a.values;
  const y = b.values;
  for (let i = 0; i < n; i++) {
    if (x[i] === y[i] && isWide(x[i])) out[i] = test(compareIntegersAt(a, i, b, i)) ? 1 : 0;
  }
}

export function compareKernel(spec: KernelSpec): Kernel {
  const op = spec.fn as CmpOp;
  const test = TEST[op];
  const type = spec.type;
  return (args, n) => {
    const [a, b] = args;
    if (a.kind !== b.kind) throw noKernel(spec);
    const nulls = unionNulls(n, a, b);
    const out = new Uint8Array(n);
    if (a.kind === 'num' && b.kind === 'num') {
      numberCompare(op, a.values, b.values, out, n);
      if (a.exact !== undefined || b.exact !== undefined) retieWideIntegers(test, a, b, out, n);
    } else if (a.kind === 'str' && b.kind === 'str' && a.type.name !== 'numeric') {
      const x = a.values;
      const y = b.values;
      if (op === '=') for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0;
      else for (let i = 0; i < n; i++) out[i] = test(compareStrings(x[i], y[i])) ? 1 : 0;
    } else {
      for (let i = 0; i < n; i++) out[i] = (nulls === null || nulls[i] === 0) && test(compareAt(a, i, b, i)) ? 1 : 0;
    }
    if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) out[i] = 0;
    return boolVec(type, out, nulls);
  };
}

export function isDistinctFromKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const [a, b] = args;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const an = a.nulls !== null && a.nulls[i] === 1;
      const bn = b.nulls !== null && b.nulls[i] === 1;
      out[i] = an || bn ? (an !== bn ? 1 : 0) : compareAt(a, i, b, i) !== 0 ? 1 : 0;
    }
    return boolVec(spec.type, out, null);
  };
}

/** x IN (list): true on a match; NULL when none matched and x or some list item is NULL; else false. */
export function inKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const probe = args[0];
    const list = args.slice(1);
    for (const l of list) if (l.kind !== probe.kind) throw bug(`IN list item of type ${l.type.name} against ${probe.type.name}`);
    const out = new Uint8Array(n);
    const nulls = new Uint8Array(n);
    let anyNull = false;
    for (let i = 0; i < n; i++) {
      if (probe.nulls !== null && probe.nulls[i] === 1) {
        nulls[i] = 1;
        anyNull = true;
        continue;
      }
      let sawNull = false;
      let hit = false;
      for (const l of list) {
        if (l.nulls !== null && l.nulls[i] === 1) sawNull = true;
        else if (compareAt(probe, i, l, i) === 0) {
          hit = true;
          break;
        }
      }
      if (hit) out[i] = 1;
      else if (sawNull) {
        nulls[i] = 1;
        anyNull = true;
      }
    }
    return boolVec(spec.type, out, anyNull ? nulls : null);
  };
}

/** GREATEST / LEAST: NULL arguments are ignored; NULL only when all are NULL. */
export function extremumKernel(spec: KernelSpec): Kernel {
  const greatest = spec.fn === 'greatest';
  return (args, n) => {
    const w = new VecWriter(spec.type, n);
    for (let i = 0; i < n; i++) {
      let best = -1;
      for (let k = 0; k < args.length; k++) {
        const a = args[k];
        if (a.nulls !== null && a.nulls[i] === 1) continue;
        if (best < 0) best = k;
        else {
          const c = compareAt(a, i, args[best], i);
          if (greatest ? c > 0 : c < 0) best = k;
        }
      }
      if (best >= 0) w.copy(i, args[best], i);
    }
    return w.finish();
  };
}

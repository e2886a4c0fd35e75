// The engine's working form of a column while it computes: one flat typed array per column, a byte per row for
// NULLs, strings decoded once per batch. Arrow stays the format between operators (engine/batch.ts); expressions
// and aggregates convert a column to a Vec once per batch (columns/arrow.ts) and run tight loops over it.
//
// Every number-like type but NUMERIC (int2, int4, int8, float4, float8, date, timestamp, timestamptz) computes as a
// float64: exact for integers below 2^53, which covers microsecond timestamps until the year 2255. An int8 beyond
// that also carries its exact int64 (NumVec.exact), which the integer kernels compute on (expr/kernels/integer.ts);
// rows that merely pass through an operator keep Arrow's exact int64 bits (columns/take.ts). NUMERIC is its exact
// decimal text (values/decimal.ts).

import type { Interval, SqlType, TypeName, Value } from '../types';
import { numericText } from '../values/decimal';

export type Repr = 'bool' | 'num' | 'str' | 'interval';

export const REPR: Record<TypeName, Repr> = {
  bool: 'bool',
  int2: 'num',
  int4: 'num',
  int8: 'num',
  float4: 'num',
  float8: 'num',
  // Exact: the canonical decimal text (engine/values/decimal.ts), never a double.
  numeric: 'str',
  date: 'num',
  timestamp: 'num',
  timestamptz: 'num',
  text: 'str',
  varchar: 'str',
  jsonb: 'str',
  unknown: 'str',
  interval: 'interval',
};

interface VecBase {
  readonly type: SqlType;
  readonly length: number;
  /** nulls[i] === 1 when row i is NULL; null when no row is. */
  readonly nulls: Uint8Array | null;
}

export interface BoolVec extends VecBase {
  readonly kind: 'bool';
  /** 0 or 1 per row (0 under a NULL). */
  readonly values: Uint8Array;
}

export interface NumVec extends VecBase {
  readonly kind: 'num';
  readonly values: Float64Array;
  /**
   * The exact int64 of each row, for int8 and timestamps, when the Vec came straight from stored data, a literal or
   * a parameter, or from an integer kernel whose results left ±2^53. Integer arithmetic, comparisons and keys read
   * it where the doubles are not exact; other kernels compute on `values` and drop it; a Vec that only passes
   * through keeps every bit, so an int8 beyond 2^53 round-trips exactly.
   */
  readonly exact?: BigInt64Array;
}

export interface StrVec extends VecBase {
  readonly kind: 'str';
  /** '' under a NULL. */
  readonly values: string[];
}

export interface IntervalVec extends VecBase {
  readonly kind: 'interval';
  readonly months: Int32Array;
  readonly days: Int32Array;
  readonly micros: Float64Array;
}

export type Vec = BoolVec | NumVec | StrVec | IntervalVec;

export const BIGINT_TYPES: ReadonlySet<TypeName> = new Set<TypeName>(['int8', 'timestamp', 'timestamptz']);

export const isNullAt = (v: Vec, i: number): boolean => v.nulls !== null && v.nulls[i] === 1;

/** A NULL mask that is null when nothing is NULL, so hot loops can skip the check. */
export function compactNulls(nulls: Uint8Array | null): Uint8Array | null {
  if (nulls === null) return null;
  return nulls.indexOf(1) < 0 ? null : nulls;
}

/** OR of the NULL masks of the arguments (a NULL-propagating operator's result mask). */
export function unionNulls(length: number, ...vecs: Vec[]): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (const v of vecs) {
    if (v.nulls === null) continue;
    if (out === null) {
      out = v.nulls.slice(0, length);
    } else {
      const n = v.nulls;
      for (let i = 0; i < length; i++) out[i] |= n[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Building from canonical values and reading them back

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`expected a number, got ${typeof v}`);
}

export function vecFromValues(values: readonly Value[], type: SqlType): Vec {
  const n = values.length;
  let nulls: Uint8Array | null = null;
  const markNull = (i: number): void => {
    if (nulls === null) nulls = new Uint8Array(n);
    nulls[i] = 1;
  };
  switch (REPR[type.name]) {
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null) markNull(i);
        else out[i] = v ? 1 : 0;
      }
      return { kind: 'bool', type, length: n, nulls, values: out };
    }
    case 'num': {
      const out = new Float64Array(n);
      const exact = BIGINT_TYPES.has(type.name) ? new BigInt64Array(n) : undefined;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null) markNull(i);
        else {
          out[i] = toNumber(v);
          if (exact) exact[i] = typeof v === 'bigint' ? v : numberToBigInt(out[i]);
        }
      }
      return { kind: 'num', type, length: n, nulls, values: out, exact };
    }
    case 'str': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null) {
          markNull(i);
          out[i] = '';
        } else {
          out[i] = typeof v === 'string' ? v : type.name === 'numeric' ? numericText(v) : String(v);
        }
      }
      return { kind: 'str', type, length: n, nulls, values: out };
    }
    case 'interval': {
      const months = new Int32Array(n);
      const days = new Int32Array(n);
      const micros = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || typeof v !== 'object') {
          markNull(i);
        } else {
          months[i] = v.months;
          days[i] = v.days;
          micros[i] = v.micros;
        }
      }
      return { kind: 'interval', type, length: n, nulls, months, days, micros };
    }
  }
}

const INT8_LIMIT = 9223372036854775807n;

/** A float64 holding an int8 / timestamp as the canonical bigint, clamped to int64 (the ±infinity sentinels). */
export function numberToBigInt(n: number): bigint {
  if (n >= 9223372036854775807) return INT8_LIMIT;
  if (n <= -9223372036854775808) return -INT8_LIMIT - 1n;
  return BigInt(Math.trunc(n));
}

/** The canonical Value (engine/types.ts) of one row of a Vec. */
export function valueAt(v: Vec, i: number): Value {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  switch (v.kind) {
    case 'bool': return v.values[i] === 1;
    case 'num':
      if (!BIGINT_TYPES.has(v.type.name)) return v.values[i];
      return v.exact ? v.exact[i] : numberToBigInt(v.values[i]);
    case 'str': return v.values[i];
    case 'interval': return { months: v.months[i], days: v.days[i], micros: v.micros[i] } satisfies Interval;
  }
}

/** A Vec of `length` copies of one value (a literal broadcast over a batch). */
export function constantVec(value: Value, type: SqlType, length: number): Vec {
  const isNull = value === null;
  const nulls = isNull ? new Uint8Array(length).fill(1) : null;
  switch (REPR[type.name]) {
    case 'bool': return { kind: 'bool', type, length, nulls, values: new Uint8Array(length).fill(value === true ? 1 : 0) };
    case 'num': {
      const values = new Float64Array(length).fill(isNull ? 0 : toNumber(value));
      const exact = typeof value === 'bigint' && BIGINT_TYPES.has(type.name) ? new BigInt64Array(length).fill(value) : undefined;
      return { kind: 'num', type, length, nulls, values, exact };
    }
    case 'str': {
      const text = isNull ? '' : typeof value === 'string' ? value : type.name === 'numeric' ? numericText(value) : String(value);
      return { kind: 'str', type, length, nulls, values: new Array<string>(length).fill(text) };
    }
    case 'interval': {
      const iv = (isNull ? { months: 0, days: 0, micros: 0 } : value) as Interval;
      return {
        kind: 'interval', type, length, nulls,
        months: new Int32Array(length).fill(iv.months),
        days: new Int32Array(length).fill(iv.days),
        micros: new Float64Array(length).fill(iv.micros),
      };
    }
  }
}

/** The rows of `v` at `indexes`, in that order. */
export function takeVec(v: Vec, indexes: ArrayLike<number>): Vec {
  const n = indexes.length;
  let nulls: Uint8Array | null = null;
  if (v.nulls !== null) {
    const src = v.nulls;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = src[indexes[i]];
    nulls = compactNulls(out);
  }
  switch (v.kind) {
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = v.values[indexes[i]];
      return { ...v, length: n, nulls, values: out };
    }
    case 'num': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = v.values[indexes[i]];
      let exact: BigInt64Array | undefined;
      if (v.exact) {
        exact = new BigInt64Array(n);
        for (let i = 0; i < n; i++) exact[i] = v.exact[indexes[i]];
      }
      return { ...v, length: n, nulls, values: out, exact };
    }
    case 'str': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = v.values[indexes[i]];
      return { ...v, length: n, nulls, values: out };
    }
    case 'interval': {
      const months = new Int32Array(n);
      const days = new Int32Array(n);
      const micros = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const j = indexes[i];
        months[i] = v.months[j];
        days[i] = v.days[j];
        micros[i] = v.micros[j];
      }
      return { ...v, length: n, nulls, months, days, micros };
    }
  }
}

// Small building blocks the kernels share: typed accessors, result constructors, errors, range checks.

import { SqlError, SQLSTATE } from '../errors';
import { BIGINT_TYPES, compactNulls, numberToBigInt, REPR, type BoolVec, type IntervalVec, type NumVec, type StrVec, type Vec } from '../columns/vec';
import type { SqlType } from '../types';
import { typeDisplayName } from '../types';

export function bug(message: string): Error {
  return new Error(`engine: ${message}`);
}

export function asNum(v: Vec): NumVec {
  if (v.kind !== 'num') throw bug(`expected a numeric column, got ${v.type.name}`);
  return v;
}
export function asBool(v: Vec): BoolVec {
  if (v.kind !== 'bool') throw bug(`expected a boolean column, got ${v.type.name}`);
  return v;
}
export function asStr(v: Vec): StrVec {
  if (v.kind !== 'str') throw bug(`expected a text column, got ${v.type.name}`);
  return v;
}
export function asInterval(v: Vec): IntervalVec {
  if (v.kind !== 'interval') throw bug(`expected an interval column, got ${v.type.name}`);
  return v;
}

export const numVec = (type: SqlType, values: Float64Array, nulls: Uint8Array | null): NumVec =>
  ({ kind: 'num', type, length: values.length, nulls, values });
export const boolVec = (type: SqlType, values: Uint8Array, nulls: Uint8Array | null): BoolVec =>
  ({ kind: 'bool', type, length: values.length, nulls, values });
export const strVec = (type: SqlType, values: string[], nulls: Uint8Array | null): StrVec =>
  ({ kind: 'str', type, length: values.length, nulls, values });

export function divisionByZero(): SqlError {
  return new SqlError(SQLSTATE.division_by_zero, 'division by zero');
}

export function outOfRange(type: SqlType): SqlError {
  const name = type.name === 'int2' ? 'smallint' : type.name === 'int4' ? 'integer' : type.name === 'int8' ? 'bigint'
    : typeDisplayName(type);
  const message = type.name === 'int2' || type.name === 'int4' || type.name === 'int8'
    ? `${name} out of range` : `value out of range: overflow`;
  return new SqlError(SQLSTATE.numeric_value_out_of_range, message);
}

/** A float result that rounded to zero from inputs that were not (PostgreSQL's float_underflow_error). */
export function underflow(): SqlError {
  return new SqlError(SQLSTATE.numeric_value_out_of_range, 'value out of range: underflow');
}

const INT_LIMITS: Partial<Record<SqlType['name'], readonly [number, number]>> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [-9223372036854775808, 9223372036854775807],
};

export const isIntType = (t: SqlType): boolean => t.name === 'int2' || t.name === 'int4' || t.name === 'int8';
export const isTimestampType = (t: SqlType): boolean => t.name === 'timestamp' || t.name === 'timestamptz';

/** Throws 22003 when a non-NULL integer result left its type's range (float results: when they became infinite). */
export function checkRange(type: SqlType, values: Float64Array, nulls: Uint8Array | null): void {
  const limits = INT_LIMITS[type.name];
  const n = values.length;
  if (limits !== undefined) {
    const [lo, hi] = limits;
    // int8's upper bound is 2^63 in float64; only values beyond it overflow.
    const strictHi = type.name === 'int8';
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if ((x < lo || x > hi || (strictHi && x >= hi) || x !== x) && (nulls === null || nulls[i] === 0)) {
        throw outOfRange(type);
      }
    }
  } else if (type.name === 'float4' || type.name === 'float8' || type.name === 'numeric') {
    // PostgreSQL reports overflow rather than producing an infinity from finite inputs; callers check inputs.
  }
}

/** Collects per-row results of any type into a Vec; rows never set stay NULL. */
export class VecWriter {
  private readonly nulls: Uint8Array;
  private readonly num: Float64Array | null = null;
  /** int8 and timestamps: the exact int64 of each row, so a value chosen by CASE or COALESCE keeps every bit. */
  private readonly exact: BigInt64Array | null = null;
  private readonly bool: Uint8Array | null = null;
  private readonly str: string[] | null = null;
  private readonly months: Int32Array | null = null;
  private readonly days: Int32Array | null = null;
  private readonly micros: Float64Array | null = null;

  constructor(private readonly type: SqlType, private readonly length: number) {
    this.nulls = new Uint8Array(length).fill(1);
    switch (REPR[type.name]) {
      case 'num':
        this.num = new Float64Array(length);
        if (BIGINT_TYPES.has(type.name)) this.exact = new BigInt64Array(length);
        break;
      case 'bool': this.bool = new Uint8Array(length); break;
      case 'str': this.str = new Array<string>(length).fill(''); break;
      case 'interval':
        this.months = new Int32Array(length);
        this.days = new Int32Array(length);
        this.micros = new Float64Array(length);
        break;
    }
  }

  /** Row `row` := row `from` of `src` (which must have this writer's representation). */
  copy(row: number, src: Vec, from: number): void {
    if (src.nulls !== null && src.nulls[from] === 1) {
      this.nulls[row] = 1;
      return;
    }
    this.nulls[row] = 0;
    switch (src.kind) {
      case 'num':
        this.num![row] = src.values[from];
        if (this.exact !== null) this.exact[row] = src.exact !== undefined ? src.exact[from] : numberToBigInt(src.values[from]);
        break;
      case 'bool': this.bool![row] = src.values[from]; break;
      case 'str': this.str![row] = src.values[from]; break;
      case 'interval':
        this.months![row] = src.months[from];
        this.days![row] = src.days[from];
        this.micros![row] = src.micros[from];
        break;
    }
  }

  /** Rows rows[k] := row k of src. */
  scatter(rows: ArrayLike<number>, src: Vec): void {
    for (let k = 0; k < rows.length; k++) this.copy(rows[k], src, k);
  }

  finish(): Vec {
    const { type, length } = this;
    const nulls = compactNulls(this.nulls);
    switch (REPR[type.name]) {
      case 'num': return { kind: 'num', type, length, nulls, values: this.num!, exact: this.exact ?? undefined };
      case 'bool': return { kind: 'bool', type, length, nulls, values: this.bool! };
      case 'str': return { kind: 'str', type, length, nulls, values: this.str! };
      case 'interval':
        return { kind: 'interval', type, length, nulls, months: this.months!, days: this.days!, micros: this.micros! };
    }
  }
}

/** Indexes of rows where mask[i] === 1, as an Int32Array. */
export function rowsWhere(mask: Uint8Array, length: number): Int32Array {
  let count = 0;
  for (let i = 0; i < length; i++) count += mask[i];
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < length; i++) if (mask[i] === 1) out[k++] = i;
  return out;
}

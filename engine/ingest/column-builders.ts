// One builder per column of a decoded batch: it writes each row's value straight into a typed array of the
// column's Arrow type (no Value per row, no BigInt for numbers that came as JSON numbers) and makes the Arrow Data at
// the end. A row that turns out bad is simply overwritten by the next one: every row sets every column.
//
// JSON values map to SQL types as follows (docs/kafka.md): numbers and strings for numeric types (a string is read
// as PostgreSQL text, so "NaN" works, and a BIGINT beyond 2^53 must be a string: as a JSON number it has already
// lost digits); booleans or text for BOOLEAN; any scalar for TEXT; any JSON for JSONB; for timestamps ISO 8601 /
// PostgreSQL text or a number of milliseconds since the Unix epoch; for DATE text or a number of days since the
// epoch; for INTERVAL text.

import { Data, makeData } from 'apache-arrow';
import { arrowTypeOf, dataFromValues, dataFromVec, int32View, writeI64 } from '../columns';
import { packBits } from '../columns/arrow';
import { SqlError } from '../errors';
import { fitVarchar, parseValue } from '../text';
import { typeDisplayName, type Field, type SqlType, type Value } from '../types';
import { normalizeJsonb } from '../values/jsonb';
import { fastTimestamp } from './fast-timestamp';

/** An error message for the dead letter (a wrong type), or null when the value was stored. */
export type SetResult = string | null;

export interface ColumnBuilder {
  /** Row i from a JSON value (null and undefined are NULL). */
  json(i: number, v: unknown): SetResult;
  /** Row i from PostgreSQL text (null is NULL). */
  text(i: number, s: string | null): SetResult;
  /** The first n rows as an Arrow column. */
  finish(n: number): Data;
}

export function columnBuilder(field: Field, capacity: number): ColumnBuilder {
  switch (field.type.name) {
    case 'bool': return new BoolBuilder(field.type, capacity);
    case 'int2': return new SmallNumberBuilder(field.type, new Int16Array(capacity), -32768, 32767, true);
    case 'int4': return new SmallNumberBuilder(field.type, new Int32Array(capacity), -2147483648, 2147483647, true);
    case 'float4': return new SmallNumberBuilder(field.type, new Float32Array(capacity), -Infinity, Infinity, false);
    case 'float8':
    case 'numeric': return new SmallNumberBuilder(field.type, new Float64Array(capacity), -Infinity, Infinity, false);
    case 'date': return new SmallNumberBuilder(field.type, new Int32Array(capacity), -2147483648, 2147483647, true);
    case 'int8':
    case 'timestamp':
    case 'timestamptz': return new Int64Builder(field.type, capacity);
    case 'text':
    case 'varchar':
    case 'jsonb':
    case 'unknown': return new StringBuilder(field.type, capacity);
    case 'interval': return new ValueBuilder(field.type, capacity);
  }
}

function typeError(type: SqlType, v: unknown): string {
  const shown = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v);
  return `expected ${typeDisplayName(type)}, got ${shown}`;
}

/** parseValue's error message, or rethrows what is not a SqlError (a bug). */
function parseError(e: unknown): string {
  if (e instanceof SqlError) return e.message;
  throw e;
}

/** Byte-per-row NULL flags for rows [0, n) as an Arrow validity bitmap, or undefined when none is NULL. */
function validity(nulls: Uint8Array, n: number): { nullCount: number; nullBitmap: Uint8Array | undefined } {
  let nullCount = 0;
  for (let i = 0; i < n; i++) nullCount += nulls[i];
  return { nullCount, nullBitmap: nullCount === 0 ? undefined : packBits(nulls, n, true) };
}

/**
 * Builders over a typed array and a byte of NULL flag per row. Each subclass says which JSON values it takes as they
 * are (`native`) and how a parsed value is stored; NULLs, text parsing and the wrong-type message are shared.
 */
abstract class TypedBuilder implements ColumnBuilder {
  protected readonly nulls: Uint8Array;

  constructor(protected readonly type: SqlType, capacity: number) {
    this.nulls = new Uint8Array(capacity);
  }

  /** Stores a JSON value of the column's own kind (returning null), an error message, or undefined for other values. */
  protected abstract native(i: number, v: unknown): SetResult | undefined;
  /** Stores a value parsed from text. */
  protected abstract store(i: number, v: Value | number): void;
  /** The first n rows' values as the Arrow type's data buffer. */
  protected abstract data(n: number): ArrayBufferView;

  protected parse(s: string): Value | number {
    return parseValue(s, this.type);
  }

  protected stored(i: number): SetResult {
    this.nulls[i] = 0;
    return null;
  }

  json(i: number, v: unknown): SetResult {
    const r = this.native(i, v);
    if (r !== undefined) return r;
    if (typeof v === 'string') return this.text(i, v);
    if (v === null || v === undefined) return this.text(i, null);
    return typeError(this.type, v);
  }

  text(i: number, s: string | null): SetResult {
    if (s === null) {
      this.nulls[i] = 1;
      return null;
    }
    try {
      this.store(i, this.parse(s));
      return this.stored(i);
    } catch (e) {
      return parseError(e);
    }
  }

  finish(n: number): Data {
    const { nullCount, nullBitmap } = validity(this.nulls, n);
    return makeData({ type: arrowTypeOf(this.type), length: n, nullCount, nullBitmap, data: this.data(n) } as never);
  }
}

class BoolBuilder extends TypedBuilder {
  private readonly values: Uint8Array;

  constructor(type: SqlType, capacity: number) {
    super(type, capacity);
    this.values = new Uint8Array(capacity);
  }

  protected native(i: number, v: unknown): SetResult | undefined {
    if (typeof v !== 'boolean') return undefined;
    this.values[i] = v ? 1 : 0;
    return this.stored(i);
  }

  protected store(i: number, v: Value | number): void {
    this.values[i] = v ? 1 : 0;
  }

  protected data(n: number): ArrayBufferView {
    return packBits(this.values, n);
  }
}

/** int2, int4, date, float4, float8, numeric: one JavaScript number per row. */
class SmallNumberBuilder extends TypedBuilder {
  constructor(
    type: SqlType,
    private readonly values: Int16Array | Int32Array | Float32Array | Float64Array,
    private readonly min: number,
    private readonly max: number,
    private readonly integer: boolean,
  ) {
    super(type, values.length);
  }

  protected native(i: number, v: unknown): SetResult | undefined {
    if (typeof v !== 'number') return undefined;
    if (this.integer && !Number.isInteger(v)) return typeError(this.type, v);
    if (v < this.min || v > this.max) return `value ${v} is out of range for type ${typeDisplayName(this.type)}`;
    this.values[i] = v;
    return this.stored(i);
  }

  protected store(i: number, v: Value | number): void {
    this.values[i] = v as number;
  }

  protected data(n: number): ArrayBufferView {
    return this.values.subarray(0, n);
  }
}

/** int8, timestamp, timestamptz: int64 bits written through an Int32 view (exact for any int64 given as text). */
class Int64Builder extends TypedBuilder {
  private readonly values: BigInt64Array;
  private readonly view: Int32Array;
  private readonly isTimestamp: boolean;

  constructor(type: SqlType, capacity: number) {
    super(type, capacity);
    this.values = new BigInt64Array(capacity);
    this.view = int32View(this.values);
    this.isTimestamp = type.name !== 'int8';
  }

  protected native(i: number, v: unknown): SetResult | undefined {
    if (typeof v !== 'number') return undefined;
    if (!Number.isFinite(v)) return typeError(this.type, v);
    // A number for a timestamp is milliseconds since the Unix epoch, the usual Kafka convention.
    const n = this.isTimestamp ? Math.round(v * 1000) : v;
    if (!Number.isInteger(n) || Math.abs(n) >= 9223372036854775808) return typeError(this.type, v);
    // JSON.parse has already rounded such a number: refuse it rather than store a value nobody sent.
    if (!this.isTimestamp && !Number.isSafeInteger(n)) {
      return `integer ${v} is beyond 2^53 and loses digits as a JSON number; send it as a JSON string`;
    }
    writeI64(this.view, i, n);
    return this.stored(i);
  }

  /** Timestamps in the common ISO forms skip the general parser. */
  protected override parse(s: string): Value | number {
    if (this.isTimestamp) {
      const micros = fastTimestamp(s, this.type.name === 'timestamptz');
      if (micros === micros) return micros;
    }
    return parseValue(s, this.type);
  }

  protected store(i: number, v: Value | number): void {
    if (typeof v === 'number') writeI64(this.view, i, v);
    else this.values[i] = v as bigint;
  }

  protected data(n: number): ArrayBufferView {
    return this.values.subarray(0, n);
  }
}

class StringBuilder implements ColumnBuilder {
  private readonly values: string[];
  private readonly nulls: Uint8Array;

  constructor(private readonly type: SqlType, capacity: number) {
    this.values = new Array<string>(capacity).fill('');
    this.nulls = new Uint8Array(capacity);
  }

  json(i: number, v: unknown): SetResult {
    if (v === null || v === undefined) return this.text(i, null);
    if (this.type.name === 'jsonb') {
      this.values[i] = normalizeJsonb(JSON.stringify(v));
      this.nulls[i] = 0;
      return null;
    }
    if (typeof v === 'string') return this.text(i, v);
    if (typeof v === 'number' || typeof v === 'boolean') return this.text(i, String(v));
    return typeError(this.type, v);
  }

  text(i: number, s: string | null): SetResult {
    if (s === null) {
      this.nulls[i] = 1;
      this.values[i] = '';
      return null;
    }
    try {
      if (this.type.name === 'varchar') s = fitVarchar(s, this.type, false);
      else if (this.type.name === 'jsonb') s = normalizeJsonb(s);
    } catch (e) {
      return parseError(e);
    }
    this.values[i] = s;
    this.nulls[i] = 0;
    return null;
  }

  finish(n: number): Data {
    const nulls = this.nulls.subarray(0, n);
    return dataFromVec({ kind: 'str', type: this.type, length: n, nulls: nulls.indexOf(1) < 0 ? null : nulls, values: this.values.slice(0, n) });
  }
}

/** The rare types (interval): a canonical Value per row. */
class ValueBuilder implements ColumnBuilder {
  private readonly values: Value[];

  constructor(private readonly type: SqlType, capacity: number) {
    this.values = new Array<Value>(capacity).fill(null);
  }

  json(i: number, v: unknown): SetResult {
    if (typeof v === 'string') return this.text(i, v);
    if (v === null || v === undefined) return this.text(i, null);
    return typeError(this.type, v);
  }

  text(i: number, s: string | null): SetResult {
    if (s === null) {
      this.values[i] = null;
      return null;
    }
    try {
      this.values[i] = parseValue(s, this.type);
      return null;
    } catch (e) {
      return parseError(e);
    }
  }

  finish(n: number): Data {
    return dataFromValues(this.values.slice(0, n), this.type);
  }
}

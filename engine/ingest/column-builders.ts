// One builder per column of a decoded batch: it writes each row's value straight into a typed array of the
// column's Arrow type (no Value per row, no BigInt for numbers that came as JSON numbers or as short digits) and
// makes the Arrow Data at the end. A row that turns out bad is simply overwritten by the next one: every row sets
// every column.
//
// A value comes as JSON (Kafka), as PostgreSQL text in a string, or as PostgreSQL text in a range of bytes (CSV and
// COPY fields, read in place). The bytes take a fast path where one exists (digits, decimals, ISO dates and
// timestamps; TEXT columns keep the bytes: utf8-builder.ts) and are otherwise read as a string; strings go to the text parser (engine/text.ts parseValue), which alone words the errors.
//
// JSON values map to SQL types as follows (docs/kafka.md): numbers and strings for numeric types (a string is read
// as PostgreSQL text, so "NaN" works, and a BIGINT beyond 2^53 must be a string: as a JSON number it has already
// lost digits); booleans or text for BOOLEAN; any scalar for TEXT; any JSON for JSONB; for timestamps ISO 8601 /
// PostgreSQL text or a number of milliseconds since the Unix epoch; for DATE text or a number of days since the
// epoch; for INTERVAL text.

import { Data, makeData } from 'apache-arrow';
import { arrowTypeOf, dataFromValues, dataFromVec, int32View, writeI64 } from '../columns';
import { packBits } from '../columns/arrow';
import { fitVarchar, parseValue } from '../text';
import { UTC_ZONE, type TimeZone } from '../values/timezone';
import type { Field, SqlType, Value } from '../types';
import { normalizeJsonb } from '../values/jsonb';
import { fastDateAt, fastTimestamp, fastTimestampAt } from './fast-timestamp';
import { Utf8Builder } from './utf8-builder';
import { decimalAt, integerAt, writeInt64At } from './number-bytes';
import { integerBeyondJsonPrecision, numberOutOfRange, problemOf, wrongJsonValue, type ValueProblem } from './problems';

/** Why the value was not stored, or null when it was. */
export type SetResult = ValueProblem | null;

export interface ColumnBuilder {
  /** Row i from a JSON value (null and undefined are NULL). */
  json(i: number, v: unknown): SetResult;
  /** Row i from PostgreSQL text (null is NULL). */
  text(i: number, s: string | null): SetResult;
  /** Row i from PostgreSQL text held, as UTF-8, in bytes[start, end) (valid UTF-8: decoders check it first). */
  bytes(i: number, bytes: Buffer, start: number, end: number): SetResult;
  /** The first n rows as an Arrow column. */
  finish(n: number): Data;
}

/** Reads a number from bytes on the fast path, or NaN when the text parser must decide. */
type NumberReader = (bytes: Uint8Array, start: number, end: number) => number;

const asFloat4: NumberReader = (b, s, e) => Math.fround(decimalAt(b, s, e));

/** A builder of one column; `zone` is where a TIMESTAMPTZ text without an offset is a wall-clock time. */
export function columnBuilder(field: Field, capacity: number, zone: TimeZone = UTC_ZONE): ColumnBuilder {
  const t = field.type;
  switch (t.name) {
    case 'bool': return new BoolBuilder(t, capacity);
    case 'int2': return new SmallNumberBuilder(t, new Int16Array(capacity), -32768, 32767, true, integerAt);
    case 'int4': return new SmallNumberBuilder(t, new Int32Array(capacity), -2147483648, 2147483647, true, integerAt);
    case 'float4': return new SmallNumberBuilder(t, new Float32Array(capacity), -Infinity, Infinity, false, asFloat4);
    case 'float8': return new SmallNumberBuilder(t, new Float64Array(capacity), -Infinity, Infinity, false, decimalAt);
    case 'date': return new SmallNumberBuilder(t, new Int32Array(capacity), -2147483648, 2147483647, true, fastDateAt);
    case 'int8':
    case 'timestamp':
    case 'timestamptz': return new Int64Builder(t, capacity, zone);
    case 'text': return new Utf8Builder(t, capacity);
    case 'varchar':
    case 'jsonb':
    case 'unknown': return new StringBuilder(t, capacity);
    case 'numeric':
    case 'interval': return new ValueBuilder(t, capacity);
  }
}

/** Byte-per-row NULL flags for rows [0, n) as an Arrow validity bitmap, or undefined when none is NULL. */
function validity(nulls: Uint8Array, n: number): { nullCount: number; nullBitmap: Uint8Array | undefined } {
  let nullCount = 0;
  for (let i = 0; i < n; i++) nullCount += nulls[i];
  return { nullCount, nullBitmap: nullCount === 0 ? undefined : packBits(nulls, n, true) };
}

/**
 * Builders over a typed array and a byte of NULL flag per row. Each subclass says which JSON values it takes as they
 * are (`native`), which byte forms it reads without making a string (`fromBytes`) and how a parsed value is stored;
 * NULLs, text parsing and the wrong-type problem are shared.
 */
abstract class TypedBuilder implements ColumnBuilder {
  protected readonly nulls: Uint8Array;

  constructor(protected readonly type: SqlType, capacity: number) {
    this.nulls = new Uint8Array(capacity);
  }

  /** Stores a JSON value of the column's own kind (returning null), a problem, or undefined for other values. */
  protected abstract native(i: number, v: unknown): SetResult | undefined;
  /** Stores a value parsed from text. */
  protected abstract store(i: number, v: Value | number): void;
  /** The first n rows' values as the Arrow type's data buffer. */
  protected abstract data(n: number): ArrayBufferView;

  /** Stores the value in bytes[start, end) when it is in a form read without the text parser; says whether it did. */
  protected fromBytes(_i: number, _bytes: Buffer, _start: number, _end: number): boolean {
    return false;
  }

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
    return wrongJsonValue(this.type, v);
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
      return problemOf(e);
    }
  }

  bytes(i: number, bytes: Buffer, start: number, end: number): SetResult {
    if (this.fromBytes(i, bytes, start, end)) return this.stored(i);
    return this.text(i, bytes.toString('utf8', start, end));
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

/** int2, int4, date, float4, float8: one JavaScript number per row. */
class SmallNumberBuilder extends TypedBuilder {
  constructor(
    type: SqlType,
    private readonly values: Int16Array | Int32Array | Float32Array | Float64Array,
    private readonly min: number,
    private readonly max: number,
    private readonly integer: boolean,
    private readonly readBytes: NumberReader,
  ) {
    super(type, values.length);
  }

  protected native(i: number, v: unknown): SetResult | undefined {
    if (typeof v !== 'number') return undefined;
    if (this.integer && !Number.isInteger(v)) return wrongJsonValue(this.type, v);
    if (v < this.min || v > this.max) return numberOutOfRange(this.type, v);
    this.values[i] = v;
    return this.stored(i);
  }

  /** Out of range goes to the text parser too, for its message. */
  protected override fromBytes(i: number, bytes: Buffer, start: number, end: number): boolean {
    const v = this.readBytes(bytes, start, end);
    if (!(v >= this.min && v <= this.max)) return false;
    this.values[i] = v;
    return true;
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

  constructor(type: SqlType, capacity: number, private readonly zone: TimeZone) {
    super(type, capacity);
    this.values = new BigInt64Array(capacity);
    this.view = int32View(this.values);
    this.isTimestamp = type.name !== 'int8';
  }

  protected native(i: number, v: unknown): SetResult | undefined {
    if (typeof v !== 'number') return undefined;
    if (!Number.isFinite(v)) return wrongJsonValue(this.type, v);
    // A number for a timestamp is milliseconds since the Unix epoch, the usual Kafka convention.
    const n = this.isTimestamp ? Math.round(v * 1000) : v;
    if (!Number.isInteger(n) || Math.abs(n) >= 9223372036854775808) return wrongJsonValue(this.type, v);
    if (!this.isTimestamp && !Number.isSafeInteger(n)) return integerBeyondJsonPrecision(v);
    writeI64(this.view, i, n);
    return this.stored(i);
  }

  /** A bigint of up to 18 digits needs no BigInt (longer ones stay exact through the text parser); timestamps in the common ISO forms need no string. */
  protected override fromBytes(i: number, bytes: Buffer, start: number, end: number): boolean {
    if (!this.isTimestamp) return writeInt64At(bytes, start, end, this.view, i);
    const micros = fastTimestampAt(bytes, start, end, this.type.name === 'timestamptz', this.zone);
    if (micros !== micros) return false;
    writeI64(this.view, i, micros);
    return true;
  }

  /** Timestamps in the common ISO forms skip the general parser. */
  protected override parse(s: string): Value | number {
    if (this.isTimestamp) {
      const micros = fastTimestamp(s, this.type.name === 'timestamptz', this.zone);
      if (micros === micros) return micros;
    }
    return parseValue(s, this.type, this.zone);
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
      try {
        // JSON that JSON.parse takes and JSONB does not (a \u0000 escape) is a bad value, not a crash of the source.
        this.values[i] = normalizeJsonb(JSON.stringify(v));
      } catch (e) {
        return problemOf(e);
      }
      this.nulls[i] = 0;
      return null;
    }
    if (typeof v === 'string') return this.text(i, v);
    if (typeof v === 'number' || typeof v === 'boolean') return this.text(i, String(v));
    return wrongJsonValue(this.type, v);
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
      return problemOf(e);
    }
    this.values[i] = s;
    this.nulls[i] = 0;
    return null;
  }

  bytes(i: number, bytes: Buffer, start: number, end: number): SetResult {
    return this.text(i, bytes.toString('utf8', start, end));
  }

  finish(n: number): Data {
    const nulls = this.nulls.subarray(0, n);
    return dataFromVec({ kind: 'str', type: this.type, length: n, nulls: nulls.indexOf(1) < 0 ? null : nulls, values: this.values.slice(0, n) });
  }
}

/** NUMERIC (its exact text) and the rare types (interval): a canonical Value per row. */
class ValueBuilder implements ColumnBuilder {
  private readonly values: Value[];

  constructor(private readonly type: SqlType, capacity: number) {
    this.values = new Array<Value>(capacity).fill(null);
  }

  json(i: number, v: unknown): SetResult {
    if (typeof v === 'string') return this.text(i, v);
    if (v === null || v === undefined) return this.text(i, null);
    if (typeof v === 'number' && this.type.name === 'numeric') return this.text(i, String(v));
    return wrongJsonValue(this.type, v);
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
      return problemOf(e);
    }
  }

  bytes(i: number, bytes: Buffer, start: number, end: number): SetResult {
    return this.text(i, bytes.toString('utf8', start, end));
  }

  finish(n: number): Data {
    return dataFromValues(this.values.slice(0, n), this.type);
  }
}

// SqlType ⇄ Arrow type, and Arrow column data ⇄ Vec (the engine's working form, columns/vec.ts).
//
//   bool → Bool · int2 → Int16 · int4 → Int32 · int8 → Int64 · float4 → Float32 · float8 → Float64 ·
//   numeric → Utf8 (its canonical decimal text, exact: engine/values/decimal.ts) · text, varchar, jsonb → Utf8 ·
//   timestamp → Timestamp(µs) · timestamptz → Timestamp(µs, 'UTC') · date → DateDay ·
//   interval → IntervalMonthDayNano (months, days, nanoseconds) · unknown → Utf8 (all NULL).
//
// Each Arrow field carries its SQL type in metadata `sluice.type`, so a batch alone says whether a Utf8 column is
// text, varchar(n) or jsonb (and a numeric's precision and scale).

import { isAscii } from 'node:buffer';
import {
  Bool, Data, DataType, DateDay, Field as ArrowField, Float32, Float64, Int16, Int32, Int64, IntervalMonthDayNano,
  makeData, Schema as ArrowSchema, TimestampMicrosecond, Utf8,
} from 'apache-arrow';
import type { Field, Schema, SqlType, TypeName } from '../types';
import { REPR, type Vec } from './vec';

const ARROW_TYPE: Record<TypeName, () => DataType> = {
  bool: () => new Bool(),
  int2: () => new Int16(),
  int4: () => new Int32(),
  int8: () => new Int64(),
  float4: () => new Float32(),
  float8: () => new Float64(),
  numeric: () => new Utf8(),
  text: () => new Utf8(),
  varchar: () => new Utf8(),
  jsonb: () => new Utf8(),
  unknown: () => new Utf8(),
  timestamp: () => new TimestampMicrosecond(),
  timestamptz: () => new TimestampMicrosecond('UTC'),
  date: () => new DateDay(),
  interval: () => new IntervalMonthDayNano(),
};

export function arrowTypeOf(type: SqlType): DataType {
  return ARROW_TYPE[type.name]();
}

export const SQL_TYPE_METADATA = 'sluice.type';

export function sqlTypeTag(type: SqlType): string {
  if (type.precision !== undefined) return `${type.name}(${type.precision},${type.scale ?? 0})`;
  return type.length === undefined ? type.name : `${type.name}(${type.length})`;
}

export function arrowFieldOf(field: Field): ArrowField {
  return new ArrowField(field.name, arrowTypeOf(field.type), field.nullable,
    new Map([[SQL_TYPE_METADATA, sqlTypeTag(field.type)]]));
}

const schemaCache = new WeakMap<Schema, ArrowSchema>();

/** The Arrow schema of a plan schema (cached per schema object: plans are frozen). */
export function arrowSchemaOf(schema: Schema): ArrowSchema {
  let s = schemaCache.get(schema);
  if (s === undefined) {
    s = new ArrowSchema(schema.map(arrowFieldOf));
    schemaCache.set(schema, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Bitmaps

/** Arrow bitmap bits [offset, offset + length) as one byte per row. */
export function unpackBits(bitmap: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = offset + i;
    out[i] = (bitmap[b >> 3] >> (b & 7)) & 1;
  }
  return out;
}

export function packBits(bytes: Uint8Array, length: number, invert = false): Uint8Array {
  const out = new Uint8Array(((length + 63) & ~63) >> 3);
  const flip = invert ? 1 : 0;
  for (let i = 0; i < length; i++) if ((bytes[i] ^ flip) === 1) out[i >> 3] |= 1 << (i & 7);
  return out;
}

/** Row NULL bytes of an Arrow column (null when it has none). */
export function nullBytesOf(data: Data): Uint8Array | null {
  if (data.nullCount === 0 || data.nullBitmap === undefined || data.nullBitmap.length === 0) return null;
  const valid = unpackBits(data.nullBitmap, data.offset, data.length);
  for (let i = 0; i < valid.length; i++) valid[i] ^= 1;
  return valid;
}

// ---------------------------------------------------------------------------------------------------------------
// int64 through an Int32Array view: exact below 2^53, and no BigInt per row.

const TWO_32 = 4294967296;

export function int32View(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Row i of an int64 column as a number (hot loops; exact below 2^53). */
export function readI64(view: Int32Array, i: number): number {
  return view[2 * i + 1] * TWO_32 + (view[2 * i] >>> 0);
}

/** Writes integer n as int64 row i; beyond ±2^63 it clamps (PostgreSQL's ±infinity timestamps). */
export function writeI64(view: Int32Array, i: number, n: number): void {
  if (n >= 9223372036854775807) {
    view[2 * i] = -1;
    view[2 * i + 1] = 0x7fffffff;
  } else if (n <= -9223372036854775808) {
    view[2 * i] = 0;
    view[2 * i + 1] = -0x80000000;
  } else {
    const hi = Math.floor(n / TWO_32);
    view[2 * i] = (n - hi * TWO_32) | 0;
    view[2 * i + 1] = hi;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arrow → Vec

function decodeUtf8(data: Data, length: number): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const out = new Array<string>(length);
  if (length === 0) return out;
  const start = offsets[0];
  const end = offsets[length];
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // isAscii is native: a byte loop here took 100 ms and more over one 50 MB value, with every session waiting.
  if (isAscii(bytes.subarray(start, end))) {
    // One native decode for the whole batch; rows are cheap slices of it.
    const whole = buf.toString('latin1', start, end);
    for (let i = 0; i < length; i++) out[i] = whole.slice(offsets[i] - start, offsets[i + 1] - start);
  } else {
    for (let i = 0; i < length; i++) out[i] = buf.toString('utf8', offsets[i], offsets[i + 1]);
  }
  return out;
}

/** An Arrow column as a Vec of SQL type `type` (strings decoded once, numbers widened to float64). */
export function vecFromData(data: Data, type: SqlType): Vec {
  const n = data.length;
  const nulls = nullBytesOf(data);
  const at = data.type;
  switch (REPR[type.name]) {
    case 'bool': {
      const values = DataType.isBool(at) ? unpackBits(data.values as Uint8Array, data.offset, n) : new Uint8Array(n);
      if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) values[i] = 0;
      return { kind: 'bool', type, length: n, nulls, values };
    }
    case 'num': {
      const src = data.values as ArrayLike<number> | BigInt64Array;
      if (src instanceof Float64Array) return { kind: 'num', type, length: n, nulls, values: src.subarray(0, n) };
      const values = new Float64Array(n);
      if (src instanceof BigInt64Array) {
        const view = int32View(src);
        for (let i = 0; i < n; i++) values[i] = readI64(view, i);
        return { kind: 'num', type, length: n, nulls, values, exact: src.subarray(0, n) };
      } else if (src !== undefined) {
        for (let i = 0; i < n; i++) values[i] = (src as ArrayLike<number>)[i];
      }
      return { kind: 'num', type, length: n, nulls, values };
    }
    case 'str': {
      const values = DataType.isUtf8(at) ? decodeUtf8(data, n) : new Array<string>(n).fill('');
      return { kind: 'str', type, length: n, nulls, values };
    }
    case 'interval': {
      const months = new Int32Array(n);
      const days = new Int32Array(n);
      const micros = new Float64Array(n);
      const src = data.values as Int32Array | undefined;
      if (src !== undefined && DataType.isInterval(at)) {
        for (let i = 0; i < n; i++) {
          months[i] = src[4 * i];
          days[i] = src[4 * i + 1];
          const hi = src[4 * i + 3];
          const lo = src[4 * i + 2] >>> 0;
          micros[i] = Math.abs(hi) < 0x200000
            ? Math.round((hi * TWO_32 + lo) / 1000)
            : Number(((BigInt(hi) << 32n) + BigInt(lo)) / 1000n);
        }
      }
      return { kind: 'interval', type, length: n, nulls, months, days, micros };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Vec → Arrow

function encodeUtf8(values: readonly string[], nulls: Uint8Array | null): { offsets: Int32Array; bytes: Uint8Array } {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  // One value is its own whole: joining it would copy it once more (200 ms for a 20 MB value on a loaded machine).
  const whole = n === 1 ? (nulls?.[0] === 1 ? '' : values[0])
    : nulls === null ? values.join('') : values.map((s, i) => (nulls[i] === 1 ? '' : s)).join('');
  const byteLength = Buffer.byteLength(whole, 'utf8');
  if (byteLength === whole.length) {
    let pos = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = pos;
      if (nulls === null || nulls[i] === 0) pos += values[i].length;
    }
    offsets[n] = pos;
    return { offsets, bytes: new Uint8Array(Buffer.from(whole, 'latin1')) };
  }
  let pos = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = pos;
    if (nulls === null || nulls[i] === 0) pos += Buffer.byteLength(values[i], 'utf8');
  }
  offsets[n] = pos;
  return { offsets, bytes: new Uint8Array(Buffer.from(whole, 'utf8')) };
}

function numberArrayFor(type: SqlType, values: Float64Array, n: number): ArrayBufferView {
  switch (type.name) {
    case 'int2': return Int16Array.from(values.subarray(0, n));
    case 'int4': case 'date': return Int32Array.from(values.subarray(0, n));
    case 'float4': return Float32Array.from(values.subarray(0, n));
    case 'int8': case 'timestamp': case 'timestamptz': {
      const out = new BigInt64Array(n);
      const view = int32View(out);
      for (let i = 0; i < n; i++) writeI64(view, i, Math.trunc(values[i]));
      return out;
    }
    default: return values.length === n ? values : values.slice(0, n);
  }
}

const INT64_TYPES: ReadonlySet<string> = new Set(['int8', 'timestamp', 'timestamptz']);

/** A Vec as an Arrow column of its SQL type's Arrow type. */
export function dataFromVec(vec: Vec): Data {
  const type = arrowTypeOf(vec.type);
  const n = vec.length;
  const nullBitmap = vec.nulls === null ? undefined : packBits(vec.nulls, n, true);
  let nullCount = 0;
  if (vec.nulls !== null) for (let i = 0; i < n; i++) nullCount += vec.nulls[i];
  switch (vec.kind) {
    case 'bool':
      return makeData({ type: type as Bool, length: n, nullCount, nullBitmap, data: packBits(vec.values, n) });
    case 'num': {
      const exact = vec.exact && INT64_TYPES.has(vec.type.name) && vec.exact.length >= n;
      const data = exact ? vec.exact!.subarray(0, n) : numberArrayFor(vec.type, vec.values, n);
      return makeData({ type, length: n, nullCount, nullBitmap, data } as never);
    }
    case 'str': {
      const { offsets, bytes } = encodeUtf8(vec.values, vec.nulls);
      return makeData({ type: type as Utf8, length: n, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
    }
    case 'interval': {
      const out = new Int32Array(4 * n);
      for (let i = 0; i < n; i++) {
        out[4 * i] = vec.months[i];
        out[4 * i + 1] = vec.days[i];
        const nanos = vec.micros[i] * 1000;
        if (Math.abs(nanos) < 2 ** 53) {
          const hi = Math.floor(nanos / TWO_32);
          out[4 * i + 2] = (nanos - hi * TWO_32) | 0;
          out[4 * i + 3] = hi;
        } else {
          const big = BigInt(Math.trunc(vec.micros[i])) * 1000n;
          out[4 * i + 2] = Number(BigInt.asIntN(32, big));
          out[4 * i + 3] = Number(BigInt.asIntN(32, big >> 32n));
        }
      }
      return makeData({ type: type as IntervalMonthDayNano, length: n, nullCount, nullBitmap, data: out });
    }
  }
}

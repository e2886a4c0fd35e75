// Values in PostgreSQL's binary format (the typsend / typreceive functions), from and to the canonical values of
// engine/types.ts. Timestamps and dates count from 2000-01-01 on the wire and from 1970-01-01 in Sluice.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Interval, TypeName, Value } from '../../engine/types';
import { decodeNumericText, encodeNumericText } from './numeric-binary';
import { canonicalNumeric, numericText as engineNumericText } from '../../engine/values/decimal';

/** Microseconds and days between 1970-01-01 and 2000-01-01. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const PG_EPOCH_DAYS = 10_957;

function asNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`binary encoding: expected a number, got ${typeof v}`);
}

function asBigInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new Error(`binary encoding: expected an integer, got ${typeof v}`);
}

function asInterval(v: Value): Interval {
  if (typeof v === 'object' && v !== null) return v;
  throw new Error(`binary encoding: expected an interval, got ${typeof v}`);
}

function fixed(size: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.allocUnsafe(size);
  write(b);
  return b;
}

function numericText(v: Value): string {
  if (typeof v === 'string') return /^-?\d+(\.\d*)?$|^NaN$|^-?Infinity$/.test(v) ? v : canonicalNumeric(v);
  if (v === null || typeof v === 'boolean') throw new Error('expected a numeric value');
  return engineNumericText(v);
}

const utf8 = (v: Value): Buffer => Buffer.from(String(v), 'utf8');

/**
 * Encoders take the canonical value of their type (never null). A `string` for a non-text type (already
 * PostgreSQL text) is parsed by the caller before it gets here, except numeric, which takes its decimal text as is.
 */
export const BINARY_ENCODERS: Record<TypeName, (v: Exclude<Value, null>) => Buffer> = {
  bool: (v) => Buffer.from([v ? 1 : 0]),
  int2: (v) => fixed(2, (b) => b.writeInt16BE(asNumber(v))),
  int4: (v) => fixed(4, (b) => b.writeInt32BE(asNumber(v))),
  int8: (v) => fixed(8, (b) => b.writeBigInt64BE(asBigInt(v))),
  float4: (v) => fixed(4, (b) => b.writeFloatBE(asNumber(v))),
  float8: (v) => fixed(8, (b) => b.writeDoubleBE(asNumber(v))),
  numeric: (v) => encodeNumericText(numericText(v)),
  text: utf8,
  varchar: utf8,
  timestamp: (v) => fixed(8, (b) => b.writeBigInt64BE(asBigInt(v) - PG_EPOCH_MICROS)),
  timestamptz: (v) => fixed(8, (b) => b.writeBigInt64BE(asBigInt(v) - PG_EPOCH_MICROS)),
  date: (v) => fixed(4, (b) => b.writeInt32BE(asNumber(v) - PG_EPOCH_DAYS)),
  interval: (v) => {
    const iv = asInterval(v);
    return fixed(16, (b) => {
      b.writeBigInt64BE(BigInt(iv.micros), 0);
      b.writeInt32BE(iv.days, 8);
      b.writeInt32BE(iv.months, 12);
    });
  },
  // jsonb_send: a version byte (1), then the JSON text.
  jsonb: (v) => Buffer.concat([Buffer.from([1]), utf8(v)]),
  unknown: utf8,
};

function exactly(n: number, b: Buffer): Buffer {
  if (b.length !== n) {
    throw new SqlError(SQLSTATE.invalid_binary_representation, 'insufficient data left in message', {
      detail: `expected ${n} bytes, got ${b.length}`,
    });
  }
  return b;
}

function utf8Text(b: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

export const BINARY_DECODERS: Record<TypeName, (b: Buffer) => Value> = {
  bool: (b) => exactly(1, b)[0] !== 0,
  int2: (b) => exactly(2, b).readInt16BE(0),
  int4: (b) => exactly(4, b).readInt32BE(0),
  int8: (b) => exactly(8, b).readBigInt64BE(0),
  float4: (b) => exactly(4, b).readFloatBE(0),
  float8: (b) => exactly(8, b).readDoubleBE(0),
  numeric: (b) => decodeNumericText(b),
  text: utf8Text,
  varchar: utf8Text,
  timestamp: (b) => exactly(8, b).readBigInt64BE(0) + PG_EPOCH_MICROS,
  timestamptz: (b) => exactly(8, b).readBigInt64BE(0) + PG_EPOCH_MICROS,
  date: (b) => exactly(4, b).readInt32BE(0) + PG_EPOCH_DAYS,
  interval: (b) => {
    exactly(16, b);
    const micros = b.readBigInt64BE(0);
    return { micros: Number(micros), days: b.readInt32BE(8), months: b.readInt32BE(12) };
  },
  jsonb: (b) => {
    if (b.length < 1 || b[0] !== 1) {
      throw new SqlError(SQLSTATE.invalid_binary_representation, `unsupported jsonb version number ${b[0] ?? 'none'}`);
    }
    return utf8Text(b.subarray(1));
  },
  unknown: utf8Text,
};

// Values as PostgreSQL text: what the server sends in text format, what INSERT / COPY literals and casts from text
// read. The formats are PostgreSQL's with DateStyle ISO and IntervalStyle postgres; a timestamptz prints, and a text
// without an offset reads, in the session's zone (UTC when none is given: continuous queries, sinks, the catalog).

import { SqlError, SQLSTATE } from './errors';
import type { Interval, SqlType, TypeName, Value } from './types';
import { typeDisplayName } from './types';
import { formatDate, formatTimestamp, formatTimestamptz, parseDate, parseTimestamp } from './values/datetime';
import { UTC_ZONE, type TimeZone } from './values/timezone';
import { formatInterval, parseInterval } from './values/interval';
import { normalizeJsonb } from './values/jsonb';
import {
  formatFloat4, formatFloat8, parseBigInt, parseBool, parseFloat4, parseFloat8, parseInteger, parseSmallInt,
} from './values/numbers';
import { canonicalNumeric, fitNumeric, numericText } from './values/decimal';

export { parseInterval, formatInterval, intervalMicros, parseIntervalMicros } from './values/interval';
export { parseTimestamp, formatTimestamp, parseDate, formatDate } from './values/datetime';
export { normalizeJsonb } from './values/jsonb';

function isInterval(v: Value): v is Interval {
  return typeof v === 'object' && v !== null;
}

function asBigInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  throw new Error(`expected an integer value, got ${typeof v}`);
}

function asNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`expected a numeric value, got ${typeof v}`);
}

const FORMATTERS: Record<TypeName, (v: Exclude<Value, null | string>, zone: TimeZone) => string> = {
  bool: (v) => (v ? 't' : 'f'),
  int2: (v) => String(asNumber(v)),
  int4: (v) => String(asNumber(v)),
  int8: (v) => asBigInt(v).toString(),
  float4: (v) => formatFloat4(asNumber(v)),
  float8: (v) => formatFloat8(asNumber(v)),
  numeric: (v) => numericText(v),
  text: (v) => String(v),
  varchar: (v) => String(v),
  timestamp: (v) => formatTimestamp(asBigInt(v), false),
  timestamptz: (v, zone) => formatTimestamptz(asBigInt(v), zone),
  date: (v) => formatDate(asNumber(v)),
  interval: (v) => {
    if (!isInterval(v)) throw new Error('expected an interval value');
    return formatInterval(v);
  },
  jsonb: (v) => String(v),
  unknown: (v) => String(v),
};

/**
 * PostgreSQL's text output of a value. NULL has no text form (the protocol sends it as a null field): callers
 * check for null first; here it throws. A string for a non-text type is already formatted and passes through.
 */
export function formatValue(value: Value, type: SqlType, zone: TimeZone = UTC_ZONE): string {
  if (value === null) throw new Error('formatValue: NULL has no text representation');
  if (typeof value === 'string') return value;
  return FORMATTERS[type.name](value, zone);
}

/** Code points, as varchar(n) counts them. */
function charLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** The first `n` code points of `s`. */
export function takeChars(s: string, n: number): string {
  let i = 0;
  let count = 0;
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    count++;
  }
  return s.slice(0, i);
}

/**
 * varchar(n) on assignment (INSERT, COPY): too long is an error 22001 unless only spaces are cut; on an explicit
 * cast (`explicit`), PostgreSQL truncates silently.
 */
export function fitVarchar(s: string, type: SqlType, explicit: boolean): string {
  if (type.length === undefined || charLength(s) <= type.length) return s;
  const cut = takeChars(s, type.length);
  if (explicit || /^ *$/.test(s.slice(cut.length))) return cut;
  throw new SqlError(SQLSTATE.string_data_right_truncation, `value too long for type ${typeDisplayName(type)}`);
}

const PARSERS: Record<TypeName, (text: string, type: SqlType, zone: TimeZone) => Value> = {
  bool: (t) => parseBool(t),
  int2: (t) => parseSmallInt(t),
  int4: (t) => parseInteger(t),
  int8: (t) => parseBigInt(t),
  float4: (t) => parseFloat4(t),
  float8: (t) => parseFloat8(t),
  numeric: (t, type) => fitNumeric(canonicalNumeric(t), type),
  text: (t) => t,
  varchar: (t, type) => fitVarchar(t, type, false),
  timestamp: (t, _type, zone) => parseTimestamp(t, false, zone),
  timestamptz: (t, _type, zone) => parseTimestamp(t, true, zone),
  date: (t, _type, zone) => parseDate(t, zone),
  interval: (t) => parseInterval(t),
  jsonb: (t) => normalizeJsonb(t),
  unknown: (t) => t,
};

/**
 * Reads a value from PostgreSQL text, as INSERT and COPY literals and `'...'::type` do. Throws SqlError: 22P02 for
 * bad syntax (22007 for dates, timestamps and intervals, as PostgreSQL), 22003 out of range, 22008 bad date field,
 * 22001 too long for varchar(n). `zone` is the session's: a timestamptz without an offset is a wall-clock time there.
 */
export function parseValue(text: string, type: SqlType, zone: TimeZone = UTC_ZONE): Value {
  return PARSERS[type.name](text, type, zone);
}

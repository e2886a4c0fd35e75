// Hash-map keys for values and rows. A single numeric value is its own key (small, fast Maps); text is itself;
// several columns join into one string with a separator that cannot occur unescaped inside a part. An int8 beyond
// ±2^53, which no double holds exactly, is keyed by its decimal digits instead.

import { REPR, type Vec } from '../columns/vec';
import { compareNumbers, compareStrings } from '../expr/kernels/compare';
import { int64At, isWide } from '../expr/kernels/integer';
import type { Interval, SqlType, Value } from '../types';
import { MICROS_PER_DAY } from '../values/datetime';
import { compareNumericText } from '../values/decimal';
import type { ByteReader, ByteWriter } from './codec';

export type Key = number | string;

/** A key as state bytes: 0 and a float64, or 1 and a string. */
export function writeKey(w: ByteWriter, key: Key): ByteWriter {
  return typeof key === 'number' ? w.u8(0).f64(key) : w.u8(1).str(key);
}

export function readKey(r: ByteReader): Key {
  return r.u8() === 0 ? r.f64() : r.str();
}

/** One column's values as Map keys, and back. */
export interface KeyCodec {
  key(v: Vec, i: number): Key;
  value(k: Key): Value;
  /** The key of a (non-NULL) canonical value: the inverse of `value`. */
  keyOf(v: Value): Key;
  compare(a: Key, b: Key): number;
}

const NUM: KeyCodec = {
  key: (v, i) => (v as Extract<Vec, { kind: 'num' }>).values[i] + 0,
  value: (k) => k as number,
  keyOf: (v) => Number(v) + 0,
  compare: (a, b) => compareNumbers(a as number, b as number),
};

const int8KeyOf = (x: bigint): Key => (isWide(Number(x)) ? String(x) : Number(x));

/** int8: a number while the double is exact, else the digits (the same text a joined row key prints either way). */
const INT8: KeyCodec = {
  key: (v, i) => {
    const num = v as Extract<Vec, { kind: 'num' }>;
    const x = num.values[i];
    return isWide(x) ? String(int64At(num, i)) : x + 0;
  },
  value: (k) => (typeof k === 'string' ? BigInt(k) : k),
  keyOf: (v) => (typeof v === 'bigint' ? int8KeyOf(v) : isWide(Number(v)) ? int8KeyOf(BigInt(v as number)) : Number(v) + 0),
  compare: (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

const STR: KeyCodec = {
  key: (v, i) => (v as Extract<Vec, { kind: 'str' }>).values[i],
  value: (k) => k as string,
  keyOf: (v) => String(v),
  compare: (a, b) => compareStrings(a as string, b as string),
};

/**
 * NUMERIC as it is shown: its canonical text, scale kept, ordered by value. For min and max, which print the value
 * they keep.
 */
const NUMERIC_TEXT: KeyCodec = { ...STR, compare: (a, b) => compareNumericText(a as string, b as string) };

/**
 * NUMERIC as a key: equal values of different scales (1.0, 1.00, 1) are one key, as they are one group, one DISTINCT
 * value and one join match in PostgreSQL; the key is the text without trailing fractional zeros. What a group shows
 * is kept apart from its key (engine/state/group-keys.ts), so it stays the first value seen, as in PostgreSQL.
 */
const NUMERIC: KeyCodec = {
  key: (v, i) => numericKey((v as Extract<Vec, { kind: 'str' }>).values[i]),
  value: (k) => k as string,
  keyOf: (v) => numericKey(String(v)),
  compare: NUMERIC_TEXT.compare,
};

const BOOL: KeyCodec = {
  key: (v, i) => (v as Extract<Vec, { kind: 'bool' }>).values[i],
  value: (k) => k === 1,
  keyOf: (v) => (v === true ? 1 : 0),
  compare: (a, b) => (a as number) - (b as number),
};

function parseIntervalKey(k: Key): Interval {
  const [months, days, micros] = String(k).split(',').map(Number);
  return { months, days, micros };
}

const intervalLength = (iv: Interval): number => (iv.months * 30 + iv.days) * MICROS_PER_DAY + iv.micros;

const INTERVAL: KeyCodec = {
  key: (v, i) => {
    const x = v as Extract<Vec, { kind: 'interval' }>;
    return `${x.months[i]},${x.days[i]},${x.micros[i]}`;
  },
  value: parseIntervalKey,
  keyOf: (v) => {
    const iv = v as Interval;
    return `${iv.months},${iv.days},${iv.micros}`;
  },
  compare: (a, b) => compareNumbers(intervalLength(parseIntervalKey(a)), intervalLength(parseIntervalKey(b))),
};

/** The key of a NUMERIC's canonical text: its value at the smallest scale that holds it. */
export function numericKey(text: string): string {
  if (text.indexOf('.') < 0) return text;
  return text.replace(/\.?0+$/, '');
}

/**
 * REAL and DOUBLE PRECISION as shown: -0 (which a Map takes for 0, and which prints `-0`) is the key '-0'; compared
 * by value, so -0 and 0 are equal.
 */
const FLOAT_EXACT: KeyCodec = {
  key: (v, i) => floatExactKey((v as Extract<Vec, { kind: 'num' }>).values[i]),
  value: (k) => (k === '-0' ? -0 : k as number),
  keyOf: (v) => floatExactKey(Number(v)),
  compare: (a, b) => compareNumbers(Number(a), Number(b)),
};

function floatExactKey(x: number): Key {
  return x === 0 && 1 / x < 0 ? '-0' : x;
}

/**
 * Keys that tell apart every value as it is shown (NUMERIC 1.0 and 1.00 are two, and so are -0 and 0): for min and
 * max, which print the value they keep, and for rows kept as they are (a join's stored rows, a pull's consolidated
 * changes).
 */
export function exactCodecFor(type: SqlType): KeyCodec {
  if (type.name === 'numeric') return NUMERIC_TEXT;
  if (type.name === 'float4' || type.name === 'float8') return FLOAT_EXACT;
  return keyCodecFor(type);
}

export function keyCodecFor(type: SqlType): KeyCodec {
  if (type.name === 'int8') return INT8;
  if (type.name === 'numeric') return NUMERIC;
  switch (REPR[type.name]) {
    case 'num': return NUM;
    case 'str': return STR;
    case 'bool': return BOOL;
    case 'interval': return INTERVAL;
  }
}

const SEP = '\u0001';
const ESC = '\u0002';
const NULL_PART = ESC + 'N';

function escapePart(s: string): string {
  return s.indexOf(SEP) < 0 && s.indexOf(ESC) < 0 ? s : s.replace(/[\u0001\u0002]/g, (c) => ESC + c);
}

/** Builds keys for rows of several columns (a group key, a DISTINCT row, a join key). */
export class RowKeyer {
  private readonly codecs: KeyCodec[];

  /** `codecFor`: equal values are one key (groups, DISTINCT, join keys), or with exactCodecFor, each shown value. */
  constructor(types: readonly SqlType[], codecFor: (type: SqlType) => KeyCodec = keyCodecFor) {
    this.codecs = types.map(codecFor);
  }

  /** The key of row i of `cols`: the bare value for one non-NULL column, else a joined string. */
  key(cols: readonly Vec[], i: number): Key {
    if (cols.length === 1) {
      const v = cols[0];
      if (v.nulls !== null && v.nulls[i] === 1) return NULL_PART;
      const k = this.codecs[0].key(v, i);
      // A text value that looks like the NULL marker is escaped.
      return typeof k === 'string' && k.startsWith(ESC) ? ESC + k : k;
    }
    let s = '';
    for (let c = 0; c < cols.length; c++) {
      const v = cols[c];
      if (c > 0) s += SEP;
      if (v.nulls !== null && v.nulls[i] === 1) s += NULL_PART;
      else {
        const k = this.codecs[c].key(v, i);
        s += typeof k === 'number' ? String(k) : escapePart(k);
      }
    }
    return s;
  }

  /** The key `key` gives a row holding these (canonical) values. */
  keyOfValues(values: readonly Value[]): Key {
    if (values.length === 1) {
      const v = values[0];
      if (v === null) return NULL_PART;
      const k = this.codecs[0].keyOf(v);
      return typeof k === 'string' && k.startsWith(ESC) ? ESC + k : k;
    }
    let s = '';
    for (let c = 0; c < values.length; c++) {
      const v = values[c];
      if (c > 0) s += SEP;
      if (v === null) s += NULL_PART;
      else {
        const k = this.codecs[c].keyOf(v);
        s += typeof k === 'number' ? String(k) : escapePart(k);
      }
    }
    return s;
  }
}

/** True when any of the columns is NULL at row i (an equi-join key with a NULL matches nothing). */
export function anyNullAt(cols: readonly Vec[], i: number): boolean {
  for (const v of cols) if (v.nulls !== null && v.nulls[i] === 1) return true;
  return false;
}

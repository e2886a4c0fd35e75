// CAST between every pair of types PostgreSQL allows: text to anything reads it (engine/text.ts), anything to text
// prints it, numbers convert with PostgreSQL's rounding and range checks, timestamps / dates / booleans as PG does.

import { SqlError, SQLSTATE } from '../errors';
import { isNullAt, REPR, valueAt, vecFromValues, type NumVec, type Vec } from '../columns/vec';
import { fitVarchar, formatValue, parseValue } from '../text';
import type { SqlType, TypeName, Value } from '../types';
import { hasModifier, sameType, typeDisplayName } from '../types';
import { MICROS_PER_DAY } from '../values/datetime';
import { parseJson } from '../values/jsonb';
import { isFiniteTimestamp, TS_NEG_INF, TS_POS_INF } from '../values/temporal';
import { canonicalNumeric, decimalFromFloat, decimalToBigInt, fitNumeric, parseDecimal } from '../values/decimal';
import { INT8_MAX, INT8_MIN, parseFloat4, parseFloat8 } from '../values/numbers';
import { localFromUtc, utcFromLocal, type TimeZone } from '../values/timezone';
import { rint, roundHalfAway } from './kernels/math';
import { asBool, asNum, asStr, boolVec, bug, checkRange, numVec, outOfRange, strVec, underflow } from './vecs';

/** A cast of a column; `zone` is the session's, where a timestamptz meets wall-clock times (text, timestamp, date). */
export type CastFn = (v: Vec, zone: TimeZone) => Vec;

const isText = (t: TypeName): boolean => t === 'text' || t === 'varchar' || t === 'unknown';
const isInt = (t: TypeName): boolean => t === 'int2' || t === 'int4' || t === 'int8';

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(SQLSTATE.datatype_mismatch,
    `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`);
}

/** Row by row through canonical Values (the slow, general path for text conversions). */
function viaValues(to: SqlType, f: (v: Value, zone: TimeZone) => Value): CastFn {
  return (v, zone) => {
    const out = new Array<Value>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = valueAt(v, i);
      out[i] = x === null ? null : f(x, zone);
    }
    return vecFromValues(out, to);
  };
}

function numberToNumber(from: SqlType, to: SqlType): CastFn {
  const f = from.name;
  const t = to.name;
  const round = f === 'float4' || f === 'float8' ? rint : f === 'numeric' ? (x: number) => roundHalfAway(x) : null;
  // A timestamptz meets a wall-clock time (timestamp, date) in the session's zone.
  const toWallClock = f === 'timestamptz' && (t === 'timestamp' || t === 'date');
  const fromWallClock = t === 'timestamptz' && (f === 'timestamp' || f === 'date');
  return (v, zone) => {
    const src = asNum(v).values;
    const n = v.length;
    const out = new Float64Array(n);
    if (f === 'date' && (t === 'timestamp' || t === 'timestamptz')) {
      for (let i = 0; i < n; i++) {
        const d = src[i];
        out[i] = d >= 0x7fffffff ? TS_POS_INF : d <= -0x80000000 ? TS_NEG_INF
          : fromWallClock ? utcFromLocal(zone, d * MICROS_PER_DAY) : d * MICROS_PER_DAY;
      }
    } else if ((f === 'timestamp' || f === 'timestamptz') && t === 'date') {
      for (let i = 0; i < n; i++) {
        const us = src[i];
        if (!isFiniteTimestamp(us)) out[i] = us > 0 ? 0x7fffffff : -0x80000000;
        else out[i] = Math.floor((toWallClock ? localFromUtc(zone, us) : us) / MICROS_PER_DAY);
      }
    } else if (toWallClock || fromWallClock) {
      for (let i = 0; i < n; i++) {
        const us = src[i];
        out[i] = !isFiniteTimestamp(us) ? us : toWallClock ? localFromUtc(zone, us) : utcFromLocal(zone, us);
      }
    } else if (isInt(t) && round !== null) {
      for (let i = 0; i < n; i++) out[i] = round(src[i]) + 0;
    } else if (t === 'float4') {
      for (let i = 0; i < n; i++) {
        out[i] = Math.fround(src[i]);
        if (v.nulls !== null && v.nulls[i] === 1) continue;
        if (!Number.isFinite(out[i]) && Number.isFinite(src[i])) throw outOfRange(to);
        if (out[i] === 0 && src[i] !== 0) throw underflow();
      }
    } else {
      out.set(src.subarray(0, n));
    }
    if (isInt(t)) {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(out[i]) && !(v.nulls !== null && v.nulls[i] === 1)) throw outOfRange(to);
      }
      checkRange(to, out, v.nulls);
    }
    return numVec(to, out, v.nulls);
  };
}

/** int → numeric exactly; float8 → numeric through 15 significant digits and float4 through 6, as PostgreSQL. */
function numberToNumeric(from: SqlType, to: SqlType): CastFn {
  const digits = from.name === 'float4' ? 6 : 15;
  const exactInt = isInt(from.name);
  return (v) => {
    const src = asNum(v);
    const out = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (isNullAt(v, i)) out[i] = '';
      else if (src.exact !== undefined) out[i] = src.exact[i].toString();
      else out[i] = fitNumeric(exactInt ? String(src.values[i]) : decimalFromFloat(src.values[i], digits), to);
    }
    return strVec(to, out, v.nulls);
  };
}

/** numeric → numeric(p, s): each value rounded to the scale, 22003 past the precision. */
function numericToNumeric(to: SqlType): CastFn {
  return (v) => {
    const src = asStr(v).values;
    const out = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = isNullAt(v, i) ? '' : fitNumeric(src[i], to);
    return strVec(to, out, v.nulls);
  };
}

/** numeric → int (rounded half away from zero, 22003 out of range) or float (nearest double). */
function numericToNumber(to: SqlType): CastFn {
  const toInt = isInt(to.name);
  return (v) => {
    const src = asStr(v).values;
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (isNullAt(v, i)) continue;
      if (!toInt) {
        // PostgreSQL reads the numeric's text with float8in / float4in, whose errors name that text.
        out[i] = to.name === 'float4' ? parseFloat4(src[i]) : parseFloat8(src[i]);
        continue;
      }
      const r = decimalToBigInt(parseDecimal(src[i]));
      if (r === null) throw new SqlError(SQLSTATE.feature_not_supported, `cannot convert ${src[i]} to ${typeDisplayName(to)}`);
      if (r > INT8_MAX || r < INT8_MIN) throw outOfRange(to);
      out[i] = Number(r);
    }
    checkRange(to, out, v.nulls);
    return numVec(to, out, v.nulls);
  };
}

/** A jsonb scalar as a number or boolean (PostgreSQL 11+ casts), else 22023 naming the JSON type. */
function jsonbTo(to: SqlType): CastFn {
  return viaValues(to, (x) => {
    const j = parseJson(String(x));
    const kind = j.kind === 'object' ? 'object' : j.kind === 'array' ? 'array' : j.kind;
    if (to.name === 'bool' && j.kind === 'bool') return j.value;
    if (to.name === 'numeric' && j.kind === 'number') return fitNumeric(canonicalNumeric(j.text), to);
    if (REPR[to.name] === 'num' && j.kind === 'number' && to.name !== 'date' && to.name !== 'timestamp' && to.name !== 'timestamptz') {
      return parseValue(isInt(to.name) ? String(roundHalfAway(Number(j.text))) : j.text, to);
    }
    throw new SqlError(SQLSTATE.invalid_parameter_value, `cannot cast jsonb ${kind} to type ${typeDisplayName(to)}`);
  });
}

/** The cast function from `from` to `to`; throws 42804 at compile time for a pair PostgreSQL does not cast. */
export function compileCast(from: SqlType, to: SqlType): CastFn {
  const f = from.name;
  const t = to.name;
  if (f === t && (!hasModifier(to) || sameType(from, to))) {
    return (v) => (v.type === to ? v : ({ ...v, type: to } as Vec));
  }
  if (f === 'numeric' && t === 'numeric') return numericToNumeric(to);
  // To text: print it (booleans print 'true' / 'false' in a cast, unlike their output function's 't' / 'f').
  if (isText(t) || (t === 'jsonb' && !isText(f))) {
    if (t === 'jsonb') throw cannotCast(from, to);
    if (REPR[f] === 'str' && f !== 'jsonb') {
      return (v) => {
        const s = asStr(v);
        const values = to.name === 'varchar' && to.length !== undefined ? s.values.map((x) => fitVarchar(x, to, true)) : s.values;
        return strVec(to, values, v.nulls);
      };
    }
    return viaValues(to, (x, zone) => {
      const text = typeof x === 'boolean' ? (x ? 'true' : 'false') : formatValue(x, from, zone);
      return t === 'varchar' ? fitVarchar(text, to, true) : text;
    });
  }
  // From text: read it.
  if (isText(f)) {
    return viaValues(to, (x, zone) => (t === 'varchar' ? fitVarchar(String(x), to, true) : parseValue(String(x), to, zone)));
  }
  if (f === 'jsonb') return jsonbTo(to);
  if (t === 'numeric' && (isInt(f) || f === 'float4' || f === 'float8')) return numberToNumeric(from, to);
  if (f === 'numeric' && (isInt(t) || t === 'float4' || t === 'float8')) return numericToNumber(to);
  if (REPR[f] === 'num' && REPR[t] === 'num') {
    const temporal = (n: TypeName): boolean => n === 'date' || n === 'timestamp' || n === 'timestamptz';
    if (temporal(f) !== temporal(t)) throw cannotCast(from, to);
    return numberToNumber(from, to);
  }
  if (f === 'bool' && (t === 'int4' || t === 'int2' || t === 'int8')) {
    return (v) => numVec(to, Float64Array.from(asBool(v).values), v.nulls);
  }
  if (isInt(f) && t === 'bool') {
    return (v) => {
      const src = (v as NumVec).values;
      const out = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
      if (v.nulls !== null) for (let i = 0; i < v.length; i++) if (v.nulls[i] === 1) out[i] = 0;
      return boolVec(to, out, v.nulls);
    };
  }
  if (t === 'unknown') throw bug('cast to unknown');
  throw cannotCast(from, to);
}

// DATE_TRUNC, DATE_PART, EXTRACT, AT TIME ZONE, NOW, TO_TIMESTAMP.

import { SqlError, SQLSTATE } from '../../errors';
import { compactNulls, constantVec, unionNulls, type Vec } from '../../columns/vec';
import { MICROS_PER_DAY, MICROS_PER_SECOND } from '../../values/datetime';
import {
  intervalPart, isFiniteTimestamp, timestampPart, truncateTimestamp, truncUnit, TS_NEG_INF, TS_POS_INF,
} from '../../values/temporal';
import { checkExtractField, extractDate, extractInterval, extractTimestamp } from '../../values/extract';
import { localFromUtc, utcFromLocal, zoneFromInterval, zoneFromText, type TimeZone } from '../../values/timezone';
import { formatInterval } from '../../values/interval';
import { literalText, type Kernel, type KernelSpec } from '../kernel';
import { asInterval, asNum, asStr, bug, numVec, strVec } from '../vecs';
import { typeDisplayName } from '../../types';

/**
 * date_trunc(field, timestamp). A timestamptz truncates its wall-clock time in the session's zone, as PostgreSQL's
 * timestamptz_trunc: to a day or more the result takes the zone's offset at the truncated time; to an hour or less
 * it keeps the value's own offset (so truncating inside a repeated hour stays in that hour).
 */
export function dateTruncKernel(spec: KernelSpec): Kernel {
  const typeName = typeDisplayName(spec.argTypes[1]);
  const withZone = spec.argTypes[1].name === 'timestamptz';
  const constant = literalText(spec, 0);
  const constUnit = constant === null ? null : truncUnit(constant, typeName);
  return (args, n, ctx) => {
    const fields = asStr(args[0]).values;
    const ts = asNum(args[1]).values;
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const unit = constUnit ?? truncUnit(fields[i], typeName);
      const x = ts[i];
      if (!withZone || !isFiniteTimestamp(x)) {
        out[i] = truncateTimestamp(unit, x);
        continue;
      }
      const offset = ctx.zone.offsetAt(x) * MICROS_PER_SECOND;
      const local = truncateTimestamp(unit, x + offset);
      out[i] = REZONED_UNITS.has(unit) ? utcFromLocal(ctx.zone, local) : local - offset;
    }
    return numVec(spec.type, out, nulls);
  };
}

/** Units whose truncated time takes the zone's offset there (PostgreSQL's `redotz`). */
const REZONED_UNITS: ReadonlySet<string> = new Set(['day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium']);

/**
 * The fields of a timestamptz are those of its wall-clock time in the session's zone; EPOCH is the instant's, and
 * the TIMEZONE fields give the zone's offset there.
 */
function zonedPart<T>(field: string, us: number, zone: TimeZone, part: (localMicros: number) => T,
  zoneField: (offsetSeconds: number) => T): T {
  if (!isFiniteTimestamp(us) || field === 'epoch') return part(us);
  const offset = zone.offsetAt(us);
  if (field === 'timezone' || field === 'timezone_hour' || field === 'timezone_minute') return zoneField(offset);
  return part(us + offset * MICROS_PER_SECOND);
}

function zoneFieldValue(field: string, offsetSeconds: number): number {
  if (field === 'timezone_hour') return Math.trunc(offsetSeconds / 3600);
  if (field === 'timezone_minute') return Math.trunc((offsetSeconds % 3600) / 60);
  return offsetSeconds;
}

/** date_part(field, value) over timestamps, dates (as their midnight) and intervals; float8 result. */
export function datePartKernel(spec: KernelSpec): Kernel {
  const argType = spec.argTypes[1];
  const typeName = typeDisplayName(argType);
  const withZone = argType.name === 'timestamptz';
  return (args, n, ctx) => {
    const fields = asStr(args[0]).values;
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Float64Array(n);
    if (argType.name === 'interval') {
      const iv = asInterval(args[1]);
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        out[i] = intervalPart(fields[i], { months: iv.months[i], days: iv.days[i], micros: iv.micros[i] });
      }
    } else {
      const v = asNum(args[1]).values;
      const scale = argType.name === 'date' ? MICROS_PER_DAY : 1;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        const us = argType.name === 'date' && (v[i] >= 0x7fffffff || v[i] <= -0x80000000)
          ? (v[i] > 0 ? TS_POS_INF : TS_NEG_INF) : v[i] * scale;
        const field = fields[i].trim().toLowerCase();
        out[i] = withZone
          ? zonedPart(field, us, ctx.zone, (local) => timestampPart(field, local, typeName), (o) => zoneFieldValue(field, o))
          : timestampPart(field, us, typeName);
      }
    }
    return numVec(spec.type, out, nulls);
  };
}

/** EXTRACT(field FROM value): NUMERIC text, NULL where PostgreSQL answers NULL (most fields of an infinity). */
export function extractKernel(spec: KernelSpec): Kernel {
  const argType = spec.argTypes[1];
  const typeName = typeDisplayName(argType);
  const field = literalText(spec, 0);
  if (field === null) throw bug('EXTRACT without a constant field');
  const kind = argType.name;
  if (kind !== 'timestamp' && kind !== 'timestamptz' && kind !== 'date' && kind !== 'interval') throw bug(`EXTRACT from ${typeName}`);
  checkExtractField(field, typeName, kind);
  const part = (v: Vec, i: number, zone: TimeZone): string | null => {
    if (kind === 'interval') {
      const iv = asInterval(v);
      return extractInterval(field, { months: iv.months[i], days: iv.days[i], micros: iv.micros[i] });
    }
    const x = asNum(v).values[i];
    if (kind === 'date') return extractDate(field, x);
    if (kind === 'timestamp') return extractTimestamp(field, x, typeName);
    return zonedPart(field, x, zone, (local) => extractTimestamp(field, local, typeName),
      (o) => String(zoneFieldValue(field, o)));
  };
  return (args, n, ctx) => {
    const inNulls = unionNulls(n, args[0], args[1]);
    const nulls = new Uint8Array(n);
    const out = new Array<string>(n).fill('');
    for (let i = 0; i < n; i++) {
      const r = inNulls !== null && inNulls[i] === 1 ? null : part(args[1], i, ctx.zone);
      if (r === null) nulls[i] = 1;
      else out[i] = r;
    }
    return strVec(spec.type, out, compactNulls(nulls));
  };
}

/**
 * timezone(zone, value), i.e. value AT TIME ZONE zone: a timestamptz becomes the wall-clock time in the zone, a
 * timestamp (a wall-clock time there) the instant it names. A constant zone is resolved once.
 */
export function timeZoneKernel(spec: KernelSpec): Kernel {
  const byInterval = spec.argTypes[0].name === 'interval';
  const toLocal = spec.argTypes[1].name === 'timestamptz';
  const constant = literalText(spec, 0);
  const constZone = constant === null || byInterval ? null : zoneFromText(constant);
  const zoneAt = (v: Vec, i: number): TimeZone => {
    if (!byInterval) return zoneFromText(asStr(v).values[i]);
    const iv = asInterval(v);
    const interval = { months: iv.months[i], days: iv.days[i], micros: iv.micros[i] };
    return zoneFromInterval(interval, () => formatInterval(interval));
  };
  return (args, n) => {
    const ts = asNum(args[1]).values;
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const zone = constZone ?? zoneAt(args[0], i);
      const x = ts[i];
      if (x >= TS_POS_INF || x <= TS_NEG_INF) out[i] = x;
      else out[i] = toLocal ? localFromUtc(zone, x) : utcFromLocal(zone, x);
    }
    return numVec(spec.type, out, nulls);
  };
}

export function nowKernel(spec: KernelSpec): Kernel {
  return (_args, n, ctx) => constantVec(ctx.nowMicros, spec.type, n);
}

/** to_timestamp(seconds since the epoch) → timestamptz. */
export function toTimestampKernel(spec: KernelSpec): Kernel {
  if (spec.argTypes.length !== 1) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'to_timestamp(text, format) is not supported; use a cast');
  }
  return (args, n) => {
    const a = asNum(args[0]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = a.values[i];
      if (x === Infinity) out[i] = TS_POS_INF;
      else if (x === -Infinity) out[i] = TS_NEG_INF;
      else if (x !== x) {
        if (a.nulls === null || a.nulls[i] === 0) {
          throw new SqlError(SQLSTATE.datetime_field_overflow, 'timestamp cannot be NaN');
        }
      } else out[i] = Math.round(x * MICROS_PER_SECOND);
    }
    return numVec(spec.type, out, a.nulls);
  };
}

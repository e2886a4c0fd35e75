// EXTRACT(field FROM x) as PostgreSQL 15 computes it: NUMERIC, exact, with the field's own scale (SECOND and EPOCH 6
// digits, MILLISECONDS 3, JULIAN of a timestamp a NUMERIC division, the rest integers). DATE_PART keeps float8
// (temporal.ts); the integer fields are the same numbers, so they come from there.

import { SqlError, SQLSTATE } from '../errors';
import type { Interval } from '../types';
import { addDecimal, divideDecimal, formatDecimal } from './decimal';
import { DATE_INFINITY, DATE_NEG_INFINITY, MICROS_PER_DAY, MICROS_PER_MINUTE } from './datetime';
import { intervalPart, isFiniteTimestamp, splitTimestamp, timestampPart } from './temporal';

/** Julian day number of 1970-01-01. */
const UNIX_EPOCH_JULIAN = 2440588;

/** Fields PostgreSQL answers for an infinite value (±Infinity); every other field is NULL there. */
const UNBOUNDED_FIELDS = new Set(['epoch', 'year', 'isoyear', 'decade', 'century', 'millennium', 'julian']);
/** Fields of a time of day, which a date has not. */
const TIME_FIELDS = new Set(['hour', 'minute', 'second', 'milliseconds', 'microseconds', 'timezone', 'timezone_hour',
  'timezone_minute']);
const ZONE_FIELDS = new Set(['timezone', 'timezone_hour', 'timezone_minute']);
const INTERVAL_FIELDS = new Set(['epoch', 'microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'month',
  'quarter', 'year', 'decade', 'century', 'millennium']);

function notSupported(field: string, typeName: string): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, `unit "${field}" not supported for type ${typeName}`);
}

/** An integer count of 10^-scale units as NUMERIC text with that scale: (7500000, 6) is 7.500000. */
function scaled(units: number, scale: number): string {
  return formatDecimal({ coef: BigInt(units), scale });
}

/** Whether EXTRACT(field) exists for a value of this type (field already normalized by the planner). */
export function checkExtractField(field: string, typeName: string, kind: 'timestamp' | 'timestamptz' | 'date' | 'interval'): void {
  if (kind === 'interval' ? !INTERVAL_FIELDS.has(field) : (kind === 'date' && TIME_FIELDS.has(field))
    || (kind === 'timestamp' && ZONE_FIELDS.has(field))) {
    throw notSupported(field, typeName);
  }
}

/** EXTRACT over a timestamp (microseconds; date and timestamptz as theirs in UTC); null where PostgreSQL is NULL. */
export function extractTimestamp(field: string, us: number, typeName: string): string | null {
  if (!isFiniteTimestamp(us)) return UNBOUNDED_FIELDS.has(field) ? (us > 0 ? 'Infinity' : '-Infinity') : null;
  const { days, time } = splitTimestamp(us);
  switch (field) {
    case 'epoch': return scaled(us, 6);
    case 'second': return scaled(time % MICROS_PER_MINUTE, 6);
    case 'milliseconds': return scaled(time % MICROS_PER_MINUTE, 3);
    case 'julian':
      return formatDecimal(addDecimal({ coef: BigInt(days + UNIX_EPOCH_JULIAN), scale: 0 },
        divideDecimal({ coef: BigInt(time), scale: 0 }, { coef: BigInt(MICROS_PER_DAY), scale: 0 })));
    default: return String(timestampPart(field, us, typeName));
  }
}

/** EXTRACT over a date: integers only (EPOCH in whole seconds, JULIAN the day number). */
export function extractDate(field: string, days: number): string | null {
  if (days === DATE_INFINITY || days === DATE_NEG_INFINITY) {
    return UNBOUNDED_FIELDS.has(field) ? (days > 0 ? 'Infinity' : '-Infinity') : null;
  }
  if (field === 'epoch') return String(days * 86400);
  if (field === 'julian') return String(days + UNIX_EPOCH_JULIAN);
  return String(timestampPart(field, days * MICROS_PER_DAY, 'date'));
}

/** EXTRACT over an interval; EPOCH counts a year as 365.25 days and a month as 30, as PostgreSQL does. */
export function extractInterval(field: string, iv: Interval): string {
  const secondsMicros = iv.micros % MICROS_PER_MINUTE;
  switch (field) {
    case 'epoch': {
      const quarterDays = 1461n * BigInt(Math.trunc(iv.months / 12)) + 120n * BigInt(iv.months % 12) + 4n * BigInt(iv.days);
      return formatDecimal({ coef: quarterDays * 21600n * 1_000_000n + BigInt(iv.micros), scale: 6 });
    }
    case 'second': return scaled(secondsMicros, 6);
    case 'milliseconds': return scaled(secondsMicros, 3);
    default: return String(intervalPart(field, iv));
  }
}

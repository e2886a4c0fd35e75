// Calendar arithmetic on timestamps held as float64 microseconds (exact until the year 2255): interval addition with
// PostgreSQL's month clamping, date_trunc and date_part fields.

import { SqlError, SQLSTATE } from '../errors';
import type { Interval } from '../types';
import {
  civilFromDays, DATE_INFINITY, DATE_NEG_INFINITY, daysFromCivil, daysInMonth, MICROS_PER_DAY, MICROS_PER_HOUR,
  MICROS_PER_MINUTE, MICROS_PER_SECOND,
} from './datetime';

/** ±infinity timestamps as float64 (int64 extremes). */
export const TS_POS_INF = 9223372036854775807;
export const TS_NEG_INF = -9223372036854775808;
export const isFiniteTimestamp = (us: number): boolean => us < TS_POS_INF && us > TS_NEG_INF;

// PostgreSQL's range: from Julian day 0 (4714-11-24 BC) to the end of 294276 for timestamps, of 5874897 for dates.
const DATE_MIN_DAYS = -2440588;
const DATE_END_DAYS = 2145042906;
const TIMESTAMP_MIN_MICROS = DATE_MIN_DAYS * MICROS_PER_DAY;
const TIMESTAMP_END_MICROS = 9223371331200000000;

function timestampOutOfRange(): SqlError {
  return new SqlError(SQLSTATE.datetime_field_overflow, 'timestamp out of range');
}

function dateOutOfRange(): SqlError {
  return new SqlError(SQLSTATE.datetime_field_overflow, 'date out of range');
}

function checkTimestamp(us: number): number {
  if (us < TIMESTAMP_MIN_MICROS || us >= TIMESTAMP_END_MICROS) throw timestampOutOfRange();
  return us;
}

/** date ± days: infinite dates stay as they are; 22008 past PostgreSQL's range. */
export function addDays(date: number, days: number): number {
  if (date === DATE_INFINITY || date === DATE_NEG_INFINITY) return date;
  const r = date + days;
  if (r < DATE_MIN_DAYS || r >= DATE_END_DAYS) throw dateOutOfRange();
  return r;
}

/** date - date in days; infinite dates cannot be subtracted. */
export function dateDiff(a: number, b: number): number {
  const infinite = (d: number): boolean => d === DATE_INFINITY || d === DATE_NEG_INFINITY;
  if (infinite(a) || infinite(b)) throw new SqlError(SQLSTATE.datetime_field_overflow, 'cannot subtract infinite dates');
  return a - b;
}

export function splitTimestamp(us: number): { days: number; time: number } {
  const days = Math.floor(us / MICROS_PER_DAY);
  return { days, time: us - days * MICROS_PER_DAY };
}

/** ts + interval: months first (day clamped to the month's end), then days, then microseconds. */
export function addInterval(us: number, iv: Interval, sign: 1 | -1): number {
  if (!isFiniteTimestamp(us)) return us;
  let t = us;
  if (iv.months !== 0) {
    const { days, time } = splitTimestamp(t);
    const c = civilFromDays(days);
    const total = c.year * 12 + (c.month - 1) + sign * iv.months;
    const year = Math.floor(total / 12);
    const month = total - year * 12 + 1;
    const day = Math.min(c.day, daysInMonth(year, month));
    t = checkTimestamp(daysFromCivil(year, month, day) * MICROS_PER_DAY + time);
  }
  return checkTimestamp(t + sign * (iv.days * MICROS_PER_DAY + iv.micros));
}

/** ts - ts as PostgreSQL returns it: days and time, no months (justify_hours). */
export function timestampDiff(a: number, b: number): Interval {
  if (!isFiniteTimestamp(a) || !isFiniteTimestamp(b)) {
    throw new SqlError(SQLSTATE.datetime_field_overflow, 'cannot subtract infinite timestamps');
  }
  const diff = a - b;
  const days = Math.trunc(diff / MICROS_PER_DAY);
  return { months: 0, days: days + 0, micros: diff - days * MICROS_PER_DAY + 0 };
}

/** interval * factor, as PostgreSQL 15's interval_mul. */
export function scaleInterval(iv: Interval, factor: number): Interval {
  return scaleFields(iv, (x) => x * factor);
}

/** interval / divisor (also avg(interval)), as PostgreSQL 15's interval_div: it divides, never multiplies by 1/n. */
export function divideInterval(iv: Interval, divisor: number): Interval {
  return scaleFields(iv, (x) => x / divisor);
}

/**
 * Months and days are scaled and truncated each on its own; a month's fraction cascades down as 30 days and a day's
 * as seconds (each rounded to microseconds, PostgreSQL's TSROUND), and the time takes the rest. So the fields may
 * differ in sign: avg of '1 mon' and '-3 hours' is '15 days -01:30:00', as PostgreSQL prints it.
 */
function scaleFields(iv: Interval, scale: (x: number) => number): Interval {
  const SECONDS_PER_DAY = MICROS_PER_DAY / MICROS_PER_SECOND;
  const months = Math.trunc(scale(iv.months));
  let days = Math.trunc(scale(iv.days));
  const monthRemainderDays = toMicroseconds((scale(iv.months) - months) * 30);
  let secondRemainder = toMicroseconds((scale(iv.days) - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECONDS_PER_DAY);
  if (Math.abs(secondRemainder) >= SECONDS_PER_DAY) {
    const wholeDays = Math.trunc(secondRemainder / SECONDS_PER_DAY);
    days += wholeDays;
    secondRemainder -= wholeDays * SECONDS_PER_DAY;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = roundHalfEven(scale(iv.micros) + secondRemainder * MICROS_PER_SECOND);
  return { months: months + 0, days: days + 0, micros: micros + 0 };
}

const toMicroseconds = (x: number): number => roundHalfEven(x * 1e6) / 1e6;

/** C's rint: to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function badField(field: string, typeName: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, `unit "${field}" not recognized for type ${typeName}`);
}

export type TruncUnit =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
  | 'decade' | 'century' | 'millennium';

const TRUNC_ALIASES: Record<string, TruncUnit> = {
  microsecond: 'microseconds', microseconds: 'microseconds', us: 'microseconds', usec: 'microseconds',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds',
  second: 'second', seconds: 'second', sec: 'second', s: 'second',
  minute: 'minute', minutes: 'minute', min: 'minute', m: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour',
  day: 'day', days: 'day', d: 'day',
  week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month',
  quarter: 'quarter', qtr: 'quarter',
  year: 'year', years: 'year', y: 'year', yr: 'year',
  decade: 'decade', decades: 'decade',
  century: 'century', centuries: 'century',
  millennium: 'millennium', millennia: 'millennium',
};

export function truncUnit(field: string, typeName: string): TruncUnit {
  const u = TRUNC_ALIASES[field.trim().toLowerCase()];
  if (u === undefined) throw badField(field, typeName);
  return u;
}

/** date_trunc(unit, ts). */
export function truncateTimestamp(unit: TruncUnit, us: number): number {
  if (!isFiniteTimestamp(us)) return us;
  const fixed = (step: number): number => Math.floor(us / step) * step;
  switch (unit) {
    case 'microseconds': return us;
    case 'milliseconds': return fixed(1000);
    case 'second': return fixed(MICROS_PER_SECOND);
    case 'minute': return fixed(MICROS_PER_MINUTE);
    case 'hour': return fixed(MICROS_PER_HOUR);
    case 'day': return fixed(MICROS_PER_DAY);
    case 'week': {
      // ISO weeks start on Monday; 1970-01-01 was a Thursday.
      const days = Math.floor(us / MICROS_PER_DAY);
      const dow = (((days + 3) % 7) + 7) % 7;
      return (days - dow) * MICROS_PER_DAY;
    }
    default: {
      const c = civilFromDays(Math.floor(us / MICROS_PER_DAY));
      let year = c.year;
      let month = 1;
      if (unit === 'month') month = c.month;
      else if (unit === 'quarter') month = Math.floor((c.month - 1) / 3) * 3 + 1;
      else if (unit === 'decade') year = Math.floor(year / 10) * 10;
      else if (unit === 'century') year = year > 0 ? Math.floor((year - 1) / 100) * 100 + 1 : -Math.floor(-year / 100) * 100 - 99;
      else if (unit === 'millennium') year = year > 0 ? Math.floor((year - 1) / 1000) * 1000 + 1 : -Math.floor(-year / 1000) * 1000 - 999;
      return daysFromCivil(year, month, 1) * MICROS_PER_DAY;
    }
  }
}

/** ISO 8601 week number and ISO year of a day. */
function isoWeek(days: number): { week: number; year: number } {
  const dow = (((days + 3) % 7) + 7) % 7; // 0 = Monday
  const thursday = days - dow + 3;
  const year = civilFromDays(thursday).year;
  const jan1 = daysFromCivil(year, 1, 1);
  return { week: Math.floor((thursday - jan1) / 7) + 1, year };
}

/** date_part(field, ts) / EXTRACT(field FROM ts), as float8. */
export function timestampPart(field: string, us: number, typeName: string): number {
  const f = field.trim().toLowerCase();
  if (!isFiniteTimestamp(us)) {
    if (f === 'epoch' || f === 'year' || f === 'isoyear' || f === 'decade' || f === 'century' || f === 'millennium') {
      return us > 0 ? Infinity : -Infinity;
    }
    return NaN;
  }
  const { days, time } = splitTimestamp(us);
  const c = civilFromDays(days);
  switch (f) {
    case 'epoch': return us / MICROS_PER_SECOND;
    case 'microsecond': case 'microseconds': case 'us': return time % MICROS_PER_MINUTE;
    case 'millisecond': case 'milliseconds': case 'ms': return (time % MICROS_PER_MINUTE) / 1000;
    case 'second': case 'seconds': case 's': return (time % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case 'minute': case 'minutes': case 'm': return Math.floor((time % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
    case 'hour': case 'hours': case 'h': return Math.floor(time / MICROS_PER_HOUR);
    case 'day': case 'days': case 'd': return c.day;
    case 'month': case 'months': case 'mon': return c.month;
    case 'quarter': return Math.floor((c.month - 1) / 3) + 1;
    case 'year': case 'years': case 'y': return c.year > 0 ? c.year : c.year - 1;
    case 'decade': return Math.floor(c.year / 10);
    case 'century': return c.year > 0 ? Math.floor((c.year + 99) / 100) : -Math.floor((99 - (c.year - 1)) / 100);
    case 'millennium': return c.year > 0 ? Math.floor((c.year + 999) / 1000) : -Math.floor((999 - (c.year - 1)) / 1000);
    case 'dow': return (((days + 4) % 7) + 7) % 7;
    case 'isodow': return ((((days + 3) % 7) + 7) % 7) + 1;
    case 'doy': return days - daysFromCivil(c.year, 1, 1) + 1;
    case 'week': return isoWeek(days).week;
    case 'isoyear': return isoWeek(days).year;
    case 'julian': return days + 2440588 + time / MICROS_PER_DAY;
    case 'timezone': case 'timezone_hour': case 'timezone_minute': return 0;
    default: throw badField(field, typeName);
  }
}

/** date_part(field, interval). */
export function intervalPart(field: string, iv: Interval): number {
  const f = field.trim().toLowerCase();
  switch (f) {
    case 'epoch':
      // PostgreSQL counts a year as 365.25 days and a month as 30.
      return Math.trunc(iv.months / 12) * 365.25 * 86400 + (iv.months % 12) * 30 * 86400 + iv.days * 86400
        + iv.micros / MICROS_PER_SECOND;
    case 'microsecond': case 'microseconds': return iv.micros % MICROS_PER_MINUTE;
    case 'millisecond': case 'milliseconds': return (iv.micros % MICROS_PER_MINUTE) / 1000;
    case 'second': case 'seconds': return (iv.micros % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case 'minute': case 'minutes': return Math.trunc((iv.micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
    case 'hour': case 'hours': return Math.trunc(iv.micros / MICROS_PER_HOUR);
    case 'day': case 'days': return iv.days;
    case 'month': case 'months': case 'mon': return iv.months % 12;
    case 'quarter': return Math.trunc((iv.months % 12) / 3) + 1;
    case 'year': case 'years': return Math.trunc(iv.months / 12);
    case 'decade': return Math.trunc(iv.months / 120);
    case 'century': return Math.trunc(iv.months / 1200);
    case 'millennium': return Math.trunc(iv.months / 12000);
    default: throw badField(field, 'interval');
  }
}

// INTERVAL as PostgreSQL reads it (postgres style, SQL-standard 'd h:m:s', ISO 8601 'P...') and prints it
// (IntervalStyle postgres: '1 year 2 mons 3 days 04:05:06.5', '-00:00:10').

import { SqlError, SQLSTATE } from '../errors';
import type { Interval } from '../types';
import { formatSeconds, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from './datetime';

export const ZERO_INTERVAL: Interval = { months: 0, days: 0, micros: 0 };

function badInterval(text: string): SqlError {
  return new SqlError(SQLSTATE.invalid_datetime_format, `invalid input syntax for type interval: "${text}"`);
}

// ---------------------------------------------------------------------------------------------------------------
// Output

export function formatInterval(iv: Interval): string {
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months % 12;
  let out = '';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    out += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
    isBefore = value < 0;
    isZero = false;
  };
  part(years, 'year');
  part(mons, 'mon');
  part(iv.days, 'day');
  if (isZero || iv.micros !== 0) {
    const minus = iv.micros < 0;
    const abs = Math.abs(iv.micros);
    const h = Math.floor(abs / MICROS_PER_HOUR);
    const m = Math.floor((abs % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
    const s = Math.floor((abs % MICROS_PER_MINUTE) / MICROS_PER_SECOND);
    const f = abs % MICROS_PER_SECOND;
    const sign = minus ? '-' : isBefore ? '+' : '';
    out += `${isZero ? '' : ' '}${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${formatSeconds(s, f)}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Input

/** Interval units: months per unit or microseconds per unit (days are their own field, as in PostgreSQL). */
type Unit = { readonly months: number } | { readonly days: number } | { readonly micros: number };

const UNITS: Record<string, Unit> = {};
const addUnit = (names: string[], unit: Unit): void => {
  for (const n of names) UNITS[n] = unit;
};
addUnit(['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'useconds'], { micros: 1 });
addUnit(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'mseconds'], { micros: 1000 });
addUnit(['second', 'seconds', 's', 'sec', 'secs'], { micros: MICROS_PER_SECOND });
addUnit(['minute', 'minutes', 'm', 'min', 'mins'], { micros: MICROS_PER_MINUTE });
addUnit(['hour', 'hours', 'h', 'hr', 'hrs'], { micros: MICROS_PER_HOUR });
addUnit(['day', 'days', 'd'], { days: 1 });
addUnit(['week', 'weeks', 'w'], { days: 7 });
addUnit(['month', 'months', 'mon', 'mons'], { months: 1 });
addUnit(['year', 'years', 'y', 'yr', 'yrs'], { months: 12 });
addUnit(['decade', 'decades'], { months: 120 });
addUnit(['century', 'centuries'], { months: 1200 });
addUnit(['millennium', 'millennia', 'millenniums'], { months: 12000 });

/** Accumulates parts the way PostgreSQL does: fractions of months spill into days, of days into time. */
class IntervalAcc {
  months = 0;
  days = 0;
  micros = 0;

  add(value: number, unit: Unit): void {
    if ('months' in unit) {
      const total = value * unit.months;
      const whole = Math.trunc(total);
      this.months += whole;
      // A fraction of a year rounds to whole months; a fraction of a month spills into days (30 per month).
      if (unit.months >= 12) this.months += Math.round(total - whole);
      else this.addDays((total - whole) * 30);
    } else if ('days' in unit) {
      this.addDays(value * unit.days);
    } else {
      this.micros += Math.round(value * unit.micros);
    }
  }

  private addDays(days: number): void {
    const whole = Math.trunc(days);
    this.days += whole;
    this.micros += Math.round((days - whole) * MICROS_PER_DAY);
  }

  result(negate: boolean): Interval {
    const s = negate ? -1 : 1;
    // `+ 0` turns -0 into 0.
    return { months: s * this.months + 0, days: s * this.days + 0, micros: s * this.micros + 0 };
  }
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const TIME_RE = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?$/;

function timeMicros(m: RegExpExecArray): number {
  const sign = m[1] === '-' ? -1 : 1;
  const micros = Number(m[2]) * MICROS_PER_HOUR + Number(m[3]) * MICROS_PER_MINUTE
    + Math.round(Number(m[4] ?? 0) * MICROS_PER_SECOND);
  return sign * micros;
}

function parseIso(text: string, raw: string): Interval {
  const m = /^p(?:([-\d.]+)y)?(?:([-\d.]+)m)?(?:([-\d.]+)w)?(?:([-\d.]+)d)?(?:t(?:([-\d.]+)h)?(?:([-\d.]+)m)?(?:([-\d.]+)s)?)?$/.exec(text);
  if (!m || text === 'p' || text.endsWith('t')) throw badInterval(raw);
  const acc = new IntervalAcc();
  const units: Unit[] = [UNITS.year, UNITS.month, UNITS.week, UNITS.day, UNITS.hour, UNITS.minute, UNITS.second];
  for (let i = 0; i < units.length; i++) {
    const v = m[i + 1];
    if (v === undefined) continue;
    if (!NUMBER_RE.test(v)) throw badInterval(raw);
    acc.add(Number(v), units[i]);
  }
  return acc.result(false);
}

/** Splits '10seconds' / '1day' into number and unit tokens; keeps 'h:m:s' tokens whole. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.split(/[\s,]+/)) {
    if (word === '') continue;
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]+)$/.exec(word);
    if (m) tokens.push(m[1], m[2]);
    else tokens.push(word);
  }
  return tokens;
}

export function parseInterval(raw: string): Interval {
  let text = raw.trim().toLowerCase();
  if (text.startsWith('@')) text = text.slice(1).trim();
  if (text.startsWith('p')) return parseIso(text, raw);
  let negate = false;
  if (/\sago$/.test(text) || text === 'ago') {
    negate = true;
    text = text.slice(0, -3).trim();
  }
  const tokens = tokenize(text);
  if (tokens.length === 0) throw badInterval(raw);
  const acc = new IntervalAcc();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const time = TIME_RE.exec(tok);
    if (time) {
      acc.micros += timeMicros(time);
      continue;
    }
    if (!NUMBER_RE.test(tok)) throw badInterval(raw);
    const value = Number(tok);
    const next = tokens[i + 1];
    if (next !== undefined && UNITS[next] !== undefined) {
      acc.add(value, UNITS[next]);
      i++;
    } else if (next !== undefined && TIME_RE.test(next)) {
      // SQL standard '1 2:03:04': a bare number before a time is days.
      acc.add(value, UNITS.day);
    } else if (next === undefined) {
      // A bare trailing number is seconds ('10' = 00:00:10).
      acc.add(value, UNITS.second);
    } else {
      throw badInterval(raw);
    }
  }
  return acc.result(negate);
}

/**
 * The fixed length of an interval in microseconds, counting a day as 24 hours; throws when it has months (which
 * have no fixed length). For window sizes and watermark delays.
 */
export function intervalMicros(iv: Interval, what = 'interval'): number {
  if (iv.months !== 0) {
    throw new SqlError(SQLSTATE.feature_not_supported, `${what} must not contain months or years`);
  }
  return iv.days * MICROS_PER_DAY + iv.micros;
}

/** Parses interval text and returns its fixed length in microseconds (see intervalMicros). */
export function parseIntervalMicros(text: string, what = 'interval'): number {
  return intervalMicros(parseInterval(text), what);
}

/** Interval ordering as PostgreSQL compares them: by total length with 30-day months and 24-hour days. */
export function intervalSortKey(iv: Interval): number {
  return (iv.months * 30 + iv.days) * MICROS_PER_DAY + iv.micros;
}

// Dates and timestamps as PostgreSQL reads and prints them (DateStyle ISO; a timestamptz in the session's zone).
// A timestamp is microseconds since 1970-01-01 00:00:00 UTC (timestamp without time zone: of its wall-clock time
// read as UTC); a date is days since 1970-01-01. +-infinity are PostgreSQL's sentinels: the int64 / int32 extremes.

import { SqlError, SQLSTATE } from '../errors';
import { UTC_ZONE, utcFromLocal, type TimeZone } from './zone';

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

export const TIMESTAMP_INFINITY = 0x7fffffffffffffffn;
export const TIMESTAMP_NEG_INFINITY = -0x8000000000000000n;
export const DATE_INFINITY = 0x7fffffff;
export const DATE_NEG_INFINITY = -0x80000000;

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year numbering: 0 = 1 BC). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface Civil {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function civilFromDays(days: number): Civil {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** 'YYYY-MM-DD', with ' BC' for years before 1 as PostgreSQL prints them. */
function formatCivil(c: Civil): { text: string; bc: boolean } {
  const bc = c.year <= 0;
  const year = bc ? 1 - c.year : c.year;
  return { text: `${pad(year, 4)}-${pad2(c.month)}-${pad2(c.day)}`, bc };
}

export function formatDate(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === DATE_NEG_INFINITY) return '-infinity';
  const { text, bc } = formatCivil(civilFromDays(days));
  return bc ? text + ' BC' : text;
}

/** Seconds with PostgreSQL's trimmed fraction: '03', '03.5', '03.000001'. */
export function formatSeconds(seconds: number, micros: number): string {
  if (micros === 0) return pad2(seconds);
  return pad2(seconds) + '.' + pad(micros, 6).replace(/0+$/, '');
}

function splitMicros(micros: bigint): { days: number; timeMicros: number } {
  const day = BigInt(MICROS_PER_DAY);
  let days = micros / day;
  let rest = micros % day;
  if (rest < 0n) {
    rest += day;
    days -= 1n;
  }
  return { days: Number(days), timeMicros: Number(rest) };
}

export function formatTimestamp(micros: bigint, withZone: boolean): string {
  return withZone ? formatTimestamptz(micros, UTC_ZONE) : formatWallClock(micros, '');
}

/** A timestamptz as the wall-clock time in `zone` followed by its offset there: '2026-03-29 03:30:00+02'. */
export function formatTimestamptz(micros: bigint, zone: TimeZone): string {
  if (micros === TIMESTAMP_INFINITY || micros === TIMESTAMP_NEG_INFINITY) return formatWallClock(micros, '');
  const offset = zone.offsetAt(Number(micros));
  if (offset === 0) return formatWallClock(micros, '+00');
  return formatWallClock(micros + BigInt(offset) * BigInt(MICROS_PER_SECOND), formatOffset(offset));
}

/** An offset east in seconds as PostgreSQL prints it after a time: '+00', '+05:30', '-03:30', '+00:09:21'. */
function formatOffset(seconds: number): string {
  const abs = Math.abs(seconds);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  return (seconds < 0 ? '-' : '+') + pad2(Math.floor(abs / 3600)) + (m !== 0 || s !== 0 ? ':' + pad2(m) : '')
    + (s !== 0 ? ':' + pad2(s) : '');
}

function formatWallClock(micros: bigint, suffix: string): string {
  if (micros === TIMESTAMP_INFINITY) return 'infinity';
  if (micros === TIMESTAMP_NEG_INFINITY) return '-infinity';
  const { days, timeMicros } = splitMicros(micros);
  const { text, bc } = formatCivil(civilFromDays(days));
  const h = Math.floor(timeMicros / MICROS_PER_HOUR);
  const m = Math.floor((timeMicros % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
  const s = Math.floor((timeMicros % MICROS_PER_MINUTE) / MICROS_PER_SECOND);
  const f = timeMicros % MICROS_PER_SECOND;
  const out = `${text} ${pad2(h)}:${pad2(m)}:${formatSeconds(s, f)}${suffix}`;
  return bc ? out + ' BC' : out;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

function typeLabel(withZone: boolean | 'date'): string {
  return withZone === 'date' ? 'date' : withZone ? 'timestamp with time zone' : 'timestamp without time zone';
}

function badFormat(text: string, label: string): SqlError {
  return new SqlError(SQLSTATE.invalid_datetime_format, `invalid input syntax for type ${label}: "${text}"`);
}

function outOfRange(text: string): SqlError {
  return new SqlError(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
}

// Date, optional time (with 'T' or spaces), optional zone (Z, UTC, GMT, +hh, +hh:mm, +hhmm), optional era.
const DATETIME_RE =
  /^(\d{1,})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?\s*(BC|AD)?$/i;

interface ParsedDateTime {
  readonly days: number;
  readonly timeMicros: number;
  /** Seconds east of UTC given in the text, or null when none. */
  readonly zoneSeconds: number | null;
}

function parseZone(zone: string): number {
  const z = zone.toUpperCase();
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(/:/g, '');
  let h: number;
  let m = 0;
  let s = 0;
  if (z.slice(1).includes(':')) {
    const parts = z.slice(1).split(':');
    h = Number(parts[0]);
    m = Number(parts[1] ?? 0);
    s = Number(parts[2] ?? 0);
  } else if (digits.length <= 2) {
    h = Number(digits);
  } else if (digits.length <= 4) {
    h = Number(digits.slice(0, digits.length - 2));
    m = Number(digits.slice(-2));
  } else {
    h = Number(digits.slice(0, digits.length - 4));
    m = Number(digits.slice(-4, -2));
    s = Number(digits.slice(-2));
  }
  return sign * (h * 3600 + m * 60 + s);
}

function parseDateTime(raw: string, label: string): ParsedDateTime {
  const text = raw.trim();
  const m = DATETIME_RE.exec(text);
  if (!m) throw badFormat(raw, label);
  let year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (m[9] && m[9].toUpperCase() === 'BC') {
    if (year === 0) throw outOfRange(raw);
    year = 1 - year;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw outOfRange(raw);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // Fractions beyond microseconds round, as in PostgreSQL.
  const fraction = m[7] ? Math.round(Number('0.' + m[7]) * MICROS_PER_SECOND) : 0;
  const isMidnight24 = hour === 24 && minute === 0 && second === 0 && fraction === 0;
  if ((hour > 23 && !isMidnight24) || minute > 59 || second > 60) throw outOfRange(raw);
  const timeMicros = hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE + second * MICROS_PER_SECOND + fraction;
  return { days: daysFromCivil(year, month, day), timeMicros, zoneSeconds: m[8] ? parseZone(m[8]) : null };
}

/** 'today' and its kin are midnights of the session's zone: a timestamptz the instant, a timestamp the wall clock. */
function specialTimestamp(text: string, withZone: boolean, zone: TimeZone): bigint | null {
  const today = (): number => todayIn(zone);
  const midnight = (days: number): bigint => BigInt(withZone ? utcFromLocal(zone, days * MICROS_PER_DAY) : days * MICROS_PER_DAY);
  switch (text.trim().toLowerCase()) {
    case 'epoch': return 0n;
    case 'infinity': case '+infinity': return TIMESTAMP_INFINITY;
    case '-infinity': return TIMESTAMP_NEG_INFINITY;
    case 'now': return BigInt(Date.now()) * 1000n;
    case 'today': return midnight(today());
    case 'tomorrow': return midnight(today() + 1);
    case 'yesterday': return midnight(today() - 1);
    default: return null;
  }
}

/** Today's date in `zone`, days since the epoch. */
function todayIn(zone: TimeZone): number {
  const now = Date.now() * 1000;
  return Math.floor((now + zone.offsetAt(now) * MICROS_PER_SECOND) / MICROS_PER_DAY);
}

/**
 * A timestamp literal. With a zone in the text, timestamptz converts it to UTC; timestamp (without time zone)
 * ignores the zone, as PostgreSQL does. A timestamptz without one is a wall-clock time in `zone` (the session's).
 */
export function parseTimestamp(text: string, withZone: boolean, zone: TimeZone = UTC_ZONE): bigint {
  const special = specialTimestamp(text, withZone, zone);
  if (special !== null) return special;
  const p = parseDateTime(text, typeLabel(withZone));
  const wallClock = BigInt(p.days) * BigInt(MICROS_PER_DAY) + BigInt(p.timeMicros);
  if (!withZone) return wallClock;
  // The offset is found in float microseconds (exact to the second anywhere) and applied in BigInt (exact to the µs).
  const offsetSeconds = p.zoneSeconds
    ?? Math.round((Number(wallClock) - utcFromLocal(zone, Number(wallClock))) / MICROS_PER_SECOND);
  return wallClock - BigInt(offsetSeconds) * BigInt(MICROS_PER_SECOND);
}

/** Whether reading this timestamptz text depends on the session's zone (it has no offset and is not special). */
export function readsInSessionZone(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'epoch' || t === 'infinity' || t === '+infinity' || t === '-infinity' || t === 'now') return false;
  const m = DATETIME_RE.exec(text.trim());
  return m === null || m[8] === undefined;
}

export function parseDate(text: string, zone: TimeZone = UTC_ZONE): number {
  const special = text.trim().toLowerCase();
  if (special === 'epoch') return 0;
  if (special === 'infinity' || special === '+infinity') return DATE_INFINITY;
  if (special === '-infinity') return DATE_NEG_INFINITY;
  if (special === 'today' || special === 'now') return todayIn(zone);
  if (special === 'tomorrow') return todayIn(zone) + 1;
  if (special === 'yesterday') return todayIn(zone) - 1;
  return parseDateTime(text, 'date').days;
}

/** Days since the epoch of a timestamp (floor), for timestamp → date casts. */
export function timestampToDate(micros: bigint): number {
  if (micros === TIMESTAMP_INFINITY) return DATE_INFINITY;
  if (micros === TIMESTAMP_NEG_INFINITY) return DATE_NEG_INFINITY;
  return splitMicros(micros).days;
}

export function dateToTimestamp(days: number): bigint {
  if (days === DATE_INFINITY) return TIMESTAMP_INFINITY;
  if (days === DATE_NEG_INFINITY) return TIMESTAMP_NEG_INFINITY;
  return BigInt(days) * BigInt(MICROS_PER_DAY);
}

// The timestamp text nearly every Kafka record and COPY file carries, `YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}][Z|±HH[:MM]]`,
// and the date `YYYY-MM-DD`, read by hand from bytes: PostgreSQL's full parser (values/datetime.ts) handles every
// form it accepts, but costs as much as decoding the rest of the record, and wants a string. Anything else returns
// NaN and goes to that parser. Strings (escaped or quoted fields) are read by the same code after their ASCII
// codes are copied into a scratch array.

import { daysFromCivil, daysInMonth, MICROS_PER_DAY } from '../values/datetime';
import { UTC_ZONE, utcFromLocal, type TimeZone } from '../values/timezone';

/** The longest common form is 32 bytes (`2026-01-01T10:00:00.123456+05:30`). */
const LONGEST = 32;
const scratch = new Uint8Array(LONGEST);
/**
 * Microseconds within 100,000 days of 1970 (1696 to 2243) stay below 2^53, so the arithmetic below is exact; dates
 * further off go to the full parser, which counts them in BigInt.
 */
const SAFE_DAYS = 100_000;

function digits(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = b[i] - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since the Unix epoch of `YYYY-MM-DD` at bytes[start, start + 10), or NaN. */
function civilDays(b: Uint8Array, start: number): number {
  if (b[start + 4] !== 45 || b[start + 7] !== 45) return NaN; // '-'
  const year = digits(b, start, 4);
  const month = digits(b, start + 5, 2);
  const day = digits(b, start + 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day);
}

/** Days since the Unix epoch of a DATE given as exactly `YYYY-MM-DD` in bytes[start, end), or NaN. */
export function fastDateAt(b: Uint8Array, start: number, end: number): number {
  return end - start === 10 ? civilDays(b, start) : NaN;
}

/**
 * Microseconds since the Unix epoch of the timestamp in bytes[start, end), or NaN when it is not in the common form.
 * Without an offset a TIMESTAMPTZ is a wall-clock time in `zone` (the session's; UTC for Kafka); `withZone` false
 * (TIMESTAMP) ignores an offset as PostgreSQL does.
 */
export function fastTimestampAt(
  b: Uint8Array, start: number, end: number, withZone: boolean, zone: TimeZone = UTC_ZONE,
): number {
  if (end - start < 19 || b[start + 13] !== 58 || b[start + 16] !== 58) return NaN; // ':'
  const sep = b[start + 10];
  if (sep !== 84 && sep !== 32) return NaN; // 'T' or ' '
  const days = civilDays(b, start);
  const hour = digits(b, start + 11, 2);
  const minute = digits(b, start + 14, 2);
  const second = digits(b, start + 17, 2);
  if (!(Math.abs(days) <= SAFE_DAYS) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  let i = start + 19;
  let fraction = 0;
  if (i < end && b[i] === 46) { // '.'
    i++;
    let scale = 100000;
    const first = i;
    while (i < end && i - first < 6) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      fraction += d * scale;
      scale /= 10;
      i++;
    }
    if (i === first) return NaN;
    // More than six fraction digits: rounding belongs to the full parser.
    if (i < end && b[i] >= 48 && b[i] <= 57) return NaN;
  }
  let offsetMinutes = 0;
  const hasOffset = i < end;
  if (i < end) {
    const c = b[i];
    if (c === 90 && i + 1 === end) { // 'Z'
      i++;
    } else if (c === 43 || c === 45) { // '+' '-'
      const oh = digits(b, i + 1, 2);
      if (oh < 0) return NaN;
      let om = 0;
      if (i + 3 === end) {
        i += 3;
      } else if (i + 6 === end && b[i + 3] === 58) {
        om = digits(b, i + 4, 2);
        i += 6;
      } else if (i + 5 === end) {
        om = digits(b, i + 3, 2);
        i += 5;
      } else {
        return NaN;
      }
      if (om < 0 || om > 59 || oh > 15) return NaN;
      offsetMinutes = (c === 43 ? 1 : -1) * (oh * 60 + om);
    } else {
      return NaN;
    }
  }
  if (i !== end) return NaN;
  if (!withZone) offsetMinutes = 0;
  const micros = days * MICROS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1_000_000 + fraction;
  return withZone && !hasOffset && zone !== UTC_ZONE ? utcFromLocal(zone, micros) : micros;
}

/** fastTimestampAt for a string. */
export function fastTimestamp(s: string, withZone: boolean, zone: TimeZone = UTC_ZONE): number {
  const n = s.length;
  if (n > LONGEST) return NaN;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return NaN;
    scratch[i] = c;
  }
  return fastTimestampAt(scratch, 0, n, withZone, zone);
}

// The timestamp text nearly every Kafka JSON record carries, `YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}][Z|±HH[:MM]]`, read
// by hand: PostgreSQL's full parser (values/datetime.ts) handles every form it accepts, but costs as much as the
// JSON.parse of the record. Anything else returns NaN and goes to that parser.

import { daysFromCivil, daysInMonth, MICROS_PER_DAY } from '../values/datetime';

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Microseconds since the Unix epoch, or NaN when `s` is not in the common form. Without a zone the time is read as
 * UTC; `withZone` false (TIMESTAMP) ignores a zone as PostgreSQL does.
 */
export function fastTimestamp(s: string, withZone: boolean): number {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return NaN; // 'T' or ' '
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  let i = 19;
  let micros = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    let scale = 100000;
    const start = i;
    while (i < n && i - start < 6) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      micros += d * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return NaN;
    // More than six fraction digits: rounding belongs to the full parser.
    if (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) return NaN;
  }
  let offsetMinutes = 0;
  if (i < n) {
    const c = s.charCodeAt(i);
    if (c === 90 && i + 1 === n) {
      i++;
    } else if (c === 43 || c === 45) {
      const oh = digits(s, i + 1, 2);
      if (oh < 0) return NaN;
      let om = 0;
      if (i + 3 === n) {
        i += 3;
      } else if (i + 6 === n && s.charCodeAt(i + 3) === 58) {
        om = digits(s, i + 4, 2);
        i += 6;
      } else if (i + 5 === n) {
        om = digits(s, i + 3, 2);
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
  if (i !== n) return NaN;
  if (!withZone) offsetMinutes = 0;
  const days = daysFromCivil(year, month, day);
  return days * MICROS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1_000_000 + micros;
}

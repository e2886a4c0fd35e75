// Time zones as PostgreSQL reads them in `AT TIME ZONE` / timezone(zone, ts): an abbreviation of PostgreSQL's
// Default set (a fixed offset: 'CET' is +01 even in July), else a zone of the IANA database (Node's full ICU, any
// letter case: 'europe/paris'), else a POSIX-style fixed offset, whose sign counts hours WEST of Greenwich as POSIX
// does ('+02', '2' and 'UTC+2' are two hours behind UTC). An interval is a fixed offset east.
//
// A zone maps a UTC instant to its offset; the offset of an IANA zone comes from Intl, once per quarter hour of time
// per zone (transitions fall on whole quarter hours, except old local mean times, which are looked up exactly).

import { SqlError, SQLSTATE } from '../errors';
import type { Interval } from '../types';
import { daysFromCivil, MICROS_PER_SECOND } from './datetime';

/** A time zone: its offset east of UTC, in seconds, at a UTC instant (microseconds since the epoch). */
export interface TimeZone {
  offsetAt(utcMicros: number): number;
}

const fixedZone = (seconds: number): TimeZone => ({ offsetAt: () => seconds });

const UTC_ZONE = fixedZone(0);

// PostgreSQL's Default abbreviations (the common ones), in seconds east of UTC.
const H = 3600;
const ABBREVIATIONS: Readonly<Record<string, number>> = {
  utc: 0, gmt: 0, ut: 0, z: 0, zulu: 0, wet: 0, cet: H, bst: H, cest: 2 * H, eet: 2 * H, eest: 3 * H, msk: 3 * H,
  jst: 9 * H, aest: 10 * H, hst: -10 * H, pst: -8 * H, pdt: -7 * H, mst: -7 * H, mdt: -6 * H, cst: -6 * H,
  cdt: -5 * H, est: -5 * H, edt: -4 * H,
};

// '+02', '2', '-03:30', 'UTC+3', 'GMT-2:30': POSIX offsets, positive west.
const POSIX_OFFSET = /^(?:[A-Za-z]{3,})?([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;

function notRecognized(name: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, `time zone "${name}" not recognized`);
}

/** One IANA zone, its offsets read from Intl and remembered per quarter hour. */
class IanaZone implements TimeZone {
  private readonly parts: Intl.DateTimeFormat;
  private readonly quarterHours = new Map<number, number>();

  constructor(readonly name: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  offsetAt(utcMicros: number): number {
    const seconds = Math.floor(utcMicros / MICROS_PER_SECOND);
    const quarter = Math.floor(seconds / 900);
    const cached = this.quarterHours.get(quarter);
    if (cached !== undefined) return cached;
    const start = this.exactOffset(quarter * 900);
    // The quarter hour's offset is one number only if it is the same at both ends.
    if (start !== this.exactOffset(quarter * 900 + 899)) return this.exactOffset(seconds);
    if (this.quarterHours.size > 100_000) this.quarterHours.clear();
    this.quarterHours.set(quarter, start);
    return start;
  }

  private exactOffset(utcSeconds: number): number {
    // Intl's Date covers ±8.64e15 ms; beyond, the offset at its edge.
    const ms = Math.max(-8.64e15, Math.min(8.64e15, utcSeconds * 1000));
    const f: Record<string, number> = {};
    let bc = false;
    for (const p of this.parts.formatToParts(ms)) {
      if (p.type === 'era') bc = p.value === 'BC' || p.value === 'B';
      else if (p.type !== 'literal') f[p.type] = Number(p.value);
    }
    const year = bc ? 1 - f.year : f.year;
    const local = daysFromCivil(year, f.month, f.day) * 86_400 + f.hour * 3600 + f.minute * 60 + f.second;
    return local - Math.floor(ms / 1000);
  }
}

const ianaZones = new Map<string, IanaZone | null>();

function ianaZone(name: string): IanaZone | null {
  const key = name.toLowerCase();
  let zone = ianaZones.get(key);
  if (zone === undefined) {
    try {
      const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
      zone = new IanaZone(canonical);
    } catch {
      zone = null;
    }
    if (ianaZones.size > 1000) ianaZones.clear();
    ianaZones.set(key, zone);
  }
  return zone;
}

/** The zone a text names, as AT TIME ZONE reads it; 22023 `time zone "x" not recognized` otherwise. */
export function zoneFromText(name: string): TimeZone {
  const abbreviation = ABBREVIATIONS[name.toLowerCase()];
  if (abbreviation !== undefined) return abbreviation === 0 ? UTC_ZONE : fixedZone(abbreviation);
  const posix = POSIX_OFFSET.exec(name);
  if (posix !== null) {
    const west = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0);
    return fixedZone(posix[1] === '-' ? west : -west);
  }
  if (name.trim() === name && /^[A-Za-z]/.test(name)) {
    const zone = ianaZone(name);
    if (zone !== null) return zone;
  }
  throw notRecognized(name);
}

/** An interval as a zone: a fixed offset east of UTC, without months or days. */
export function zoneFromInterval(iv: Interval, text: () => string): TimeZone {
  if (iv.months !== 0 || iv.days !== 0) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `interval time zone "${text()}" must not include months or days`);
  }
  return fixedZone(iv.micros / MICROS_PER_SECOND);
}

/** timestamptz AT TIME ZONE zone: the wall-clock time there (a timestamp without time zone). */
export function localFromUtc(zone: TimeZone, utcMicros: number): number {
  return utcMicros + zone.offsetAt(utcMicros) * MICROS_PER_SECOND;
}

/**
 * timestamp AT TIME ZONE zone: the instant when the zone's clocks show that wall-clock time. A time skipped by a
 * spring-forward reads with the offset from before it and a time repeated by a fall-back with the offset from after
 * it, as PostgreSQL does (both: the smaller of the two offsets).
 */
export function utcFromLocal(zone: TimeZone, localMicros: number): number {
  const day = 86_400 * MICROS_PER_SECOND;
  const before = zone.offsetAt(localMicros - day);
  const after = zone.offsetAt(localMicros + day);
  const fits = (offset: number): boolean => zone.offsetAt(localMicros - offset * MICROS_PER_SECOND) === offset;
  const candidates = [before, after].filter(fits);
  const offset = candidates.length === 0 ? Math.min(before, after) : Math.min(...candidates);
  return localMicros - offset * MICROS_PER_SECOND;
}

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
import { formatInterval, parseInterval } from './interval';
import { fixedZone, UTC_ZONE, type TimeZone } from './zone';

export { localFromUtc, UTC_ZONE, utcFromLocal, type TimeZone } from './zone';

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

// ---------------------------------------------------------------------------------------------------------------
// The session's TimeZone setting, read as PostgreSQL's check_timezone reads it: a number is hours EAST ('2', '-3.5'),
// else a zone of the IANA database, else a POSIX offset counted west ('UTC+2', '-03:30'); abbreviations such as
// 'PST' are not zones here (they are in AT TIME ZONE), though ICU knows some of them as legacy zone IDs. The setting's text is what SHOW prints, and reads back as the
// same zone: a number shows as PostgreSQL shows it, '<+02>-02' (a POSIX zone named '+02' whose offset, counted west,
// is -02).

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** ICU's legacy three-letter zone IDs (Java's), which PostgreSQL's tz database has not: 'PST' is 22023 there. */
const ICU_ONLY_IDS = new Set(['act', 'aet', 'agt', 'art', 'ast', 'bet', 'bst', 'cat', 'cnt', 'cst', 'ctt', 'eat', 'ect',
  'iet', 'ist', 'jst', 'mit', 'net', 'nst', 'plt', 'pnt', 'prt', 'pst', 'sst', 'vst']);
const BRACKETED_POSIX = /^<[^>]*>([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;

function hhmmss(seconds: number): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return pad(h) + (m !== 0 || s !== 0 ? ':' + pad(m) : '') + (s !== 0 ? ':' + pad(s) : '');
}

/** A fixed offset east as PostgreSQL names it in SHOW TimeZone: '<+02>-02', '<-03:30>+03:30'. */
export function fixedOffsetSetting(eastSeconds: number): string {
  const abs = hhmmss(Math.abs(eastSeconds));
  return eastSeconds >= 0 ? `<+${abs}>-${abs}` : `<-${abs}>+${abs}`;
}

function invalidSetting(value: string, detail?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "TimeZone": "${value}"`, { detail });
}

/** The text SHOW TimeZone prints for a value SET accepts; 22023 `invalid value for parameter "TimeZone"` else. */
export function timeZoneSetting(value: string): string {
  const interval = /^interval '(.*)'$/is.exec(value);
  if (interval !== null) return intervalSetting(interval[1]);
  if (NUMBER.test(value)) {
    const east = Math.round(Number(value) * 3600);
    if (Math.abs(east) >= 168 * 3600) throw invalidSetting(value, 'UTC timezone offset is out of range.');
    return fixedOffsetSetting(east);
  }
  if (BRACKETED_POSIX.test(value)) return value;
  const posix = POSIX_OFFSET.exec(value);
  if (posix !== null) return value.toUpperCase();
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value) && !ICU_ONLY_IDS.has(value.toLowerCase())) {
    const zone = ianaZone(value);
    if (zone !== null) return zone.name.toLowerCase() === value.toLowerCase() ? zone.name : value;
  }
  throw invalidSetting(value);
}

/** SET TIME ZONE INTERVAL 'x': a fixed offset east, without months or days. */
function intervalSetting(text: string): string {
  const iv = parseInterval(text);
  if (iv.months !== 0 || iv.days !== 0) {
    throw invalidSetting(`INTERVAL '${formatInterval(iv)}'`,
      `Cannot specify ${iv.months !== 0 ? 'months' : 'days'} in time zone interval.`);
  }
  return fixedOffsetSetting(Math.round(iv.micros / MICROS_PER_SECOND));
}

const sessionZones = new Map<string, TimeZone>();

/** The zone a TimeZone setting (as timeZoneSetting printed it) names; read once per distinct setting. */
export function sessionZone(setting: string): TimeZone {
  let zone = sessionZones.get(setting);
  if (zone === undefined) {
    zone = readSessionZone(setting);
    if (sessionZones.size > 1000) sessionZones.clear();
    sessionZones.set(setting, zone);
  }
  return zone;
}

function readSessionZone(setting: string): TimeZone {
  const posix = BRACKETED_POSIX.exec(setting) ?? POSIX_OFFSET.exec(setting);
  if (posix !== null) {
    const west = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0);
    return west === 0 ? UTC_ZONE : fixedZone(posix[1] === '-' ? west : -west);
  }
  const zone = ianaZone(setting);
  // UTC under any of its names is the fixed zone, so its rows never ask Intl.
  return zone === null || zone.name === 'UTC' ? UTC_ZONE : zone;
}

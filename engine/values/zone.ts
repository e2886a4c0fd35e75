// A time zone as the values floor uses it: an offset east of UTC at each instant, and the two conversions between
// instants and wall-clock times. Apart from timezone.ts (which reads zones from their names) so that datetime.ts can
// read and print a timestamptz in a zone without the two importing each other.

/** datetime.ts's constant, repeated: importing it would make the two files import each other. */
const MICROS_PER_SECOND = 1_000_000;

/** A time zone: its offset east of UTC, in seconds, at a UTC instant (microseconds since the epoch). */
export interface TimeZone {
  offsetAt(utcMicros: number): number;
}

export const fixedZone = (seconds: number): TimeZone => ({ offsetAt: () => seconds });

/** UTC: the zone of continuous queries and of a session that set none. */
export const UTC_ZONE = fixedZone(0);

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

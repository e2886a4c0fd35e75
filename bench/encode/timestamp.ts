// Event times as PostgreSQL's text form, fast: the generator's times are whole milliseconds that mostly share
// their second with the previous event, so the formatted second is cached and only the fraction is appended.

let cachedSecond = NaN;
let cachedPrefix = '';

/** Microseconds since the epoch → '2026-01-01 00:00:03.123+00' (milliseconds kept; sub-ms digits never occur). */
export function timestampText(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  const frac = ms - second * 1000;
  return `${cachedPrefix}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}+00`;
}

/** Microseconds since the epoch → ISO 8601 with a Z, as JSON producers write it. */
export function timestampIso(micros: number): string {
  return `${timestampText(micros).slice(0, 23).replace(' ', 'T')}Z`;
}

// The plain-text report: one line per query × system × path, long notes as numbered footnotes, then the
// PostgreSQL comparison.

import type { BenchResult } from './result';
import { FLINK_PER_CORE } from './flink';
import { nexmarkVsPostgresTarget } from './targets';

const num = (n: number | null, digits = 0): string =>
  n === null || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kilo = (n: number | null): string => (n === null ? '-' : `${num(n / 1000, n < 10_000 ? 1 : 0)} K`);
const mb = (n: number | null): string => (n === null ? '-' : num(n / (1024 * 1024), 1));

export function formatTable(results: readonly BenchResult[]): string {
  const notes: string[] = [];
  const noteRef = (note: string): string => {
    if (!note) return '';
    let i = notes.indexOf(note);
    if (i < 0) i = notes.push(note) - 1;
    return `[${i + 1}]`;
  };
  const header = ['query', 'system', 'path', 'status', 'events', 'events/s', 'ev/s/core', 'target ev/s/core',
    'Flink ev/s/core', 'p50 ms', 'p99 ms', 'target p99', 'peak RSS MB', 'state MB', 'notes'];
  const rows = results.map((r) => [
    r.query, r.system, r.path, r.status, num(r.events || null), kilo(r.eventsPerSecond), kilo(r.eventsPerCoreSecond),
    r.targetPerCore === null ? '' : `≥ ${kilo(r.targetPerCore)}`,
    r.system === 'sluice' ? kilo(FLINK_PER_CORE[r.query] ?? null) : '', num(r.p50Ms, 1), num(r.p99Ms, 1),
    r.targetP99Ms === null ? '' : `≤ ${num(r.targetP99Ms)}`, mb(r.peakRssBytes), mb(r.stateBytes), noteRef(r.note),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c < 4 || c === cells.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (notes.length > 0) out.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return out.join('\n');
}

/** Sluice / PostgreSQL per query, against Sluice's COPY path (the same client protocol) or else its first path. */
export function formatComparison(results: readonly BenchResult[]): string {
  const pg = results.filter((r) => r.system === 'postgres' && r.status === 'ok');
  if (pg.length === 0) return '';
  const lines = ['Sluice / PostgreSQL (throughput: higher is better for Sluice; latency: lower is better for Sluice)',
    'query  sluice path  events/s  ev/s/core  target ev/s/core  p50 latency  p99 latency'];
  for (const p of pg) {
    const sluice = results.filter((r) => r.system === 'sluice' && r.query === p.query && r.status === 'ok');
    const s = sluice.find((r) => r.path === 'copy') ?? sluice[0];
    const ratio = (a: number | null | undefined, b: number | null | undefined): string =>
      a == null || b == null || b === 0 ? '-' : `${num(a / b, 2)}x`;
    lines.push([p.query.padEnd(5), (s?.path ?? 'none').padEnd(11), ratio(s?.eventsPerSecond, p.eventsPerSecond).padStart(8),
      ratio(s?.eventsPerCoreSecond, p.eventsPerCoreSecond).padStart(9),
      (nexmarkVsPostgresTarget(p.query) === null ? '' : `≥ ${nexmarkVsPostgresTarget(p.query)}x`).padStart(16),
      ratio(s?.p50Ms, p.p50Ms).padStart(11),
      ratio(s?.p99Ms, p.p99Ms).padStart(11)].join('  '));
  }
  return lines.join('\n');
}

// Issue 14's workloads report figures, not query rows: one figure is one measure with Sluice's value, PostgreSQL's
// from the same run (where the workload has a counterpart there), and the target printed beside them with whether
// the printed values meet it. The same objects go to --json.

import type { WorkloadName } from '../settings';
import type { Target } from './targets';

export type WorkloadStatus = 'ok' | 'too slow' | 'error' | 'skipped';

export interface Figure {
  readonly measure: string;
  readonly unit: string;
  readonly sluice: number | null;
  readonly postgres: number | null;
  readonly target: string;
  /** null when there is no target or a figure it needs is missing. */
  readonly met: boolean | null;
}

export interface WorkloadReport {
  readonly workload: WorkloadName;
  status: WorkloadStatus;
  /** How it was run, or why it did not finish. */
  note: string;
  readonly figures: Figure[];
}

export function figure(measure: string, unit: string, sluice: number | null, postgres: number | null, target?: Target): Figure {
  const met = target && sluice !== null ? target.met(sluice, postgres) : null;
  return { measure, unit, sluice, postgres, target: target?.text ?? '', met };
}

const UNIT_FORMAT: Record<string, (n: number) => string> = {
  'rows/s': (n) => compact(n),
  'statements/s': (n) => n.toLocaleString('en-US', { maximumFractionDigits: 0 }),
  bytes: (n) => `${(n / (1024 * 1024)).toFixed(1)} MB`,
  ms: (n) => `${n.toFixed(1)} ms`,
  s: (n) => `${n.toFixed(2)} s`,
};

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} K`;
  return n.toFixed(0);
}

function show(n: number | null, unit: string): string {
  if (n === null || !Number.isFinite(n)) return '-';
  return (UNIT_FORMAT[unit] ?? ((x: number) => `${x.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}`))(n);
}

export function formatFigures(reports: readonly WorkloadReport[]): string {
  const header = ['workload', 'status', 'figure', 'sluice', 'postgres', 'target', 'met'];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const r of reports) {
    if (r.note) notes.push(`${r.workload}: ${r.note}`);
    if (r.figures.length === 0) rows.push([r.workload, r.status, '', '', '', '', '']);
    for (const f of r.figures) {
      rows.push([r.workload, r.status, f.measure, show(f.sluice, f.unit), show(f.postgres, f.unit), f.target,
        f.met === null ? '' : f.met ? 'yes' : 'no']);
    }
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 3 || c === 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}

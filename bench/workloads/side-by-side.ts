// Runs a workload's Sluice side, then its PostgreSQL side (when a cluster is up), each failure kept as that side's
// note rather than thrown: a figure is printed only for a side that finished.

import { failureOf } from '../sluice/target';
import type { PgCluster } from '../postgres/cluster';
import type { WorkloadReport } from '../report/figures';
import type { WorkloadName } from '../settings';

export interface Sides<R> {
  readonly sluice: R | null;
  readonly postgres: R | null;
}

export async function sideBySide<R>(
  report: WorkloadReport, pg: PgCluster | null,
  onSluice: () => Promise<R>, onPostgres: (cluster: PgCluster) => Promise<R>,
): Promise<Sides<R>> {
  const notes: string[] = report.note ? [report.note] : [];
  const attempt = async (side: string, run: () => Promise<R>): Promise<R | null> => {
    try {
      return await run();
    } catch (e) {
      const f = failureOf(e);
      notes.push(`${side} ${f.code ? `${f.code}: ` : ''}${f.message}`);
      return null;
    }
  };
  const sluice = await attempt('sluice', onSluice);
  if (sluice === null) report.status = 'error';
  const postgres = pg ? await attempt('postgres', () => onPostgres(pg)) : null;
  if (!pg) notes.push('postgres not run');
  report.note = notes.join('; ');
  return { sluice, postgres };
}

export function newReport(workload: WorkloadName, note = ''): WorkloadReport {
  return { workload, status: 'ok', note, figures: [] };
}

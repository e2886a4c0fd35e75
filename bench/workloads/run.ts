// Issue 14's workloads other than Nexmark, in a fixed order, sharing one throwaway PostgreSQL cluster for their
// side-by-side runs (none when --no-postgres or when PostgreSQL cannot start: the Sluice figures still print).

import { findPgBin, type PgCluster, startPgCluster } from '../postgres/cluster';
import type { WorkloadReport } from '../report/figures';
import type { BenchSettings, WorkloadName } from '../settings';
import { runCopyAgg } from './copy-agg';
import { runLiveness } from './liveness';
import { runManyQueries } from './many-queries';
import { runSmallInserts } from './small-inserts';

const RUNNERS: Record<Exclude<WorkloadName, 'nexmark'>, (s: BenchSettings, pg: PgCluster | null) => Promise<WorkloadReport>> = {
  'copy-agg': runCopyAgg,
  'small-inserts': runSmallInserts,
  liveness: runLiveness,
  'many-queries': (s) => runManyQueries(s),
};

export async function runWorkloads(settings: BenchSettings, onReport: (r: WorkloadReport) => void): Promise<WorkloadReport[]> {
  const wanted = (Object.keys(RUNNERS) as (keyof typeof RUNNERS)[]).filter((w) => settings.workloads.includes(w));
  if (wanted.length === 0) return [];
  const pg = settings.postgres && wanted.some((w) => w !== 'many-queries') ? await startPostgres() : null;
  const reports: WorkloadReport[] = [];
  try {
    for (const w of wanted) {
      const r = await RUNNERS[w](settings, pg);
      reports.push(r);
      onReport(r);
    }
  } finally {
    await pg?.stop();
  }
  return reports;
}

async function startPostgres(): Promise<PgCluster | null> {
  const bin = findPgBin();
  if ('reason' in bin) {
    process.stderr.write(`PostgreSQL side by side skipped: ${bin.reason}\n`);
    return null;
  }
  try {
    return await startPgCluster(bin.dir);
  } catch (e) {
    process.stderr.write(`PostgreSQL side by side skipped: ${(e as Error).message}\n`);
    return null;
  }
}

// Workload liveness (issue 14): a second session sends `SELECT 1` every 10 ms on a fresh server during its first
// catalog statement, during a copy-agg COPY of N rows, and during what follows until the result holds every row
// (Sluice: the epochs; PostgreSQL: the GROUP BY). p50 / p99 / max round trip per phase.

import type { LatencySummary } from '../measure/pinger';
import type { PgCluster } from '../postgres/cluster';
import { figure, type WorkloadReport } from '../report/figures';
import { TARGETS } from '../report/targets';
import type { BenchSettings } from '../settings';
import { aggRows } from './agg-rows';
import { copyAggOnPostgres, copyAggOnSluice, type LivenessPhase } from './copy-agg-runs';
import { newReport, sideBySide } from './side-by-side';

const PHASES: Record<LivenessPhase, string> = {
  catalog: 'first catalog statement',
  copy: 'the COPY',
  after: 'epochs after COPY (postgres: GROUP BY)',
};

export async function runLiveness(settings: BenchSettings, pg: PgCluster | null): Promise<WorkloadReport> {
  const data = aggRows(settings.copyRows, settings.seed);
  const report = newReport('liveness', `SELECT 1 every 10 ms on a second connection; COPY of ` +
    `${data.rows.toLocaleString('en-US')} rows as in copy-agg`);
  const { sluice, postgres } = await sideBySide(report, pg,
    () => copyAggOnSluice(data, settings.triggerMs, true), (cluster) => copyAggOnPostgres(cluster, data, true));
  const samples: string[] = [];
  for (const phase of Object.keys(PHASES) as LivenessPhase[]) {
    const s: LatencySummary | undefined = sluice?.liveness?.[phase];
    const p: LatencySummary | undefined = postgres?.liveness?.[phase];
    samples.push(`${phase} ${s?.samples ?? 0}/${p?.samples ?? 0}`);
    report.figures.push(
      figure(`SELECT 1 p50 during ${PHASES[phase]}`, 'ms', s?.p50Ms ?? null, p?.p50Ms ?? null),
      figure(`SELECT 1 p99 during ${PHASES[phase]}`, 'ms', s?.p99Ms ?? null, p?.p99Ms ?? null, TARGETS.selectOneP99),
      figure(`SELECT 1 max during ${PHASES[phase]}`, 'ms', s?.maxMs ?? null, p?.maxMs ?? null),
    );
  }
  report.note += `; samples sluice/postgres: ${samples.join(', ')}`;
  return report;
}

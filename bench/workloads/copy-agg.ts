// Workload copy-agg (issue 14, "ingest + continuous aggregate"): COPY N CSV rows into a stream feeding a grouped
// continuous query, until the result holds every row, against PostgreSQL's COPY + the same GROUP BY. Rows are
// described in agg-rows.ts, the runs in copy-agg-runs.ts.

import type { PgCluster } from '../postgres/cluster';
import { figure, type WorkloadReport } from '../report/figures';
import { TARGETS } from '../report/targets';
import type { BenchSettings } from '../settings';
import { aggRows } from './agg-rows';
import { copyAggOnPostgres, copyAggOnSluice } from './copy-agg-runs';
import { newReport, sideBySide } from './side-by-side';

export async function runCopyAgg(settings: BenchSettings, pg: PgCluster | null): Promise<WorkloadReport> {
  const data = aggRows(settings.copyRows, settings.seed);
  const report = newReport('copy-agg', `${data.rows.toLocaleString('en-US')} rows, COPY (FORMAT csv) over TCP, ` +
    `trigger ${settings.triggerMs} ms; postgres: COPY + CREATE TABLE AS`);
  const { sluice, postgres } = await sideBySide(report, pg,
    () => copyAggOnSluice(data, settings.triggerMs, false), (cluster) => copyAggOnPostgres(cluster, data, false));
  const s = sluice;
  const p = postgres;
  report.figures.push(
    figure('rows/s until the result holds every row', 'rows/s', s?.rowsPerSecond ?? null, p?.rowsPerSecond ?? null,
      TARGETS.copyAggRate),
    figure('server CPU', 's', s?.cpuSeconds ?? null, p?.cpuSeconds ?? null),
    figure('peak server RSS (postgres: PSS of all its processes)', 'bytes', s?.peakRssBytes ?? null,
      p?.peakRssBytes ?? null, TARGETS.copyAggPeakRss),
    figure('query state (postgres: result table)', 'bytes', s?.stateBytes ?? null, p?.stateBytes ?? null),
  );
  return report;
}

// One COPY + continuous aggregate, on each system, with an optional second session pinging it (the liveness
// workload). The clock runs from the COPY's first byte until the result holds every row:
//   Sluice: COPY into a stream feeding the continuous query, then poll sluice.queries until rows_in reaches the
//           row count (rows_in commits with the epoch, so the result then reflects every row);
//   PostgreSQL: COPY into a table, then CREATE TABLE ... AS the same GROUP BY (its only way to "hold every row").
// Both results are checked (sum of counts, sum of sums) after the clock stops. CPU and memory are the server's.

import type { Client } from 'pg';
import { processCpuSeconds } from '../measure/cpu';
import { PeakSampler, processRss } from '../measure/memory';
import { type LatencySummary, Pinger } from '../measure/pinger';
import { nowMs } from '../measure/stats';
import { pgTreeCpuSeconds, pgTreePss, type PgCluster } from '../postgres/cluster';
import { waitForRowsIn } from '../sluice/progress';
import { copyFrom } from '../wire/copy-in';
import { startSluiceServer } from '../wire/sluice-server';
import { AGG_COLUMNS, AGG_COPY, AGG_SELECT, type AggRows, CATALOG_SQL, checkAggResult } from './agg-rows';

/** The phases a pinger reports: the first catalog statement, the COPY, and what follows until the result is whole. */
export type LivenessPhase = 'catalog' | 'copy' | 'after';

export interface CopyAggRun {
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  /** Sluice's sluice.queries.state_bytes; PostgreSQL's result table size. */
  readonly stateBytes: number | null;
  /** Per phase, when run with a pinger. */
  readonly liveness: Record<LivenessPhase, LatencySummary> | null;
}

export async function copyAggOnSluice(data: AggRows, triggerMs: number, withPinger: boolean): Promise<CopyAggRun> {
  const server = await startSluiceServer();
  const clients: Client[] = [];
  let pinger: Pinger | null = null;
  try {
    const connect = async (): Promise<Client> => {
      const c = await server.connect();
      clients.push(c);
      return c;
    };
    const control = await connect();
    const copier = await connect();
    const sql = { sql: async (text: string) => (await control.query({ text, rowMode: 'array' })).rows };
    if (withPinger) {
      pinger = new Pinger(await connect());
      pinger.enter('catalog');
      await control.query(CATALOG_SQL);
      pinger.enter(null);
    }
    await control.query(`CREATE STREAM agg_in ${AGG_COLUMNS}`);
    await control.query(`CREATE CONTINUOUS QUERY agg WITH (trigger_interval = '${triggerMs} milliseconds') AS ${AGG_SELECT}`);

    const peak = new PeakSampler(processRss(server.pid)).start();
    const cpu = processCpuSeconds(server.pid);
    const cpu0 = cpu();
    const t0 = nowMs();
    pinger?.enter('copy');
    await copyFrom(copier, AGG_COPY, data.body);
    pinger?.enter('after');
    // One epoch may take the whole COPY at once, and rows_in moves only when it commits: no stall rule, a deadline.
    const deadlineMs = 60_000 + data.rows / 5;
    const progress = await waitForRowsIn(sql, 'agg', data.rows, deadlineMs, 20, deadlineMs);
    const seconds = (nowMs() - t0) / 1000;
    const cpuSeconds = cpu() - cpu0;
    pinger?.enter(null);
    const peakRssBytes = peak.stop();

    checkAggResult(data, (await sql.sql('SELECT sum(n), sum(total) FROM agg'))[0]);
    const liveness = await stopPinger(pinger);
    pinger = null;
    return { seconds, rowsPerSecond: data.rows / seconds, cpuSeconds, peakRssBytes, stateBytes: progress.stateBytes, liveness };
  } finally {
    await pinger?.stop().catch(() => undefined);
    for (const c of clients) await c.end().catch(() => undefined);
    await server.stop();
  }
}

export async function copyAggOnPostgres(cluster: PgCluster, data: AggRows, withPinger: boolean): Promise<CopyAggRun> {
  const database = withPinger ? 'bench_liveness' : 'bench_copy_agg';
  const admin = await cluster.connect();
  const clients: Client[] = [];
  let pinger: Pinger | null = null;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const connect = async (): Promise<Client> => {
      const c = await cluster.connect(database);
      clients.push(c);
      return c;
    };
    const ingest = await connect();
    if (withPinger) {
      pinger = new Pinger(await connect());
      pinger.enter('catalog');
      await ingest.query(CATALOG_SQL);
      pinger.enter(null);
    }
    await ingest.query(`CREATE TABLE agg_in ${AGG_COLUMNS}`);

    const peak = new PeakSampler(pgTreePss(cluster.pid)).start();
    const cpu = pgTreeCpuSeconds(cluster.pid);
    const cpu0 = cpu();
    const t0 = nowMs();
    pinger?.enter('copy');
    await copyFrom(ingest, AGG_COPY, data.body);
    pinger?.enter('after');
    await ingest.query(`CREATE TABLE agg AS ${AGG_SELECT}`);
    const seconds = (nowMs() - t0) / 1000;
    const cpuSeconds = cpu() - cpu0;
    pinger?.enter(null);
    const peakRssBytes = peak.stop();

    checkAggResult(data, (await ingest.query({ text: 'SELECT sum(n), sum(total) FROM agg', rowMode: 'array' })).rows[0]);
    const size = await ingest.query(`SELECT pg_total_relation_size('agg') AS bytes`);
    const liveness = await stopPinger(pinger);
    pinger = null;
    return {
      seconds, rowsPerSecond: data.rows / seconds, cpuSeconds, peakRssBytes, stateBytes: Number(size.rows[0].bytes), liveness,
    };
  } finally {
    await pinger?.stop().catch(() => undefined);
    for (const c of clients) await c.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

async function stopPinger(pinger: Pinger | null): Promise<Record<LivenessPhase, LatencySummary> | null> {
  if (!pinger) return null;
  await pinger.stop();
  return { catalog: pinger.summary('catalog'), copy: pinger.summary('copy'), after: pinger.summary('after') };
}

// Workload small-inserts (issue 14, "small statements"): 4 connections each send 10-row INSERTs back to back for a
// fixed time; statements/s over all of them. The INSERT is one named prepared statement with 30 parameters per
// connection (what a driver does for a statement it repeats). Sluice inserts into a stream with no query reading
// it, PostgreSQL into a table with no index: the cost of acknowledging a small durable write, nothing else.

import type { Client } from 'pg';
import { nowMs } from '../measure/stats';
import type { PgCluster } from '../postgres/cluster';
import { figure, type WorkloadReport } from '../report/figures';
import { TARGETS } from '../report/targets';
import type { BenchSettings } from '../settings';
import { startSluiceServer } from '../wire/sluice-server';
import { newReport, sideBySide } from './side-by-side';

const CONNECTIONS = 4;
const ROWS_PER_STATEMENT = 10;
const COLUMNS = '(k BIGINT, v BIGINT, t BIGINT)';
const INSERT = `INSERT INTO si_in VALUES ${Array.from({ length: ROWS_PER_STATEMENT },
  (_, r) => `($${3 * r + 1}, $${3 * r + 2}, $${3 * r + 3})`).join(', ')}`;

interface InsertRun {
  readonly statements: number;
  readonly statementsPerSecond: number;
}

export async function runSmallInserts(settings: BenchSettings, pg: PgCluster | null): Promise<WorkloadReport> {
  const report = newReport('small-inserts', `${CONNECTIONS} connections × ${ROWS_PER_STATEMENT}-row INSERTs ` +
    `(prepared, 30 parameters) for ${settings.insertSeconds} s; sluice: a stream, postgres: a table`);
  const { sluice, postgres } = await sideBySide(report, pg,
    () => onSluice(settings.insertSeconds), (cluster) => onPostgres(cluster, settings.insertSeconds));
  report.figures.push(figure('10-row INSERT statements/s', 'statements/s', sluice?.statementsPerSecond ?? null,
    postgres?.statementsPerSecond ?? null, TARGETS.smallInsertRate));
  return report;
}

async function onSluice(seconds: number): Promise<InsertRun> {
  const server = await startSluiceServer();
  try {
    const control = await server.connect();
    await control.query(`CREATE STREAM si_in ${COLUMNS}`);
    await control.end();
    return await insertFor(() => server.connect(), seconds);
  } finally {
    await server.stop();
  }
}

async function onPostgres(cluster: PgCluster, seconds: number): Promise<InsertRun> {
  const admin = await cluster.connect();
  try {
    await admin.query('DROP DATABASE IF EXISTS bench_small_inserts');
    await admin.query('CREATE DATABASE bench_small_inserts');
    const control = await cluster.connect('bench_small_inserts');
    await control.query(`CREATE TABLE si_in ${COLUMNS}`);
    await control.end();
    return await insertFor(() => cluster.connect('bench_small_inserts'), seconds);
  } finally {
    await admin.query('DROP DATABASE IF EXISTS bench_small_inserts').catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

/** Every connection inserts until the time is up; the rate counts until the last statement in flight returns. */
async function insertFor(connect: () => Promise<Client>, seconds: number): Promise<InsertRun> {
  const clients: Client[] = [];
  try {
    for (let c = 0; c < CONNECTIONS; c++) clients.push(await connect());
    const start = nowMs();
    const end = start + seconds * 1000;
    let statements = 0;
    await Promise.all(clients.map(async (client, c) => {
      const values = new Array<number>(3 * ROWS_PER_STATEMENT);
      for (let n = 0; nowMs() < end; n++) {
        for (let r = 0; r < ROWS_PER_STATEMENT; r++) {
          values[3 * r] = c;
          values[3 * r + 1] = r;
          values[3 * r + 2] = n;
        }
        await client.query({ name: 'insert10', text: INSERT, values });
        statements++;
      }
    }));
    return { statements, statementsPerSecond: statements / ((nowMs() - start) / 1000) };
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
  }
}

// Workload many-queries (issue 14): N continuous queries over one stream. Times each CREATE (the mean of the first
// 100 and of the last 100), then inserts one row and times until every query has consumed it (sluice.queries rows_in,
// counted in one statement), while a second session's `SELECT 1` every 10 ms shows whether the server stays live.
// Both phases have a deadline that grows with N; beyond it the workload stops and reports "too slow" with how far
// it got, rather than hang. PostgreSQL has no counterpart (a view is recomputed when read), so no figure there.

import type { Client } from 'pg';
import { Pinger } from '../measure/pinger';
import { nowMs, sleep } from '../measure/stats';
import { figure, type WorkloadReport } from '../report/figures';
import { TARGETS } from '../report/targets';
import type { BenchSettings } from '../settings';
import { failureOf } from '../sluice/target';
import { startSluiceServer } from '../wire/sluice-server';
import { newReport } from './side-by-side';

const EDGE = 100;
const POLL_MS = 20;
const createDeadlineMs = (n: number): number => 120_000 + 20 * n;
const reachDeadlineMs = (n: number): number => 60_000 + 10 * n;

class TooSlow extends Error {}

export async function runManyQueries(settings: BenchSettings): Promise<WorkloadReport> {
  const n = settings.manyQueries;
  const report = newReport('many-queries', `${n.toLocaleString('en-US')} continuous queries over one stream, ` +
    `trigger ${settings.triggerMs} ms; postgres has no counterpart`);
  const createMs: number[] = [];
  let reachMs: number | null = null;
  const server = await startSluiceServer();
  const clients: Client[] = [];
  let pinger: Pinger | null = null;
  try {
    const control = await server.connect();
    clients.push(control);
    const pings = await server.connect();
    clients.push(pings);
    pinger = new Pinger(pings);
    pinger.enter('all');
    await control.query('CREATE STREAM mq_in (k BIGINT, v BIGINT, t BIGINT)');
    const createsBegan = nowMs();
    for (let i = 0; i < n; i++) {
      if (nowMs() - createsBegan > createDeadlineMs(n)) {
        throw new TooSlow(`created ${i} of ${n} queries in ${Math.round(createDeadlineMs(n) / 1000)} s`);
      }
      const t0 = nowMs();
      // Each query its own text (a different filter), as when many users each ask their own question.
      await control.query(`CREATE CONTINUOUS QUERY mq_${i} WITH (trigger_interval = '${settings.triggerMs} milliseconds') ` +
        `AS SELECT count(*) AS n, sum(v) AS total FROM mq_in WHERE k <> ${i}`);
      createMs.push(nowMs() - t0);
    }
    await control.query('INSERT INTO mq_in VALUES (-1, 1, 0)');
    const inserted = nowMs();
    for (let reached = 0; reached < n;) {
      const rows = await control.query({ text: 'SELECT count(*) FROM sluice.queries WHERE rows_in >= 1', rowMode: 'array' });
      reached = Number(rows.rows[0][0]);
      if (reached >= n) break;
      if (nowMs() - inserted > reachDeadlineMs(n)) {
        throw new TooSlow(`the row reached ${reached} of ${n} queries in ${Math.round(reachDeadlineMs(n) / 1000)} s`);
      }
      await sleep(POLL_MS);
    }
    reachMs = nowMs() - inserted;
  } catch (e) {
    report.status = e instanceof TooSlow ? 'too slow' : 'error';
    const f = failureOf(e);
    report.note += `; ${f.code ? `${f.code}: ` : ''}${f.message}`;
  } finally {
    await pinger?.stop().catch(() => undefined);
    for (const c of clients) await c.end().catch(() => undefined);
    await server.stop();
  }
  const first = mean(createMs.slice(0, EDGE));
  // On a run stopped as too slow, "the last 100" are the last ones created before the deadline.
  const last = mean(createMs.slice(-EDGE));
  const pings = pinger?.summary('all');
  report.figures.push(
    figure(`CREATE CONTINUOUS QUERY, mean of the first ${EDGE}`, 'ms', first, null),
    figure(`CREATE CONTINUOUS QUERY, mean of the last ${EDGE}`, 'ms', last, null,
      first === null ? undefined : TARGETS.lastCreates(first)),
    figure('one inserted row reaches every query', 'ms', reachMs, null, TARGETS.reachAll(settings.triggerMs)),
    figure('SELECT 1 p99 meanwhile', 'ms', pings?.p99Ms ?? null, null, TARGETS.selectOneP99),
    figure('SELECT 1 max meanwhile', 'ms', pings?.maxMs ?? null, null),
  );
  return report;
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

// The invariant of SQL.md, checked end to end: a continuous query's result equals the same SELECT run as a batch (a
// pull query) over all input applied so far; for EMIT ON WINDOW CLOSE, over the closed windows (window_end <= the
// query's watermark). The database is opened in-process on a temp directory; statements go through the real
// Backend (planner, runtime, storage); every stream keeps its rows (retention) so that a pull SELECT can read them
// back. Epochs are run by calling each QueryRunner's runEpoch() directly, so a seed replays exactly; the database is
// closed and reopened on the same directory at random points, and results must go on matching.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSluice, type Sluice } from '../../server/sluice';
import { silentLogger } from '../../server/log';
import type { SessionState, StatementResult } from '../../server/backend';
import type { Value } from '../../engine/types';
import { formatTimestamp } from '../../engine/values/datetime';

import { seededRandom as rng } from '../helpers/random';
export { rng };

export interface DiffQuery {
  readonly name: string;
  /** The SELECT the continuous query runs. */
  readonly select: string;
  /** The same SELECT as a pull query over the inputs (default: `select`); chained queries inline their upstream. */
  readonly batch?: string;
  readonly emitOnWindowClose?: boolean;
  /** Columns compared within a tolerance instead of exactly, with a check of its own (approximate aggregates). */
  readonly approx?: { readonly columns: readonly number[]; readonly check: (incremental: number, batch: number) => boolean };
}

const STREAM_COLUMNS = 'k TEXT, g INTEGER, v DOUBLE PRECISION, b BOOLEAN, ts TIMESTAMPTZ NOT NULL';
const WATERMARK_DELAY_S = 5;

const UP_SUM = 'SELECT k, sum(g) AS total, count(*) AS n FROM s1 GROUP BY k';
const UP_TUMBLE = 'SELECT window_start, window_end, k, count(*) AS n, sum(v) AS sv FROM TUMBLE(s1, ts, INTERVAL \'10 seconds\') GROUP BY window_start, window_end, k';

function windowTop(comparison: '=' | '>='): string {
  const window = 'TUMBLE(s1, ts, INTERVAL \'10 seconds\')';
  return `SELECT B.k, B.g, B.ts, M.window_start, M.top FROM ${window} AS B JOIN (SELECT max(g) AS top, window_start, window_end ` +
    `FROM ${window} GROUP BY window_start, window_end) AS M ` +
    `ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.g ${comparison} M.top`;
}

/** The continuous queries every run creates, upstream before downstream. */
const HOT_HOP = 'HOP(s1, ts, INTERVAL \'2 seconds\', INTERVAL \'6 seconds\')';

export const QUERIES: readonly DiffQuery[] = [
  { name: 'q_filter', select: 'SELECT k, g, v * 2 AS v2, ts FROM s1 WHERE g > 10 OR k IS NULL' },
  { name: 'q_project', select: 'SELECT upper(k) AS uk, CASE WHEN b THEN g ELSE -g END AS sg, coalesce(v, 0) + 1 AS v1 FROM s2 WHERE v IS NOT NULL OR b' },
  {
    name: 'q_group',
    select: 'SELECT k, count(*) AS n, count(v) AS nv, sum(g) AS sg, avg(v) AS av, min(v) AS mn, max(ts) AS mx, ' +
      'count(DISTINCT g) AS dg, stddev(v) AS sd, bool_and(b) AS ba, bool_or(b) AS bo FROM s1 GROUP BY k',
  },
  { name: 'q_global', select: 'SELECT count(*) AS n, sum(v) AS sv, min(g) AS mg, max(k) AS mk, avg(g) AS ag FROM s2' },
  { name: 'q_having', select: 'SELECT g % 5 AS bucket, count(*) AS n, sum(v) AS sv FROM s1 GROUP BY 1 HAVING count(*) > 2' },
  { name: 'q_union', select: 'SELECT k, g FROM s1 WHERE g > 50 UNION ALL SELECT k, g FROM s2 WHERE g < 0' },
  { name: 'q_tumble', select: UP_TUMBLE },
  {
    name: 'q_hop',
    select: 'SELECT window_start, window_end, count(*) AS n, avg(g) AS ag, count(DISTINCT k) AS dk, max(v) AS mv, stddev(g) AS sd ' +
      'FROM HOP(s1, ts, INTERVAL \'5 seconds\', INTERVAL \'15 seconds\') GROUP BY window_start, window_end',
  },
  {
    name: 'q_session',
    select: 'SELECT k, window_start, window_end, count(*) AS n, sum(g) AS sg, bool_or(b) AS bo, min(ts) AS first ' +
      'FROM SESSION(s2, ts, INTERVAL \'4 seconds\') GROUP BY k, window_start, window_end',
  },
  {
    name: 'q_tumble_closed', emitOnWindowClose: true,
    select: 'SELECT window_start, window_end, count(*) AS n, sum(g) AS sg, min(v) AS mv, bool_and(b) AS ba ' +
      'FROM TUMBLE(s2, ts, INTERVAL \'10 seconds\') WHERE k IS NOT NULL GROUP BY window_start, window_end',
  },
  {
    name: 'q_session_closed', emitOnWindowClose: true,
    select: 'SELECT k, window_start, window_end, count(*) AS n, avg(v) AS av ' +
      'FROM SESSION(s1, ts, INTERVAL \'3 seconds\') GROUP BY k, window_start, window_end',
  },
  {
    // Nexmark q5's shape: the HOP and its count are one shared operator read by both sides of the join, and the max
    // of counts per window (and so the join) evict closed windows.
    name: 'q_hot',
    select: 'SELECT a.k, a.n, a.window_start, a.window_end FROM (SELECT k, count(*) AS n, window_start, window_end ' +
      `FROM ${HOT_HOP} GROUP BY k, window_start, window_end) AS a JOIN (SELECT max(c.n) AS maxn, c.window_start, c.window_end ` +
      `FROM (SELECT count(*) AS n, window_start, window_end FROM ${HOT_HOP} GROUP BY k, window_start, window_end) AS c ` +
      'GROUP BY c.window_start, c.window_end) AS m ' +
      'ON a.window_start = m.window_start AND a.window_end = m.window_end AND a.n >= m.maxn',
  },
  {
    name: 'q_approx',
    select: 'SELECT k, approx_count_distinct(g) AS a, count(DISTINCT g) AS d FROM s1 GROUP BY k',
    // HyperLogLog within 2% (and at most 1 off on tiny counts) of the exact count, in both runs.
    approx: { columns: [1], check: (a, b) => Math.abs(a - b) <= Math.max(1, 0.02 * b) },
  },
  // The rows holding their window's largest g (Nexmark q7's shape, planned as a window max). The batch form says
  // g >= max(g), the same rows, which the planner leaves a join: the window max is checked against a join.
  { name: 'q_window_top', select: windowTop('='), batch: windowTop('>=') },
  // Top-n, kept current. The ORDER BY keys order every distinct row, so the batch's LIMIT keeps the same rows: over
  // an aggregate (groups move in and out), and over the stream itself (append-only: only the top rows are kept).
  { name: 'q_top_groups', select: 'SELECT k, sum(g) AS total, count(*) AS n FROM s1 GROUP BY k ORDER BY total DESC NULLS LAST, k LIMIT 3' },
  { name: 'q_top_rows', select: 'SELECT k, g, v, ts FROM s2 WHERE g IS NOT NULL ORDER BY g DESC, ts, k, v LIMIT 4 OFFSET 1' },
  // Column aliases in FROM: a partial list renames the first columns.
  { name: 'q_col_alias', select: 'SELECT kk, n, x.g FROM (SELECT k, count(*) AS n, max(g) AS g FROM s1 GROUP BY k) AS x(kk) WHERE n > 1' },
  // An untyped NULL in a UNION branch takes the other branch's type.
  { name: 'q_union_null', select: 'SELECT k, NULL AS g, \'s1\' AS src FROM s1 WHERE g > 80 UNION ALL SELECT k, g, \'s2\' FROM s2 WHERE g < 0' },
  // [NOT] EXISTS, correlated by equality and not: joins with the subquery's distinct keys.
  { name: 'q_exists', select: 'SELECT k, g, ts FROM s1 WHERE EXISTS (SELECT 1 FROM s2 WHERE s2.k = s1.k AND s2.g > 50) AND g > 0' },
  { name: 'q_not_exists', select: 'SELECT k, count(*) AS n FROM s1 WHERE NOT EXISTS (SELECT 1 FROM s2 WHERE s2.g = s1.g) GROUP BY k' },
  { name: 'q_exists_any', select: 'SELECT k, g FROM s2 WHERE NOT EXISTS (SELECT 1 FROM s1 WHERE g > 95)' },
  // Scalar subqueries: one-row relations joined in, so the result follows their changing values.
  { name: 'q_scalar_where', select: 'SELECT k, g, ts FROM s1 WHERE g > (SELECT avg(g) FROM s2) + 10' },
  {
    name: 'q_scalar_grouped',
    select: 'SELECT k, count(*) AS n, (SELECT max(g) FROM s2 WHERE b) AS top FROM s1 GROUP BY k HAVING count(*) > (SELECT count(*) FROM s2) / 20',
  },
  {
    name: 'q_scalar_correlated',
    select: 'SELECT k, g, (SELECT count(*) FROM s2 WHERE s2.k = s1.k) AS n, (SELECT max(v) FROM s2 WHERE s2.k = s1.k AND s2.g > 0) AS top FROM s1 WHERE g > 50',
  },
  // NOT IN with PostgreSQL's NULLs: s2's k is sometimes NULL, and then nothing is NOT IN it.
  { name: 'q_not_in', select: 'SELECT k, g FROM s1 WHERE g NOT IN (SELECT g FROM s2 WHERE b) AND k NOT IN (SELECT k FROM s2 WHERE g > 90)' },
  // Chained: a query over a continuous query's changing result. The batch form inlines the upstream SELECT.
  { name: 'up_sum', select: UP_SUM },
  {
    name: 'q_bands',
    select: 'SELECT CASE WHEN total >= 100 THEN \'high\' WHEN total >= 0 THEN \'mid\' ELSE \'low\' END AS band, count(*) AS customers, sum(n) AS rows ' +
      'FROM up_sum GROUP BY 1',
    batch: 'SELECT CASE WHEN total >= 100 THEN \'high\' WHEN total >= 0 THEN \'mid\' ELSE \'low\' END AS band, count(*) AS customers, sum(n) AS rows ' +
      `FROM (${UP_SUM}) AS up_sum GROUP BY 1`,
  },
  {
    name: 'q_windows_per_key',
    select: 'SELECT k, count(*) AS windows, min(n) AS least, max(sv) AS most, count(DISTINCT n) AS dn FROM q_tumble GROUP BY k',
    batch: `SELECT k, count(*) AS windows, min(n) AS least, max(sv) AS most, count(DISTINCT n) AS dn FROM (${UP_TUMBLE}) AS q_tumble GROUP BY k`,
  },
  // A top-n over another query's changing result.
  {
    name: 'q_top_chained',
    select: 'SELECT k, total FROM up_sum ORDER BY total, k LIMIT 2 OFFSET 1',
    batch: `SELECT k, total FROM (${UP_SUM}) AS up_sum ORDER BY total, k LIMIT 2 OFFSET 1`,
  },
  // Outer joins of changing results: a row whose match comes (or goes, as sums and counts change the residual's
  // answer) is retracted (or comes back) NULL-extended; NULL keys never match.
  {
    name: 'q_full_join',
    select: 'SELECT a.k, a.total, b.k AS bk, b.n FROM (SELECT k, sum(g) AS total FROM s1 GROUP BY k) AS a ' +
      'FULL JOIN (SELECT k, count(*) AS n FROM s2 WHERE g > 20 GROUP BY k) AS b ON a.k = b.k AND a.total > b.n * 10',
  },
  {
    name: 'q_right_join',
    select: 'SELECT t.window_start, t.n, u.k, u.total FROM q_tumble AS t RIGHT JOIN up_sum AS u ON t.k = u.k AND t.n >= 2',
    batch: `SELECT t.window_start, t.n, u.k, u.total FROM (${UP_TUMBLE}) AS t RIGHT JOIN (${UP_SUM}) AS u ON t.k = u.k AND t.n >= 2`,
  },
  // A window join of two streams, FULL: each side's rows of a window without a partner there come out NULL-extended
  // until one arrives; the join evicts a window once both watermarks have closed it.
  {
    name: 'q_full_window_join',
    select: 'SELECT a.k, a.g, a.window_start, b.k AS bk, b.g AS bg, b.window_end FROM TUMBLE(s1, ts, INTERVAL \'10 seconds\') AS a ' +
      'FULL JOIN TUMBLE(s2, ts, INTERVAL \'10 seconds\') AS b ' +
      'ON a.window_start = b.window_start AND a.window_end = b.window_end AND a.k = b.k',
  },
  // Three levels: over the bands, which are over up_sum.
  {
    name: 'q_band_total',
    select: 'SELECT sum(customers) AS customers, max(band) AS top FROM q_bands',
    batch: 'SELECT sum(customers) AS customers, max(band) AS top FROM (SELECT CASE WHEN total >= 100 THEN \'high\' WHEN total >= 0 THEN \'mid\' ' +
      `ELSE 'low' END AS band, count(*) AS customers FROM (${UP_SUM}) AS up_sum GROUP BY 1) AS q_bands`,
  },
];

export interface RunOptions {
  readonly seed: number;
  /** Steps of input; each inserts a few statements' worth of rows and usually runs an epoch. */
  readonly steps: number;
  /** Called with a line for each restart and check, when given. */
  readonly trace?: (line: string) => void;
}

export interface RunReport {
  readonly checks: number;
  readonly restarts: number;
  readonly rows: number;
  readonly lateRows: number;
}

export class DifferentialFailure extends Error {}

const SECOND = 1_000_000;
const BASE = 1_767_261_600 * SECOND; // 2026-01-01 10:00:00+00

/** Runs one seeded scenario; throws DifferentialFailure with the seed, the step and a minimal diff on a mismatch. */
export async function runScenario(opts: RunOptions): Promise<RunReport> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-diff-'));
  const r = rng(opts.seed);
  let db = await Db.open(dir);
  let checks = 0;
  let restarts = 0;
  let rows = 0;
  try {
    for (const s of ['s1', 's2']) {
      await db.exec(`CREATE STREAM ${s} (${STREAM_COLUMNS}, WATERMARK FOR ts AS ts - INTERVAL '${WATERMARK_DELAY_S} seconds') WITH (retention = '1 day')`);
    }
    for (const q of QUERIES) {
      await db.exec(`CREATE CONTINUOUS QUERY ${q.name} WITH (trigger_interval = '1 hour') AS ${q.select}${q.emitOnWindowClose ? ' EMIT ON WINDOW CLOSE' : ''}`);
    }
    const clocks = { s1: BASE, s2: BASE };
    for (let step = 0; step < opts.steps; step++) {
      const statements = 1 + Math.floor(r() * 3);
      for (let i = 0; i < statements; i++) {
        const stream = r() < 0.55 ? 's1' : 's2';
        const n = 1 + Math.floor(r() * 8);
        const values: string[] = [];
        for (let j = 0; j < n; j++) {
          clocks[stream] += Math.floor(r() * 3 * SECOND);
          // Out of order: a fifth of the rows up to 20 s back, so many fall below the 5 s watermark delay.
          const t = clocks[stream] - (r() < 0.2 ? Math.floor(r() * 20 * SECOND) : 0);
          values.push(`(${randomRow(r)}, '${formatTimestamp(BigInt(t), true)}')`);
        }
        await db.exec(`INSERT INTO ${stream} VALUES ${values.join(', ')}`);
        rows += n;
      }
      if (r() < 0.12) {
        await db.close();
        db = await Db.open(dir);
        restarts++;
        opts.trace?.(`step ${step}: restarted`);
      }
      // Usually run an epoch of every query; sometimes let input pile up across several INSERTs first.
      if (r() < 0.75 || step === opts.steps - 1) {
        await db.runEpochs();
        for (const q of QUERIES) {
          await db.check(q, opts.seed, step);
          checks++;
        }
      }
    }
    const lateRows = Number((await db.query('SELECT sum(late_rows) FROM sluice.queries'))[0][0]);
    return { checks, restarts, rows, lateRows };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function randomRow(r: () => number): string {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)];
  const k = pick(["'a'", "'b'", "'c'", "'d'", 'NULL']);
  const g = r() < 0.1 ? 'NULL' : String(Math.floor(r() * 100) - 20);
  const v = r() < 0.1 ? 'NULL' : String(Math.floor(r() * 400) / 4);
  const b = r() < 0.1 ? 'NULL' : r() < 0.5 ? 'true' : 'false';
  return `${k}, ${g}, ${v}, ${b}`;
}

const session: SessionState = {
  processId: 1, user: 'sluice', database: 'sluice', settings: new Map(), transactionStatus: 'I',
  notice: () => undefined, parameterStatus: () => undefined, trusted: true,
};

export class Db {
  private constructor(readonly sluice: Sluice) {}

  static async open(dir: string): Promise<Db> {
    return new Db(await openSluice({ dataDir: dir, log: silentLogger }));
  }

  async close(): Promise<void> {
    await this.sluice.close();
  }

  async exec(sql: string): Promise<StatementResult> {
    const [statement] = await this.sluice.backend.prepare(sql, [], session);
    return statement.execute(session, [], { signal: new AbortController().signal });
  }

  async query(sql: string): Promise<Value[][]> {
    const res = await this.exec(sql);
    if (res.kind !== 'rows') throw new Error(`not a query: ${sql}`);
    return res.rows.map((row) => [...row]);
  }

  /** One epoch of every continuous query, upstream first (the order they were created in). */
  async runEpochs(): Promise<void> {
    const runners = this.sluice.runtime.runners();
    for (const q of QUERIES) {
      const runner = runners.get(q.name);
      if (!runner) throw new Error(`continuous query ${q.name} is not running`);
      await runner.runEpoch();
      if (runner.stats.status === 'failed') throw new DifferentialFailure(`${q.name} failed: ${runner.stats.lastError}`);
    }
  }

  async check(q: DiffQuery, seed: number, step: number): Promise<void> {
    const incremental = await this.query(`SELECT * FROM ${q.name}`);
    let batchSql = q.batch ?? q.select;
    if (q.emitOnWindowClose) {
      const wm = this.sluice.runtime.runners().get(q.name)!.stats.watermark;
      batchSql = wm === null
        ? `SELECT * FROM (${batchSql}) AS b WHERE false`
        : `SELECT * FROM (${batchSql}) AS b WHERE window_end <= '${formatTimestamp(BigInt(wm), true)}'`;
    }
    const batch = await this.query(batchSql);
    const diff = compare(incremental, batch, q);
    if (diff !== null) {
      throw new DifferentialFailure(
        `seed ${seed}, step ${step}: continuous query ${q.name} differs from its batch SELECT ` +
        `(replay with SLUICE_DIFF_SEED=${seed})\n  continuous: ${q.select}\n  batch:      ${batchSql}\n${diff}`);
    }
  }
}

// --- comparing multisets ------------------------------------------------------------------------------------------

function show(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'object') return `${v.months}m${v.days}d${v.micros}us`;
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(6)));
  return JSON.stringify(v);
}

function close(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return Math.abs(a - b) <= 1e-9 + 1e-7 * Math.max(Math.abs(a), Math.abs(b));
  }
  return show(a) === show(b);
}

/** A minimal diff (rows only in one side), or null when the multisets match. */
export function compare(incremental: readonly Value[][], batch: readonly Value[][], q: DiffQuery): string | null {
  const approx = new Set(q.approx?.columns ?? []);
  const key = (row: readonly Value[]) => row.map((v, i) => (approx.has(i) ? '~' : show(v))).join(' | ');
  const sortRows = (rows: readonly Value[][]) => [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  const a = sortRows(incremental);
  const b = sortRows(batch);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  let i = 0;
  let j = 0;
  const same = (x: readonly Value[], y: readonly Value[]) => x.length === y.length && x.every((v, c) => {
    if (!approx.has(c)) return close(v, y[c]);
    return v !== null && y[c] !== null && q.approx!.check(Number(v), Number(y[c]));
  });
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && same(a[i], b[j])) { i++; j++; continue; }
    if (j >= b.length || (i < a.length && key(a[i]) <= key(b[j]))) onlyA.push(key(a[i++]));
    else onlyB.push(key(b[j++]));
  }
  if (q.approx) {
    // Each run's approximate column against the exact column next to it (approx_count_distinct vs count(DISTINCT)).
    for (const row of [...incremental, ...batch]) {
      for (const c of approx) {
        if (!q.approx.check(Number(row[c]), Number(row[c + 1]))) onlyA.push(`${key(row)}: ${row[c]} vs exact ${row[c + 1]}`);
      }
    }
  }
  if (onlyA.length === 0 && onlyB.length === 0) return null;
  const list = (xs: string[]) => (xs.length === 0 ? '    (none)' : xs.slice(0, 10).map((x) => `    ${x}`).join('\n') +
    (xs.length > 10 ? `\n    ... ${xs.length - 10} more` : ''));
  return `  ${incremental.length} rows continuous, ${batch.length} rows batch\n` +
    `  only in the continuous query's result:\n${list(onlyA)}\n  only in the batch SELECT's result:\n${list(onlyB)}`;
}

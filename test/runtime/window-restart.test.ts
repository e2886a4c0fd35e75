// A windowed continuous query with large state survives a SIGKILL restart with the answer the same SELECT gives as
// a pull query (issue 15: after 30 SIGKILLs one ended failed with "Maximum call stack size exceeded" and a wrong
// result). The epochs here hold 200 K open window groups and 200 K late rows at once: each late row is one
// dead-letter op of the epoch's write, which was spread into push()'s arguments.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, freshDataDir, startServer, type TestServer } from '../helpers/server';
import { psql } from '../helpers/psql';
import { waitForValue } from '../helpers/wait';

const GROUPS = 200_000;
const LATE = 200_000;
const WINDOWED = `SELECT k, window_start, count(*) AS n FROM TUMBLE(ev, ts, INTERVAL '1 hour') GROUP BY k, window_start`;

function rowsAt(from: number, to: number, ts: string): string {
  const lines: string[] = [];
  for (let k = from; k < to; k++) lines.push(`${k},${ts}`);
  return lines.join('\n') + '\n';
}

async function copyIntoEv(server: TestServer, rows: string): Promise<void> {
  const copied = await psql(server, ['COPY ev FROM STDIN (FORMAT csv)'], rows);
  assert.equal(copied.code, 0, copied.stderr);
}

async function queryStats(client: Client): Promise<{ status: string; last_error: string | null; late_rows: string; lag: string }> {
  return (await client.query(`SELECT status, last_error, late_rows, lag FROM sluice.queries WHERE name = 'w'`)).rows[0];
}

/** The continuous query's rows and the pull SELECT's rows over the same stream, in one order, as text. */
async function bothAnswers(client: Client): Promise<{ continuous: string[]; pull: string[] }> {
  const text = (rows: { k: string; window_start: Date; n: string }[]): string[] =>
    rows.map((r) => `${r.k} ${r.window_start.toISOString()} ${r.n}`);
  const continuous = (await client.query(`SELECT k, window_start, n FROM w ORDER BY k, window_start`)).rows;
  // The late rows (at 08:00, below the watermark when read) count in no window of the continuous query.
  const pull = (await client.query(
    `SELECT k, window_start, n FROM (${WINDOWED.replace('GROUP BY', `WHERE ts >= '2026-01-01 10:00:00+00' GROUP BY`)}) x ORDER BY k, window_start`)).rows;
  return { continuous: text(continuous), pull: text(pull) };
}

test('a windowed query with 200 K open groups and 200 K late rows restarts after SIGKILL with the pull SELECT\'s answer', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  // The retention lets the pull SELECT read the stream's rows; the query reads them either way.
  await client.query(`CREATE STREAM ev (k BIGINT, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1 second')
    WITH (retention = '1 day')`);
  await client.query(`CREATE CONTINUOUS QUERY w AS ${WINDOWED}`);
  await copyIntoEv(server, rowsAt(0, GROUPS, '2026-01-01 10:30:00+00'));
  await copyIntoEv(server, rowsAt(0, LATE, '2026-01-01 08:00:00+00'));
  const caughtUp = await waitForValue(() => queryStats(client), (s) => s.status !== 'running' || Number(s.lag) === 0,
    'w to read both COPYs', 120_000);
  assert.equal(caughtUp.status, 'running', String(caughtUp.last_error));
  assert.equal(Number(caughtUp.late_rows), LATE);

  await client.end();
  server.kill('SIGKILL');
  await server.exited();
  server = await startServer({ dataDir });
  client = await connectPg(server);
  // More rows into the open windows after the restart, for some of the restored groups.
  await copyIntoEv(server, rowsAt(0, GROUPS / 2, '2026-01-01 10:45:00+00'));
  const after = await waitForValue(() => queryStats(client), (s) => s.status !== 'running' || Number(s.lag) === 0,
    'w to read the rows after the restart', 120_000);
  assert.equal(after.status, 'running', String(after.last_error));
  const { continuous, pull } = await bothAnswers(client);
  assert.equal(continuous.length, GROUPS);
  assert.deepEqual(continuous, pull);
  await client.end();
  assert.equal(await server.stop(), 0);
});

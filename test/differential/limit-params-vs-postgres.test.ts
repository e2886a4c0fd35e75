// LIMIT and OFFSET given as parameters ($1, as ORMs and drivers write them) answer like PostgreSQL 15: the same
// prepared statement runs on both with each pair of counts, and the rows, or the SQLSTATE and message of a failure,
// must be the same. The counts are read when the statement runs, so one prepared statement serves every value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { withPostgresOracle } from '../helpers/postgres-oracle';

const fx = withPostgresOracle({
  setup: [
    'CREATE TABLE nums (k int PRIMARY KEY, v text)',
    `INSERT INTO nums VALUES ${Array.from({ length: 20 }, (_, i) => `(${i}, 'v${i}')`).join(', ')}`,
  ],
});

const COUNTS: readonly (readonly (number | string | null)[])[] = [
  [3, 0], [3, 5], [0, 0], [null, 17], [5, null], [100, 2], ['4', '1'], [-1, 0], [2, -3],
];

async function answer(c: Client, sql: string, values: readonly (number | string | null)[]): Promise<string> {
  try {
    const r = await c.query({ name: `limit-${sql.length}`, text: sql, values: [...values] });
    return JSON.stringify(r.rows);
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code}: ${err.message}`;
  }
}

for (const sql of [
  'SELECT k, v FROM nums ORDER BY k LIMIT $1 OFFSET $2',
  'SELECT k FROM nums ORDER BY k DESC OFFSET $2 LIMIT $1',
  'SELECT count(*) AS n FROM (SELECT k FROM nums ORDER BY k LIMIT $1 OFFSET $2) t',
]) {
  test(`${sql}, for each pair of counts, as PostgreSQL answers it`, async () => {
    for (const values of COUNTS) {
      assert.equal(await answer(fx.client, sql, values), await answer(fx.oracle, sql, values), `counts ${JSON.stringify(values)}`);
    }
  });
}

test('a continuous query\'s LIMIT stays a constant: a parameter there is refused', async () => {
  await assert.rejects(fx.client.query({ text: 'CREATE CONTINUOUS QUERY firsts AS SELECT k FROM nums ORDER BY k LIMIT $1', values: [3] }),
    (e: { code?: string; message: string }) => e.code === '0A000' && e.message === 'LIMIT of a continuous query must be a constant');
});

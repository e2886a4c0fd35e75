// sum, avg and stddev of REAL and DOUBLE PRECISION overflow as in PostgreSQL 15: finite values whose sum (or, for avg
// and stddev, whose sum of squared deviations) leaves the type's range raise 22003, an Infinity among the values makes
// the answer Infinity (both signs or a NaN: NaN). Every pull query runs through node-postgres against the real Sluice
// server and a real PostgreSQL 15; continuous queries must hold the same answers while rows come and go, and fail at
// the epoch whose sum overflows. Without PostgreSQL's binaries the test fails (it never skips).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { answerOf, describeDifference } from '../differential/compare';
import { withPostgresOracle } from '../helpers/postgres-oracle';
import { waitForValue } from '../helpers/wait';

// One group per case, each answered alike by a plan that groups (columns per group) and one that does not.
const ROWS: readonly (readonly [number, number, string, string])[] = [
  [1, 1, '1e308', '3e38'], [2, 1, '1e308', '3e38'], // the sums overflow
  [3, 2, '1e300', '1'], [4, 2, '-2.5', '2'], // avg's and stddev's sum of squares overflows, the sum does not
  [5, 3, 'Infinity', '1'], [6, 3, '1', 'Infinity'],
  [7, 4, 'Infinity', 'Infinity'], [8, 4, '-Infinity', '-Infinity'],
  [9, 5, 'NaN', 'NaN'], [10, 5, '1', '1'],
  [11, 6, '-1e308', '-3.4e38'], [12, 6, '-1e308', '-3.4e38'],
  [13, 7, '1.5', '1.5'], [14, 7, '-2.25', '2.25'], [15, 7, '1e300', '3e38'], [16, 7, '-1e300', '-3e38'],
  [17, 8, '1.7976931348623157e308', '3.4028235e38'], [18, 8, '-1', '-1'], [19, 8, 'NULL', 'NULL'],
];

const fx = withPostgresOracle({
  setup: [
    'CREATE TABLE f (id int PRIMARY KEY, g int, d double precision, r real)',
    `INSERT INTO f VALUES ${ROWS.map(([id, g, d, r]) => `(${id}, ${g}, ${literal(d, 'float8')}, ${literal(r, 'real')})`).join(', ')}`,
  ],
});

function literal(text: string, type: string): string {
  return text === 'NULL' ? 'NULL' : `'${text}'::${type}`;
}

async function sameAsPostgres(statements: readonly string[]): Promise<void> {
  const differences: string[] = [];
  for (const sql of statements) {
    const [mine, theirs] = [await answerOf(fx.client, sql, false), await answerOf(fx.oracle, sql, false)];
    // The whole SQLSTATE, not only its class (compare.ts's rule): each of these statements can fail only one way.
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) differences.push(describeDifference(sql, mine, theirs));
  }
  assert.deepEqual(differences, []);
}

/** Group 7's sum is tested below: PostgreSQL loses its small values. */
const GROUPS = [1, 2, 3, 4, 5, 6, 8];

test('sum, avg and stddev of each group, grouped and alone, answer as PostgreSQL (22003, Infinity, NaN)', async () => {
  const statements: string[] = [];
  for (const g of GROUPS) {
    for (const agg of ['sum(d)', 'avg(d)', 'stddev(d)', 'sum(r)', 'avg(r)', 'stddev(r)']) {
      statements.push(`SELECT ${agg} FROM f WHERE g = ${g}`, `SELECT g, ${agg} FROM f WHERE g = ${g} GROUP BY g`);
    }
  }
  await sameAsPostgres(statements);
});

test('values that cancel leave the small ones: -0.75 where PostgreSQL\'s left-to-right sum says 0 (docs/sql.md)', async () => {
  await sameAsPostgres([
    'SELECT g, sum(d), avg(r), sum(r) FROM f WHERE g IN (7, 8) AND id NOT IN (15, 16, 17) GROUP BY g',
    'SELECT sum(d), sum(r) FROM f WHERE id IN (15, 16)',
    'SELECT sum(d), sum(r) FROM f WHERE id IN (17, 18)',
  ]);
  const cancelling = (await fx.client.query('SELECT sum(d)::text AS d, sum(r)::text AS r FROM f WHERE g = 7')).rows[0];
  assert.deepEqual(cancelling, { d: '-0.75', r: '3.75' });
});

test('overflow is decided by the values present, PostgreSQL\'s by its partial sums in scan order (docs/sql.md)', async () => {
  await onBoth("CREATE TABLE o (id int PRIMARY KEY, g int, d double precision)");
  await onBoth('INSERT INTO o VALUES (1, 1, 1e308), (2, 1, 1e308), (3, 1, -1e308), (4, 2, 0), (5, 2, 1.5e154), (6, 3, 0), (7, 3, 2e154)');
  const both = async (sql: string): Promise<[unknown, unknown]> =>
    [await answerOf(fx.client, sql, false), await answerOf(fx.oracle, sql, false)];
  assert.deepEqual(await both('SELECT sum(d) FROM o WHERE g = 1'), [{ types: [701], rows: ['["1e+308"]'] }, { sqlstate: '22003' }]);
  // Two values 1.5e154 apart: PostgreSQL's running sum of squares overflows, their sum of squared deviations does not.
  assert.deepEqual(await both('SELECT avg(d) FROM o WHERE g = 2'), [{ types: [701], rows: ['["7.5e+153"]'] }, { sqlstate: '22003' }]);
  await sameAsPostgres(['SELECT avg(d) FROM o WHERE g = 3', 'SELECT stddev(d) FROM o WHERE g = 3']);
});

let continuous = 0;

/** A continuous query of `select` holds PostgreSQL's answer at its start and after each of `steps` (run on both). */
async function sameAsPostgresContinuously(select: string, steps: readonly string[]): Promise<void> {
  const name = `float_cq_${++continuous}`;
  await fx.client.query(`CREATE CONTINUOUS QUERY ${name} WITH (trigger_interval = '20ms') AS ${select}`);
  const rowsOf = async (c: Client, sql: string): Promise<string> =>
    JSON.stringify((await c.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } }))
      .rows.map((r) => JSON.stringify(r)).sort());
  for (const step of [undefined, ...steps]) {
    if (step !== undefined) await onBoth(step);
    const expected = await rowsOf(fx.oracle, select);
    await waitForValue(() => rowsOf(fx.client, `SELECT * FROM ${name}`), (got) => got === expected,
      `${name} after ${step ?? 'its start'} to be ${expected}`);
  }
}

test('continuous queries keep the answers exact as infinities, NaNs and huge values come and go', async () => {
  await onBoth('DELETE FROM f WHERE id = 3');
  await sameAsPostgresContinuously(
    'SELECT g, sum(d) AS sd, avg(d) AS ad, stddev(d) AS td, sum(r) AS sr, avg(r) AS ar FROM f WHERE g IN (2, 3, 4, 5) GROUP BY g', [
      "INSERT INTO f VALUES (20, 3, '-Infinity', 1), (21, 5, '-Infinity', '-Infinity'), (22, 2, 1e150, 1)",
      'DELETE FROM f WHERE id IN (20, 9)',
      'DELETE FROM f WHERE id IN (5, 7, 21)',
      'INSERT INTO f VALUES (23, 2, 2e150, 1)',
    ]);
  // Without avg and stddev, whose sum of squares would overflow: the sums come back to 1 exactly.
  await sameAsPostgresContinuously('SELECT g, sum(d) AS sd, sum(r) AS sr FROM f WHERE g = 3 GROUP BY g', [
    'INSERT INTO f VALUES (24, 3, 1.7976931348623157e308, 3.4028235e38)',
    'DELETE FROM f WHERE id = 24',
    "INSERT INTO f VALUES (25, 3, 1e-300, 1e-30), (26, 3, 'NaN', 'NaN')",
    'DELETE FROM f WHERE id = 26',
  ]);
});

test('a continuous query whose sum overflows fails at that epoch with 22003\'s message in sluice.queries', async () => {
  await fx.client.query(`CREATE CONTINUOUS QUERY overflowing WITH (trigger_interval = '20ms') AS
    SELECT g, sum(d) AS s FROM f WHERE g = 9 GROUP BY g`);
  await onBoth('INSERT INTO f VALUES (30, 9, 1e308, 1)');
  const progress = "SELECT status, last_error FROM sluice.queries WHERE name = 'overflowing'";
  await waitForValue(async () => (await fx.client.query('SELECT s::text AS s FROM overflowing')).rows[0]?.s,
    (s) => s === '1e+308', 'the first sum');
  await onBoth('INSERT INTO f VALUES (31, 9, 1e308, 1)');
  await assert.rejects(fx.oracle.query('SELECT g, sum(d) AS s FROM f WHERE g = 9 GROUP BY g'), { code: '22003' });
  const row = await waitForValue(async () => (await fx.client.query(progress)).rows[0] as { status: string; last_error: string | null },
    (r) => r.status === 'failed', 'the query to fail');
  assert.equal(row.last_error, 'value out of range: overflow');
});

async function onBoth(sql: string): Promise<void> {
  await fx.oracle.query(sql);
  await fx.client.query(sql);
}

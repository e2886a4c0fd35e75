// NUMERIC is exact, and prints, rounds, divides, casts and aggregates as PostgreSQL 15 does: every statement here runs
// through node-postgres against the real Sluice server and against a real PostgreSQL 15 started for the test, and
// their text results must be identical. Without PostgreSQL's binaries the test fails (it never skips).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { findPgBin, startPgCluster, type PgCluster } from '../../bench/postgres/cluster';
import { connectPg, startServer, type TestServer } from '../helpers/server';

let pg: PgCluster;
let sluice: TestServer;
let pgc: Client;
let slc: Client;

before(async () => {
  const bin = findPgBin();
  if (!('dir' in bin)) throw new Error(`PostgreSQL 15 is needed for this test: ${bin.reason}`);
  pg = await startPgCluster(bin.dir);
  pgc = await pg.connect();
  sluice = await startServer();
  slc = await connectPg(sluice);
});

after(async () => {
  await slc?.end();
  await pgc?.end();
  await sluice?.stop();
  await pg?.stop();
});

/** Rows as PostgreSQL's text with their columns' types and type modifiers, or the error's SQLSTATE, message and DETAIL. */
async function answer(c: Client, sql: string, values?: unknown[]): Promise<unknown> {
  try {
    const r = await c.query({ text: sql, values, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    return { types: r.fields.map((f) => [f.dataTypeID, f.dataTypeModifier]), rows: r.rows };
  } catch (e) {
    const err = e as { code?: string; message: string; detail?: string };
    return { code: err.code, message: err.message, detail: err.detail };
  }
}

/** Runs setup statements on both servers (they must succeed on both). */
async function onBoth(statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    await pgc.query(sql);
    await slc.query(sql);
  }
}

async function same(sql: string, values?: unknown[]): Promise<void> {
  assert.deepEqual(await answer(slc, sql, values), await answer(pgc, sql, values), sql);
}

test('literals keep every digit and their scale', async () => {
  for (const sql of [
    'SELECT 12345678901234567.89::numeric',
    'SELECT 0.1 + 0.2, 0.1 + 0.2 = 0.3',
    'SELECT 1.50, -0.00, 1e21::numeric, 1.5e-3::numeric, \'  -12.3400 \'::numeric',
    "SELECT 'NaN'::numeric, 'Infinity'::numeric, '-inf'::numeric",
    "SELECT 'abc'::numeric",
    'SELECT 99999999999999999999999999999999999999.123456789 * 10',
  ]) await same(sql);
});

test('round, trunc, floor, ceil, abs and mod', async () => {
  for (const sql of [
    'SELECT round(0.0000001, 2), round(1e21::numeric, 2), round(2.5), round(-2.5), round(1234.5678, -2)',
    'SELECT trunc(1.999, 2), trunc(-1.999), trunc(1234.5678, -2), trunc(2.7::float8)',
    'SELECT floor(-1.5), ceil(-1.5), floor(1.5), ceil(1.000001), abs(-3.140)',
    'SELECT mod(10.5, 3), -10.5 % 3, mod(7, 0.3)',
    'SELECT 1 % 0.0',
  ]) await same(sql);
});

test('arithmetic follows PostgreSQL result scales', async () => {
  for (const sql of [
    'SELECT 1.10 + 2.205, 1.10 - 2.205, 1.10 * 2.205, -(1.10)',
    'SELECT 1 / 3.0, 10.0 / 4, 2 / 3::numeric, 1.000000 / 7, 123456789.0 / 0.001, 0.0001 / 3',
    'SELECT 1::numeric / 0',
    'SELECT 5 + 0.5, 2::bigint * 1.5, 9007199254740993::numeric + 1',
  ]) await same(sql);
});

test('casts to and from NUMERIC', async () => {
  for (const sql of [
    'SELECT 2.5::int, (-2.5)::int, 1.49::smallint, 12345678901234.5::bigint',
    'SELECT 1e10::numeric::int',
    'SELECT 0.1::float8::numeric, 1e21::float8::numeric, (1/3::float8)::numeric, 0.1::real::numeric',
    'SELECT 12345678901234567.89::numeric::float8, 1.5::numeric::text',
  ]) await same(sql);
});

test('comparison, ordering and aggregates over a NUMERIC column', async () => {
  await onBoth([
    'CREATE TABLE nums (id INT PRIMARY KEY, x NUMERIC, b BIGINT, i INT)',
    "INSERT INTO nums VALUES (1, 10.5, 9007199254740993, 7), (2, 9.25, 9007199254740993, 8), (3, 12345678901234567.89, 1, 9), " +
      '(4, NULL, NULL, NULL), (5, -0.001, -5, 1)',
  ]);
  for (const sql of [
    'SELECT id, x FROM nums WHERE x > 9.3 ORDER BY x',
    'SELECT id FROM nums ORDER BY x DESC NULLS LAST, id',
    'SELECT sum(x), avg(x), min(x), max(x), count(x) FROM nums',
    'SELECT sum(b), avg(b), sum(i), avg(i) FROM nums',
    'SELECT id % 2 AS g, sum(x), avg(i) FROM nums GROUP BY 1 ORDER BY 1',
  ]) await same(sql);
});

test('NUMERIC(p, s) rounds to its scale and refuses values past its precision', async () => {
  for (const sql of [
    "SELECT 123.456::numeric(5,2), 1.5::numeric(3), 0.005::numeric(3,2), 15::numeric(3,-1), 0.012::numeric(2,3)",
    "SELECT '-0.00001'::numeric(2,3), 'NaN'::numeric(5,2), (-2.5)::numeric(1), CAST(2 AS decimal(4,1)), 0::numeric(2,3)",
    'SELECT 12::int::numeric(3,1), 1.23456::float8::numeric(4,2), 9007199254740993::bigint::numeric(20,2)',
    'SELECT 1234.5::numeric(3,1)',
    'SELECT 999.995::numeric(5,2)',
    'SELECT 0.5::numeric(2,2), 1::numeric(2,2)',
    "SELECT 'Infinity'::numeric(5,2)",
    "SELECT '-inf'::numeric(5,2)",
    'SELECT 100::int::numeric(3,1)',
    'SELECT 1::numeric(0)',
    'SELECT 1::numeric(1001, 2)',
    'SELECT 1::numeric(5, -1001)',
    'SELECT 1.23::numeric(5,2) = \'1.234\', coalesce(NULL::numeric(5,2), \'1.234\'), 1.5::numeric(4,1) + 1.25',
    'SELECT 1.25::numeric(5,2) UNION ALL SELECT 1.234::numeric(5,3)',
  ]) await same(sql);
});

test('columns declared NUMERIC(p, s) fit every INSERT and UPDATE, and describe their modifier', async () => {
  await onBoth([
    'CREATE TABLE priced (id INT PRIMARY KEY, price NUMERIC(5,2), qty NUMERIC(4), free NUMERIC)',
    "INSERT INTO priced VALUES (1, 123.456, 12.5, 1.23456), (2, '1.005', '9999.4', 2), (3, 7, -0.5, NULL)",
    'INSERT INTO priced SELECT id + 10, price * 1.001, qty / 3, free FROM priced',
    'UPDATE priced SET price = price / 3 WHERE id = 2',
  ]);
  for (const sql of [
    'SELECT * FROM priced ORDER BY id',
    'SELECT price, price + 1 AS more, qty::numeric(6,1) FROM priced ORDER BY id',
    "INSERT INTO priced VALUES (4, 1000, 1, 1)",
    "INSERT INTO priced VALUES (4, '999.999', 1, 1)",
    'UPDATE priced SET qty = qty * 10 WHERE id = 2',
    "INSERT INTO priced VALUES (4, 'Infinity', 1, 1)",
    'SELECT * FROM priced ORDER BY id',
  ]) await same(sql);
  // Parameters arrive as plain numeric and are fitted like any other value.
  await same('INSERT INTO priced VALUES ($1, $2, $3, $4)', [5, '12.345', '99.5', '1.5']);
  await same('INSERT INTO priced VALUES ($1, $2, 1, 1)', [6, '1234.5']);
  await same('UPDATE priced SET price = $1 WHERE id = 5', ['9.999']);
  await same('SELECT id, price, $1::numeric(4,1) AS p FROM priced WHERE id = 5', ['1.25']);
});

test('equal NUMERIC values of different scales are one group, one DISTINCT value, one join match, one key', async () => {
  await onBoth([
    'CREATE TABLE scaled (x NUMERIC, y INT)',
    'INSERT INTO scaled VALUES (1.0, 1), (1.00, 2), (2.50, 3), (2.5, 4), (1, 5), (NULL, 6)',
    'CREATE TABLE keyed (k NUMERIC PRIMARY KEY, v TEXT)',
    "INSERT INTO keyed VALUES (1.0, 'a')",
  ]);
  for (const sql of [
    'SELECT x, count(*), sum(y) FROM scaled GROUP BY x ORDER BY x',
    'SELECT DISTINCT x FROM scaled ORDER BY x',
    'SELECT count(DISTINCT x), sum(DISTINCT x), min(x), max(x) FROM scaled',
    'SELECT a.y, a.x, b.x FROM scaled a JOIN scaled b ON a.x = b.x WHERE a.y IN (1, 3) ORDER BY a.y, b.y',
    "INSERT INTO keyed VALUES (1.00, 'b')",
    "INSERT INTO keyed VALUES (1, 'c') ON CONFLICT (k) DO UPDATE SET v = excluded.v",
    "INSERT INTO keyed VALUES (2.50, 'd'), (2.5, 'e')",
    "INSERT INTO keyed VALUES (3.10, 'f') ON CONFLICT (k) DO NOTHING",
    "INSERT INTO keyed VALUES (3.1, 'g') ON CONFLICT (k) DO NOTHING",
    'SELECT k, v FROM keyed ORDER BY k',
  ]) await same(sql);
});

test('floats out of range raise 22003 as PostgreSQL words it; Infinity and NaN stay values', async () => {
  await onBoth(['CREATE TABLE floats (id INT PRIMARY KEY, d DOUBLE PRECISION, r REAL, n NUMERIC)',
    "INSERT INTO floats VALUES (1, 1e300, 1e30, 1e39), (2, 1e-300, 1e-30, 1e-400), (3, 'Infinity', 'NaN', 'NaN')"]);
  for (const sql of [
    'SELECT 1e400::float8', 'SELECT -1e400::float8', 'SELECT 1e-400::float8', "SELECT '1e400'::float8",
    "SELECT '1e-400'::float8", 'SELECT 1e39::real', "SELECT '1e39'::real", "SELECT '1e-50'::real",
    'SELECT 1e39::float8::real', 'SELECT 1e-50::float8::real',
    'SELECT d * d FROM floats WHERE id = 1', 'SELECT d * d FROM floats WHERE id = 2', 'SELECT d / 1e300 FROM floats WHERE id = 2',
    'SELECT r * r FROM floats WHERE id = 1', 'SELECT r * r FROM floats WHERE id = 2', 'SELECT power(d, 2) FROM floats WHERE id = 2',
    'SELECT n::float8 FROM floats WHERE id = 1', 'SELECT n::real FROM floats WHERE id = 1', 'SELECT n::float8 FROM floats WHERE id = 2',
    "SELECT 'Infinity'::float8, '-inf'::float8, 'NaN'::float8, 'infinity'::real, 1e-320::float8",
    "SELECT d * 0, d * 2, d / 'Infinity', r FROM floats WHERE id = 3",
    "INSERT INTO floats VALUES (4, 1e400, 0, 0)",
    "INSERT INTO floats VALUES (4, 0, 1e39, 0)",
  ]) await same(sql);
});

test('concat prints each argument with its output function, a cast to text with the cast', async () => {
  await onBoth(['CREATE TABLE flags (id INT PRIMARY KEY, b BOOLEAN, x NUMERIC)', 'INSERT INTO flags VALUES (1, true, 1.50), (2, false, NULL)']);
  for (const sql of [
    "SELECT concat('x', true), concat(false, NULL, 'y'), 'x' || true, true || 'y', true::text, CAST(false AS varchar)",
    "SELECT id, concat('b=', b, ' x=', x, ' r=', 2.5::real) FROM flags ORDER BY id",
  ]) await same(sql);
});

test('sqrt and power of NUMERIC compute in decimal, to PostgreSQL\'s result scale', async () => {
  for (const sql of [
    'SELECT sqrt(2::numeric), sqrt(0::numeric), sqrt(0.0001), sqrt(1e-10::numeric), sqrt(12345678901234567890::numeric), sqrt(1.5625)',
    'SELECT sqrt(99999999999999999999999999999999999.99999999999), sqrt(1e100::numeric), sqrt(\'Infinity\'::numeric), sqrt(\'NaN\'::numeric)',
    'SELECT power(2::numeric, 10), power(1.1, 50), power(123.456, 7), power(2::numeric, -2), power(1.5, -3), power(-2::numeric, -3)',
    'SELECT power(0.5, 100), power(10::numeric, -2000), power(0::numeric, 0), power(0::numeric, 2), power(2, 3.0), power(1.000, 2)',
    'SELECT power(1.0000001, 100000), power(1.000000000000001, 2147483647), power(2::numeric, 3000)',
    'SELECT power(3::numeric, 0.5), power(2::numeric, 1.5), power(7.5, -2.5), power(1e-10::numeric, 0.3), power(1.0001, 12345.678)',
    'SELECT power(123456789::numeric, 0.123456789), power(0.99, -700.25), power(10::numeric, -1000.5), power(0::numeric, 0.5)',
    "SELECT power(2::numeric, 'Infinity'), power(0.5, 'Infinity'), power(1::numeric, 'NaN'), power('NaN'::numeric, 0), power('-Infinity'::numeric, 3)",
    'SELECT sqrt(-1::numeric)', 'SELECT power(0::numeric, -1)', 'SELECT power(-2::numeric, 0.5)', 'SELECT power(10::numeric, 200000)',
    'SELECT power(10::numeric, 5000.5)',
  ]) await same(sql);
});

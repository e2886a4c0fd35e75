// Dates, timestamps and EXTRACT answer exactly like PostgreSQL 15: the same statements run through node-postgres
// against a real PostgreSQL and a real Sluice server, and the rows and their types (or the SQLSTATE and message)
// must be the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { withPostgresOracle } from '../helpers/postgres-oracle';

const fx = withPostgresOracle({ database: 'sluice' });

/** Rows as arrays of text (or the error), with the result's type oids: what a client sees. */
async function answer(c: Client, sql: string): Promise<string> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    return JSON.stringify({ rows: r.rows, types: r.fields.map((f) => f.dataTypeID) });
  } catch (e) {
    const err = e as { code?: string; message: string };
    return JSON.stringify({ error: err.code, message: err.message });
  }
}

async function sameAsPostgres(statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    assert.equal(await answer(fx.client, sql), await answer(fx.oracle, sql), sql);
  }
}

test('date arithmetic fails 22008 past PostgreSQL\'s range and keeps infinity', async () => {
  await sameAsPostgres([
    "SELECT '2026-01-01'::date - 1000000000",
    "SELECT '2026-01-01'::date + 1000000000, 1000000000 + '2026-01-01'::date",
    "SELECT '2026-01-01'::date + 2147483000",
    "SELECT '4714-11-24 BC'::date - 1",
    "SELECT '4714-11-25 BC'::date - 1, '5874897-12-30'::date + 1",
    "SELECT '5874897-12-31'::date + 1",
    "SELECT 'infinity'::date + 1, '-infinity'::date - 1, 'infinity'::date - 1",
    "SELECT 'infinity'::date - '2026-01-01'::date",
    "SELECT '2026-01-01'::date - '-infinity'::date",
    "SELECT '2026-03-05'::date - '2026-01-01'::date, '2026-01-01'::date - '4714-11-24 BC'::date",
    "SELECT 'infinity'::date + interval '1 day', '-infinity'::date - interval '1 day'",
  ]);
});

test('timestamp arithmetic fails 22008 past PostgreSQL\'s range', async () => {
  await sameAsPostgres([
    "SELECT '2026-01-01'::timestamptz + interval '300000 years'",
    "SELECT '2026-01-01'::timestamp - interval '7000 years'",
    "SELECT '2026-01-01'::timestamp - interval '6000 years'",
    "SELECT '2026-01-01'::date + interval '300000 years'",
    "SELECT '2026-01-01'::timestamp + interval '2147483647 days'",
    "SELECT 'infinity'::timestamp + interval '1 day', '-infinity'::timestamptz - interval '1 year'",
    "SELECT 'infinity'::timestamp - '2026-01-01'::timestamp",
    "SELECT '2026-01-01'::timestamptz - '-infinity'::timestamptz",
  ]);
});

test('EXTRACT is NUMERIC with PostgreSQL\'s scale per field; DATE_PART stays double precision', async () => {
  await sameAsPostgres([
    "SELECT EXTRACT(SECOND FROM '2026-03-04 05:06:07.5'::timestamp), EXTRACT(SECOND FROM '2026-03-04 05:06:07'::timestamptz)",
    "SELECT EXTRACT(EPOCH FROM '2026-03-04 05:06:07.5'::timestamptz), EXTRACT(EPOCH FROM '1960-03-04 05:06:07.123457'::timestamp)",
    "SELECT EXTRACT(MILLISECONDS FROM '2026-03-04 05:06:07.5'::timestamp), EXTRACT(MICROSECONDS FROM '2026-03-04 05:06:07.5'::timestamp)",
    "SELECT EXTRACT(YEAR FROM '2026-03-04'::date), EXTRACT(EPOCH FROM '2026-03-04'::date), EXTRACT(JULIAN FROM '2026-03-04'::date)",
    "SELECT EXTRACT(MINUTE FROM '2026-03-04 05:06:07.5'::timestamptz), EXTRACT(ISODOW FROM '2026-03-08'::timestamp), " +
      "EXTRACT(WEEK FROM '2026-01-01'::date), EXTRACT(DOY FROM '2026-12-31'::date), EXTRACT(CENTURY FROM '0002-03-04 BC'::date)",
    "SELECT EXTRACT(JULIAN FROM '2026-03-04 05:06:07.5'::timestamp), EXTRACT(JULIAN FROM '2026-03-04 00:00'::timestamp)",
    "SELECT EXTRACT(JULIAN FROM '2026-03-04 00:00:00.000001'::timestamptz)",
    "SELECT EXTRACT(EPOCH FROM interval '1 year 2 days 03:04:05.25'), EXTRACT(SECOND FROM interval '1 year 2 days 03:04:05.25')",
    "SELECT EXTRACT(EPOCH FROM interval '-3 years -1 mon 4 days -00:00:00.000001'), EXTRACT(EPOCH FROM interval '1 mon 1.5 seconds')",
    "SELECT EXTRACT(MICROSECONDS FROM interval '-1.5 seconds'), EXTRACT(MILLISECONDS FROM interval '-1.5 seconds'), " +
      "EXTRACT(QUARTER FROM interval '-5 mons')",
    "SELECT EXTRACT(EPOCH FROM 'infinity'::timestamp), EXTRACT(DAY FROM 'infinity'::timestamp)",
    "SELECT EXTRACT(YEAR FROM 'infinity'::date), EXTRACT(DAY FROM '-infinity'::date), EXTRACT(EPOCH FROM '-infinity'::date)",
    "SELECT EXTRACT(SECOND FROM NULL::timestamp)",
    "SELECT EXTRACT(HOUR FROM '2026-03-04'::date)",
    "SELECT EXTRACT(TIMEZONE FROM '2026-01-01'::timestamp)",
    "SELECT EXTRACT(WEEK FROM interval '1 day')",
    "SELECT EXTRACT(foo FROM '2026-03-04'::date)",
    "SELECT date_part('second', '2026-03-04 05:06:07.5'::timestamp), date_part('julian', '2026-03-04 05:06:07.5'::timestamp)",
  ]);
});

test('AT TIME ZONE and timezone(zone, ts) both ways, with DST gaps and overlaps as PostgreSQL resolves them', async () => {
  await sameAsPostgres([
    "SELECT '2026-01-01 12:00+00'::timestamptz AT TIME ZONE 'Europe/Paris', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'europe/paris'",
    "SELECT '2026-01-01 12:00'::timestamp AT TIME ZONE 'Europe/Paris', timezone('America/New_York', '2026-07-01 12:00'::timestamp)",
    // Spring forward: 02:30 does not exist and reads with the offset from before; fall back: 02:30 (01:30 in New York)
    // happens twice and reads with the offset from after.
    "SELECT '2026-03-29 02:30'::timestamp AT TIME ZONE 'Europe/Paris', '2026-10-25 02:30'::timestamp AT TIME ZONE 'Europe/Paris'",
    "SELECT '2026-03-29 01:59:59'::timestamp AT TIME ZONE 'Europe/Paris', '2026-03-29 03:00'::timestamp AT TIME ZONE 'Europe/Paris'",
    "SELECT '2026-10-25 01:59:59'::timestamp AT TIME ZONE 'Europe/Paris', '2026-10-25 03:00'::timestamp AT TIME ZONE 'Europe/Paris'",
    "SELECT '2026-03-08 02:30'::timestamp AT TIME ZONE 'America/New_York', '2026-11-01 01:30'::timestamp AT TIME ZONE 'America/New_York'",
    "SELECT '2026-03-29 00:59:59+00'::timestamptz AT TIME ZONE 'Europe/Paris', '2026-03-29 01:00:00+00'::timestamptz AT TIME ZONE 'Europe/Paris'",
    "SELECT '2026-10-25 00:30+00'::timestamptz AT TIME ZONE 'Europe/Paris', '2026-10-25 01:30+00'::timestamptz AT TIME ZONE 'Europe/Paris'",
    "SELECT '2026-11-01 05:30+00'::timestamptz AT TIME ZONE 'America/New_York', '2026-11-01 06:30+00'::timestamptz AT TIME ZONE 'America/New_York'",
    "SELECT '1900-07-01 12:00+00'::timestamptz AT TIME ZONE 'Europe/Paris', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'Asia/Kolkata'",
    // Abbreviations are fixed offsets; a numeric zone counts hours west, as POSIX does; an interval counts east.
    "SELECT '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'CET', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'EST', " +
      "'2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'UTC', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'EST5EDT'",
    "SELECT '2026-01-01 12:00+00'::timestamptz AT TIME ZONE '+02', '2026-07-01 12:00'::timestamp AT TIME ZONE '+05:30', " +
      "'2026-07-01 12:00'::timestamp AT TIME ZONE '-03', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'UTC+3'",
    "SELECT '2026-07-01 12:00+00'::timestamptz AT TIME ZONE INTERVAL '+02:00', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE INTERVAL '-03:30'",
    "SELECT '2026-07-01 12:00'::timestamp AT TIME ZONE 'Europe/Paris' AT TIME ZONE 'America/New_York'",
    "SELECT '2026-07-01'::date AT TIME ZONE 'UTC', '2026-07-01 12:00' AT TIME ZONE 'UTC'",
    "SELECT 'infinity'::timestamptz AT TIME ZONE 'Europe/Paris', '2026-07-01 12:00+00'::timestamptz AT TIME ZONE NULL",
    "SELECT '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'x'",
    "SELECT '2026-07-01 12:00+00'::timestamptz AT TIME ZONE 'Europe/Paris '",
    "SELECT '2026-07-01 12:00+00'::timestamptz AT TIME ZONE '+0530'",
    "SELECT '2026-07-01 12:00+00'::timestamptz AT TIME ZONE INTERVAL '1 day'",
  ]);
});

test('AT TIME ZONE over a table column and a zone column', async () => {
  const setup = [
    'CREATE TABLE zoned (id int PRIMARY KEY, at timestamptz, zone text)',
    "INSERT INTO zoned VALUES (1, '2026-03-29 00:30+00', 'Europe/Paris'), (2, '2026-03-29 01:30+00', 'Europe/Paris'), " +
      "(3, '2026-11-01 05:30+00', 'America/New_York'), (4, '2026-11-01 06:30+00', 'America/New_York'), (5, NULL, 'UTC')",
  ];
  for (const sql of setup) {
    await fx.client.query(sql);
    await fx.oracle.query(sql);
  }
  await sameAsPostgres([
    'SELECT id, at AT TIME ZONE zone AS local, (at AT TIME ZONE zone) AT TIME ZONE zone AS back FROM zoned ORDER BY id',
    "SELECT id, at AT TIME ZONE 'Asia/Tokyo' FROM zoned ORDER BY id",
  ]);
});

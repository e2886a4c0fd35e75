// The session's TimeZone governs as in PostgreSQL 15: the same SET on a real PostgreSQL and on Sluice, then the same
// statements through node-postgres, over rows around the 2026 DST changes of Paris and New York. Timestamptz text
// output, text without an offset read in the zone (literals, casts, parameters, INSERT), casts to timestamp and
// date, date_trunc, EXTRACT and date_part must give the same rows (or the same SQLSTATE and message).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { withPostgresOracle } from '../helpers/postgres-oracle';

const raw = { getTypeParser: () => (v: string) => v };

/** Instants around each DST change (Paris: 01:00Z on 03-29 and 10-25; New York: 07:00Z on 03-08, 06:00Z on 11-01). */
const INSTANTS = [
  '2026-03-29 00:30:00+00', '2026-03-29 01:00:00+00', '2026-03-29 01:30:00.25+00',
  '2026-10-25 00:30:00+00', '2026-10-25 01:00:00+00', '2026-10-25 01:30:00+00',
  '2026-03-08 06:30:00+00', '2026-03-08 07:00:00+00', '2026-03-08 07:30:00+00',
  '2026-11-01 05:30:00+00', '2026-11-01 06:00:00+00', '2026-11-01 06:30:00+00',
  '2026-12-31 23:30:00+00', '1900-01-01 12:00:00+00', 'infinity', '-infinity',
];

/** Wall-clock times that a spring-forward skips or a fall-back repeats, in Paris or New York. */
const WALL_CLOCKS = ['2026-03-29 02:30', '2026-10-25 02:30', '2026-03-08 02:30', '2026-11-01 01:30', '2026-07-01 12:00'];
/**
 * Far from 1970, read from text exactly to the microsecond. (A cast from timestamp computes on doubles, exact to the
 * µs only until 2255, as every timestamp kernel does: engine/columns/vec.ts.)
 */
const FAR_WALL_CLOCKS = ['3000-01-01 00:00:00.000001', '1500-06-01 12:00:00.5', '0044-03-15 12:00 BC'];

/** The SET statements compared, each then checked with SHOW TimeZone. */
const ZONES = [
  "SET TIME ZONE 'Europe/Paris'",
  "SET timezone = 'America/New_York'",
  'SET TIME ZONE -3.5',
  "SET TIME ZONE 'UTC+2'",
  "SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE",
  "SET TimeZone TO 'UTC'",
];

const fx = withPostgresOracle({
  database: 'sluice',
  setup: [
    'CREATE TABLE instants (id int PRIMARY KEY, ts timestamptz)',
    `INSERT INTO instants VALUES ${INSTANTS.map((t, i) => `(${i + 1}, '${t}')`).join(', ')}, (99, NULL)`,
  ],
});

/** Rows as arrays of text (or the error), with the result's type oids: what a client sees. */
async function answer(c: Client, sql: string, values?: unknown[]): Promise<string> {
  try {
    const r = await c.query({ text: sql, values, rowMode: 'array', types: raw });
    return JSON.stringify({ rows: r.rows, types: r.fields.map((f) => f.dataTypeID) });
  } catch (e) {
    const err = e as { code?: string; message: string };
    return JSON.stringify({ error: err.code, message: err.message });
  }
}

async function sameAsPostgres(sql: string, values?: unknown[]): Promise<void> {
  assert.equal(await answer(fx.client, sql, values), await answer(fx.oracle, sql, values), sql);
}

async function setBoth(sql: string): Promise<void> {
  await fx.client.query(sql);
  await fx.oracle.query(sql);
}

test('timestamptz prints, reads, casts, truncates and extracts in the session zone', async () => {
  for (const set of ZONES) {
    await setBoth(set);
    await sameAsPostgres('SHOW TimeZone');
    await sameAsPostgres('SELECT id, ts, ts::text, ts::timestamp, ts::date FROM instants ORDER BY id');
    await sameAsPostgres("SELECT id, date_trunc('day', ts), date_trunc('hour', ts), date_trunc('month', ts), " +
      "date_trunc('week', ts) FROM instants ORDER BY id");
    await sameAsPostgres('SELECT id, EXTRACT(hour FROM ts), EXTRACT(day FROM ts), EXTRACT(epoch FROM ts), ' +
      'EXTRACT(timezone FROM ts), EXTRACT(timezone_hour FROM ts), EXTRACT(timezone_minute FROM ts) FROM instants ORDER BY id');
    // (date_part of an infinity is NaN in Sluice and NULL in PostgreSQL, in any zone: the finite rows here.)
    await sameAsPostgres("SELECT id, date_part('hour', ts), date_part('dow', ts), date_part('timezone', ts) FROM instants " +
      "WHERE ts < 'infinity' AND ts > '-infinity' ORDER BY id");
    for (const wall of WALL_CLOCKS) {
      await sameAsPostgres(`SELECT '${wall}'::timestamptz, '${wall}'::timestamp::timestamptz, ` +
        `'${wall.slice(0, 10)}'::date::timestamptz, CAST('${wall}' AS timestamptz) = '${wall}+00'::timestamptz`);
      await sameAsPostgres('SELECT $1::timestamptz, $2::timestamptz', [wall, `${wall}+03`]);
    }
    for (const wall of FAR_WALL_CLOCKS) {
      await sameAsPostgres(`SELECT '${wall}'::timestamptz, '${wall}'::timestamptz::date, '${wall}'::timestamptz::text`);
    }
    await sameAsPostgres("SELECT id FROM instants WHERE ts >= '2026-03-29' AND ts < '2026-03-29 03:00' ORDER BY id");
    await sameAsPostgres("SELECT id FROM instants WHERE ts::date = '2026-10-25' OR ts < '2026-03-08 02:30'::timestamp " +
      "OR ts = '2026-11-01'::date ORDER BY id");
    await sameAsPostgres("SELECT id, ts = ts::timestamp, ts - '2026-01-01'::timestamp, current_date = now()::date FROM instants " +
      "WHERE id < 15 ORDER BY id");
  }
});

test('INSERT reads a timestamptz text without an offset in the session zone', async () => {
  await setBoth('CREATE TABLE typed_in (id int PRIMARY KEY, ts timestamptz)');
  await setBoth("SET TIME ZONE 'America/New_York'");
  await setBoth("INSERT INTO typed_in VALUES (1, '2026-11-01 01:30'), (2, '2026-03-08 02:30'), (3, '2026-07-01 12:00+02')");
  await fx.client.query('INSERT INTO typed_in VALUES ($1, $2)', [4, '2026-11-01 00:30']);
  await fx.oracle.query('INSERT INTO typed_in VALUES ($1, $2)', [4, '2026-11-01 00:30']);
  await setBoth("SET TIME ZONE 'Europe/Paris'");
  await setBoth("UPDATE typed_in SET ts = '2026-10-25 02:30' WHERE id = 3");
  await setBoth("INSERT INTO typed_in SELECT 5, '2026-03-29 02:30'::timestamp");
  await setBoth("SET TIME ZONE 'UTC'");
  await sameAsPostgres('SELECT id, ts FROM typed_in ORDER BY id');
});

test('an unknown zone is 22023 as in PostgreSQL, and the setting stays', async () => {
  await setBoth("SET TIME ZONE 'Europe/Paris'");
  for (const bad of ["SET TIME ZONE 'Nowhere/Else'", "SET timezone = 'Europe/Paris '", "SET TIME ZONE ''",
    "SET TIME ZONE INTERVAL '1 day'", "SET TIME ZONE 'PST'", 'SET TIME ZONE 168', "SET TIME ZONE '-200'"]) {
    await sameAsPostgres(bad);
    await sameAsPostgres('SHOW TimeZone');
  }
  await setBoth('RESET TimeZone');
});

test('two sessions in different zones reading the same rows at once each see their own zone', async () => {
  const paris = new Client({ host: fx.sluice.host, port: fx.sluice.port, user: 'test', database: 'sluice' });
  const newYork = new Client({ host: fx.sluice.host, port: fx.sluice.port, user: 'test', database: 'sluice' });
  await paris.connect();
  await newYork.connect();
  try {
    await paris.query("SET TIME ZONE 'Europe/Paris'");
    await newYork.query("SET TIME ZONE 'America/New_York'");
    await fx.oracle.query("SET TIME ZONE 'Europe/Paris'");
    const expectParis = await answer(fx.oracle, "SELECT id, ts, date_trunc('day', ts), '2026-03-29 02:30'::timestamptz FROM instants ORDER BY id");
    await fx.oracle.query("SET TIME ZONE 'America/New_York'");
    const expectNewYork = await answer(fx.oracle, "SELECT id, ts, date_trunc('day', ts), '2026-03-29 02:30'::timestamptz FROM instants ORDER BY id");
    assert.notEqual(expectParis, expectNewYork);
    const sql = "SELECT id, ts, date_trunc('day', ts), '2026-03-29 02:30'::timestamptz FROM instants ORDER BY id";
    for (let round = 0; round < 5; round++) {
      // The same text in both sessions shares one cached plan; a prepared (named) statement too.
      const [a, b, c, d] = await Promise.all([answer(paris, sql), answer(newYork, sql),
        answerNamed(paris, sql), answerNamed(newYork, sql)]);
      assert.equal(a, expectParis);
      assert.equal(b, expectNewYork);
      assert.equal(c, expectParis);
      assert.equal(d, expectNewYork);
    }
  } finally {
    await paris.end();
    await newYork.end();
  }
});

async function answerNamed(c: Client, sql: string): Promise<string> {
  const r = await c.query({ name: 'same_everywhere', text: sql, rowMode: 'array', types: raw });
  return JSON.stringify({ rows: r.rows, types: r.fields.map((f) => f.dataTypeID) });
}

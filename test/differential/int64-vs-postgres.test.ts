// int2 / int4 / int8 answer exactly like PostgreSQL 15: the same statements run through node-postgres against a real
// PostgreSQL and a real Sluice server, and the rows (or the SQLSTATE and message) must be the same. The values sit
// where doubles stop being exact (±2^53 ± 1) and at the types' limits.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { findPgBin, startPgCluster, type PgCluster } from '../../bench/postgres/cluster';
import { startServer, type TestServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

let pg: PgCluster;
let sluice: TestServer;
let restarted: TestServer | undefined;
let oracle: Client;
let client: Client;

before(async () => {
  const bin = findPgBin();
  if (!('dir' in bin)) throw new Error(`PostgreSQL 15 is needed as the oracle: ${bin.reason}`);
  pg = await startPgCluster(bin.dir);
  sluice = await startServer();
  oracle = await pg.connect();
  client = new Client({ host: sluice.host, port: sluice.port, user: 'test', database: 'test' });
  await client.connect();
});

after(async () => {
  await client?.end();
  await oracle?.end();
  await sluice?.stop();
  await restarted?.stop();
  await pg?.stop();
});

/** Rows as arrays of text (or the error), with the result's type oids: what a client sees. */
async function answer(c: Client, sql: string): Promise<string> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array' });
    return JSON.stringify({ rows: r.rows, types: r.fields.map((f) => f.dataTypeID) });
  } catch (e) {
    const err = e as { code?: string; message: string };
    return JSON.stringify({ error: err.code, message: err.message });
  }
}

async function sameAsPostgres(statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    assert.equal(await answer(client, sql), await answer(oracle, sql), sql);
  }
}

const TABLE = [
  'CREATE TABLE nums (id int PRIMARY KEY, bi bigint, i4 int, i2 smallint)',
  'INSERT INTO nums VALUES (1, 9007199254740992, 5, 5), (2, 9007199254740993, -2147483648, -32768), ' +
    '(3, 9007199254740994, 2147483647, 32767), (4, 9007199254740993, 7, -7), (5, -9223372036854775808, NULL, 3), ' +
    '(6, 9223372036854775807, 0, NULL), (7, -9007199254740993, 1, 1), (8, NULL, 2, 2)',
];

test('bigint literals compute exactly beyond 2^53 and fail 22003 only past int64', async () => {
  await sameAsPostgres([
    'SELECT 9007199254740993::bigint + 1',
    'SELECT 9223372036854775807::bigint - 1',
    'SELECT (-9223372036854775808)::bigint + 1',
    'SELECT 9223372036854775807::bigint + 1',
    'SELECT (-9223372036854775808)::bigint - 1',
    'SELECT 9223372036854775807::bigint * 2',
    'SELECT 3037000500::bigint * 3037000500',
    'SELECT 9007199254740993::bigint * 3, 9007199254740993::bigint / 3, 9007199254740993::bigint % 1000',
    'SELECT -(-9223372036854775808)::bigint',
    'SELECT abs((-9223372036854775808)::bigint)',
    'SELECT (-9223372036854775808)::bigint / -1',
    'SELECT (-9223372036854775808)::bigint % -1',
    'SELECT 9007199254740993::bigint / 0',
    'SELECT 9007199254740993::bigint % 0',
    'SELECT 9007199254740993::bigint = 9007199254740992::bigint, 9007199254740993::bigint > 9007199254740992::bigint',
    'SELECT -9007199254740993 + 0, 9007199254740993 - 9007199254740992',
  ]);
});

test('int4 and int2 overflow as their own types, and divide truncating', async () => {
  await sameAsPostgres([
    'SELECT 2147483647 + 1',
    'SELECT (-2147483648) - 1',
    'SELECT 65536 * 65536',
    'SELECT (-2147483648) / -1',
    'SELECT abs(-2147483648)',
    'SELECT -(-2147483648)',
    'SELECT 32767::int2 + 1::int2',
    'SELECT (-32768)::int2 * (-1)::int2',
    'SELECT 7 / 2, -7 / 2, 7 / -2, 7 % -3, -7 % 3, -6 % 3, mod(-7, 3)',
    'SELECT 1 / 0',
    'SELECT 1 % 0',
    'SELECT 1::int2 + 1::int2, 1::int2 * 1::int4, 1::int4 - 1::int8',
  ]);
});

test('stored integers: arithmetic, comparison, DISTINCT, GROUP BY and joins are exact', async () => {
  await sameAsPostgres(TABLE);
  await sameAsPostgres([
    'SELECT id, bi + 1, bi - 9007199254740992, bi / 10, bi % 10 FROM nums WHERE id IN (1, 2, 3, 4, 7, 8) ORDER BY id',
    'SELECT id, -bi FROM nums WHERE id = 5',
    'SELECT id, abs(bi) FROM nums WHERE id = 6',
    'SELECT id, bi - 1 FROM nums WHERE id = 5',
    'SELECT id, bi + 1 FROM nums WHERE id = 6',
    'SELECT id, bi + 1 FROM nums WHERE id = 5',
    'SELECT id, bi * -1 FROM nums WHERE id = 5',
    'SELECT id, bi / -1 FROM nums WHERE id = 5',
    'SELECT id, bi % -1, mod(bi, 10) FROM nums WHERE id = 5',
    'SELECT id, bi / 0 FROM nums WHERE id = 2',
    'SELECT id, i4 + 1 FROM nums WHERE id = 3',
    'SELECT id, -i4 FROM nums WHERE id = 2',
    'SELECT id, i4 * 2 FROM nums WHERE id = 3',
    'SELECT id, -i2 FROM nums WHERE id = 2',
    'SELECT id, i2 + i2 FROM nums WHERE id = 3',
    'SELECT id, i2 + i2, i4 * i4 FROM nums WHERE id IN (1, 4) ORDER BY id',
    'SELECT id FROM nums WHERE bi = 9007199254740993 ORDER BY id',
    'SELECT id FROM nums WHERE bi > 9007199254740992 ORDER BY id',
    'SELECT id FROM nums WHERE bi IN (9007199254740992, 9007199254740994) ORDER BY id',
    'SELECT id, bi IS DISTINCT FROM 9007199254740992 FROM nums ORDER BY id',
    'SELECT id, coalesce(bi, 0), CASE WHEN id > 2 THEN bi END, greatest(bi, 9007199254740992) FROM nums ORDER BY id',
    'SELECT count(DISTINCT bi) FROM nums',
    'SELECT bi, count(*) FROM nums GROUP BY bi ORDER BY bi',
    'SELECT bi, i2, count(*) FROM nums GROUP BY bi, i2 ORDER BY bi, i2',
    'SELECT DISTINCT bi FROM nums ORDER BY bi',
    'SELECT a.id, b.id FROM nums a JOIN nums b ON a.bi = b.bi ORDER BY 1, 2',
    'SELECT min(bi), max(bi) FROM nums WHERE bi > 0',
  ]);
});

/** Rows as text, in the order the query gives them. */
async function rowsOf(c: Client, sql: string): Promise<string> {
  return JSON.stringify((await c.query({ text: sql, rowMode: 'array' })).rows);
}

test('a continuous query groups and counts distinct bigints exactly, before and after a restart', async () => {
  const rows = (values: readonly string[]): string => values.map((v) => `(${v})`).join(', ');
  const first = ['9007199254740992', '9007199254740993', '9007199254740993', '9007199254740994', '-9007199254740993',
    '-9223372036854775808', '9223372036854775807', '1'];
  const second = ['9007199254740993', '9007199254740995', '-9007199254740992', '9223372036854775806'];
  const groups = 'SELECT bi, n FROM per_bi ORDER BY bi';
  const oracleGroups = 'SELECT bi, count(*) AS n FROM ins GROUP BY bi ORDER BY bi';
  const distinct = 'SELECT d, dn FROM distinct_bi';
  const oracleDistinct = 'SELECT count(DISTINCT bi) AS d, count(DISTINCT bi / 2) AS dn FROM ins';

  await oracle.query('CREATE TABLE ins (bi bigint)');
  await client.query("CREATE STREAM ins (bi bigint) WITH (retention = '1 hour')");
  await client.query("CREATE CONTINUOUS QUERY per_bi WITH (trigger_interval = '20ms') AS SELECT bi, count(*) AS n FROM ins GROUP BY bi");
  await client.query("CREATE CONTINUOUS QUERY distinct_bi WITH (trigger_interval = '20ms') AS " +
    'SELECT count(DISTINCT bi) AS d, count(DISTINCT bi / 2) AS dn, count(*) AS total FROM ins');
  const caughtUp = (c: Client, total: number): Promise<unknown> => waitForValue(
    async () => (await c.query('SELECT total FROM distinct_bi')).rows[0]?.total, (t) => Number(t) === total, `${total} rows counted`);

  for (const c of [oracle, client]) await c.query(`INSERT INTO ins VALUES ${rows(first)}`);
  await caughtUp(client, first.length);
  assert.equal(await rowsOf(client, groups), await rowsOf(oracle, oracleGroups));
  assert.equal(await rowsOf(client, distinct), await rowsOf(oracle, oracleDistinct));

  // The groups and distinct values come back from their stored state, and new rows must find them.
  await client.end();
  await sluice.stop();
  restarted = await startServer({ dataDir: sluice.dataDir });
  client = new Client({ host: restarted.host, port: restarted.port, user: 'test', database: 'test' });
  await client.connect();
  for (const c of [oracle, client]) await c.query(`INSERT INTO ins VALUES ${rows(second)}`);
  await caughtUp(client, first.length + second.length);
  assert.equal(await rowsOf(client, groups), await rowsOf(oracle, oracleGroups));
  assert.equal(await rowsOf(client, distinct), await rowsOf(oracle, oracleDistinct));
});

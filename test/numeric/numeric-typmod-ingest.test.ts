// NUMERIC(p, s) where values arrive other than by INSERT: COPY FROM STDIN (psql 15 piping the data) rounds each value
// to the column's scale and fails whole with 22003 past its precision, and a continuous query whose output column
// casts to NUMERIC(p, s) keeps that type and its rounded values. The roundings are PostgreSQL 15's (checked on it:
// test/numeric/numeric-vs-postgres.test.ts compares the same casts with a real PostgreSQL).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { psql } from '../helpers/psql';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

let server: TestServer;
let client: Client;

before(async () => {
  server = await startServer();
  client = await connectPg(server);
});

after(async () => {
  await client?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

async function texts(sql: string): Promise<unknown[][]> {
  const r = await client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  return r.rows;
}

test('COPY rounds into NUMERIC(p, s) columns and refuses a value past the precision', async () => {
  await client.query('CREATE TABLE prices (id INT PRIMARY KEY, price NUMERIC(5,2))');
  const loaded = await psql(server, ['COPY prices FROM STDIN WITH (FORMAT csv)'], '1,123.456\n2,1.005\n3,-0.004\n', { verbose: true });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.deepEqual(await texts('SELECT id, price FROM prices ORDER BY id'), [['1', '123.46'], ['2', '1.01'], ['3', '0.00']]);

  const over = await psql(server, ['COPY prices FROM STDIN'], '4\t5.5\n5\t999.995\n', { verbose: true });
  assert.notEqual(over.code, 0);
  assert.match(over.stderr, /ERROR:\s+22003: numeric field overflow/);
  assert.deepEqual(await texts('SELECT count(*) FROM prices'), [['3']]);
});

test('a continuous query that casts to NUMERIC(p, s) outputs that type, rounded', async () => {
  await client.query('CREATE STREAM ticks (sym TEXT, px NUMERIC)');
  await client.query('CREATE CONTINUOUS QUERY last_px AS SELECT sym, max(px)::numeric(6,1) AS px FROM ticks GROUP BY sym');
  await client.query("INSERT INTO ticks VALUES ('a', 10.25), ('a', 12.349), ('b', -0.05)");
  const rows = await waitForValue(() => texts('SELECT sym, px FROM last_px ORDER BY sym'), (r) => r.length === 2,
    'both groups in the continuous query');
  assert.deepEqual(rows, [['a', '12.3'], ['b', '-0.1']]);
  const described = await client.query('SELECT px FROM last_px');
  assert.equal(described.fields[0].dataTypeModifier, ((6 << 16) | 1) + 4);
});

test('a continuous query groups equal NUMERIC values of different scales together, showing the first', async () => {
  await client.query('CREATE STREAM readings (level NUMERIC, n INT)');
  await client.query('CREATE CONTINUOUS QUERY by_level AS SELECT level, count(*) AS c, sum(n) AS total FROM readings GROUP BY level');
  await client.query('INSERT INTO readings VALUES (1.50, 1), (1.5, 2), (2, 3)');
  await client.query('INSERT INTO readings VALUES (1.500, 4), (2.0, 5)');
  const rows = await waitForValue(() => texts('SELECT level, c, total FROM by_level ORDER BY level'),
    (r) => r.length === 2 && r[1][1] === '2', 'the second insert in the continuous query');
  assert.deepEqual(rows, [['1.50', '3', '7'], ['2', '2', '8']]);
});

// POST /api/v1/sql against the real server: results with their types kept, errors as JSON with the SQLSTATE and
// the HTTP status it maps to, statements refused here, and the caps on bodies and results.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server';
import { call, sql } from './client';

describe('POST /api/v1/sql', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  test('every statement answers with its command tag, columns (type name and OID) and rows', async () => {
    const results = await sql(server, `CREATE TABLE typed (id BIGINT PRIMARY KEY, n NUMERIC, i INTEGER, s SMALLINT,
      f DOUBLE PRECISION, r REAL, b BOOLEAN, j JSONB, t TEXT, ts TIMESTAMPTZ, d DATE, iv INTERVAL);
      INSERT INTO typed VALUES (9007199254740993, 12345678901234567890.123456789, 7, -3, 1.5, 0.1, true,
        '{"a": [1, null, "x"]}', 'hé', '2026-01-02 03:04:05.5+00', '2026-01-02', '1 day 2 hours'),
        (1, NULL, NULL, NULL, 'NaN', '-Infinity', false, 'null', NULL, NULL, NULL, NULL);
      SELECT * FROM typed ORDER BY id DESC`);
    assert.deepEqual(results.map((r) => r.command), ['CREATE TABLE', 'INSERT 0 2', 'SELECT 2']);
    const select = results[2];
    assert.deepEqual(select.columns.map((c: { name: string; type: string; typeOid: number }) => [c.name, c.type, c.typeOid]), [
      ['id', 'int8', 20], ['n', 'numeric', 1700], ['i', 'int4', 23], ['s', 'int2', 21], ['f', 'float8', 701],
      ['r', 'float4', 700], ['b', 'bool', 16], ['j', 'jsonb', 3802], ['t', 'text', 25], ['ts', 'timestamptz', 1184],
      ['d', 'date', 1082], ['iv', 'interval', 1186],
    ]);
    assert.deepEqual(select.rows, [
      ['9007199254740993', '12345678901234567890.123456789', 7, -3, 1.5, 0.1, true, { a: [1, null, 'x'] }, 'hé',
        '2026-01-02 03:04:05.5+00', '2026-01-02', '1 day 02:00:00'],
      ['1', null, null, null, 'NaN', '-Infinity', false, null, null, null, null, null],
    ]);
  });

  test('params are bound as a driver would send them, as text of the parameter type', async () => {
    const [result] = await sql(server, 'SELECT $1::int8 + 1 AS big, $2::text AS t, $3::jsonb AS j, $4::int4 AS missing',
      ['9007199254740993', 'x', { k: 1 }, null]);
    assert.deepEqual(result.rows, [['9007199254740994', 'x', { k: 1 }, null]]);
  });

  test('params with more than one statement: 42601, as in Parse', async () => {
    const answer = await call(server, 'POST', '/api/v1/sql', { body: { sql: 'SELECT $1; SELECT 2', params: [1] } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.sqlstate, '42601');
  });

  test('a syntax error: 400, 42601, with the position', async () => {
    const answer = await call(server, 'POST', '/api/v1/sql', { body: { sql: 'SELECT 1 FROM WHERE' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.sqlstate, '42601');
    assert.equal(answer.body.error.position, 15);
    assert.match(answer.body.error.message, /syntax error at or near "WHERE"/);
  });

  test('an unknown relation: 404 (42P01); a duplicate: 409 (42P07)', async () => {
    const missing = await call(server, 'POST', '/api/v1/sql', { body: { sql: 'SELECT * FROM nowhere' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.sqlstate, '42P01');
    await sql(server, 'CREATE TABLE twice (k INT PRIMARY KEY)');
    const duplicate = await call(server, 'POST', '/api/v1/sql', { body: { sql: 'CREATE TABLE twice (k INT PRIMARY KEY)' } });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.sqlstate, '42P07');
  });

  test('statements stop at the first failure, and a transaction left open is rolled back', async () => {
    await sql(server, 'CREATE TABLE tx (k INT PRIMARY KEY)');
    const failed = await call(server, 'POST', '/api/v1/sql', {
      body: { sql: 'INSERT INTO tx VALUES (1); SELECT 1/0; INSERT INTO tx VALUES (2)' },
    });
    assert.equal(failed.status, 400);
    assert.equal(failed.body.error.sqlstate, '22012');
    await sql(server, 'BEGIN; INSERT INTO tx VALUES (3)');
    const [rows] = await sql(server, 'SELECT k FROM tx ORDER BY k');
    assert.deepEqual(rows.rows, [[1]]);
  });

  test('bad JSON: 400; a body that is not an object or lacks sql: 400', async () => {
    const bad = await call(server, 'POST', '/api/v1/sql', { rawBody: '{"sql": ' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.sqlstate, '22P02');
    for (const body of [[1], { query: 'SELECT 1' }, { sql: 'SELECT 1', params: 'x' }]) {
      const answer = await call(server, 'POST', '/api/v1/sql', { body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.sqlstate, '22023');
    }
  });

  test('a body over 1 MB: 413', async () => {
    const answer = await call(server, 'POST', '/api/v1/sql', { body: { sql: `SELECT '${'x'.repeat(1024 * 1024)}'` } });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.sqlstate, '54000');
  });

  test('SUBSCRIBE and COPY are refused with 0A000, and the server carries on', async () => {
    await sql(server, 'CREATE TABLE src (k INT PRIMARY KEY)');
    for (const text of ['SUBSCRIBE TO src', 'COPY src TO STDOUT', 'COPY src FROM STDIN']) {
      const answer = await call(server, 'POST', '/api/v1/sql', { body: { sql: text } });
      assert.equal(answer.status, 400, text);
      assert.equal(answer.body.error.sqlstate, '0A000', text);
    }
    const [count] = await sql(server, 'SELECT count(*) FROM src');
    assert.deepEqual(count.rows, [['0']]);
  });

  test('a result past the response cap: 503 with 53200', async () => {
    await sql(server, 'CREATE TABLE big (k INT PRIMARY KEY, v TEXT)');
    const chunk = 'y'.repeat(900 * 1024);
    for (let k = 0; k < 40; k++) await sql(server, 'INSERT INTO big VALUES ($1, $2)', [k, chunk]);
    const answer = await call(server, 'POST', '/api/v1/sql', { body: { sql: 'SELECT * FROM big' } });
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error.sqlstate, '53200');
    const [limited] = await sql(server, 'SELECT k FROM big ORDER BY k LIMIT 3');
    assert.deepEqual(limited.rows, [[0], [1], [2]]);
  });

  test('notices come back with the results', async () => {
    const answer = await call(server, 'POST', '/api/v1/sql', { body: { sql: 'DROP TABLE IF EXISTS never_there' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.notices.length, 1);
    assert.match(answer.body.notices[0].message, /never_there/);
  });
});

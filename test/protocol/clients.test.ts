// Real clients against the real server: node-postgres (simple, parameterized, named prepared statements, rowMode
// array, binary results, errors, notices), postgres.js (named statements, pipelining, simple mode) and psql.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ClientConfig, DatabaseError } from 'pg';
import postgres from 'postgres';
import { connectPg, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

function psql(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-X', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PGUSER: 'test', PGDATABASE: 'sluice', PGCONNECT_TIMEOUT: '5', ...env },
    timeout: 15_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('node-postgres', () => {
  test('simple queries, multi-statement strings and rowMode array', async () => {
    const pg = await connectPg(server);
    const r = await pg.query('SHOW server_version');
    assert.deepEqual(r.rows, [{ server_version: '15.0 (Sluice 0.1.0)' }]);
    const multi = (await pg.query("SET application_name = 'pg'; SHOW application_name")) as unknown as { command: string; rows: unknown[] }[];
    assert.equal(multi.length, 2);
    assert.equal(multi[0].command, 'SET');
    assert.deepEqual(multi[1].rows, [{ application_name: 'pg' }]);
    const arr = await pg.query({ text: 'SHOW TimeZone', rowMode: 'array' });
    assert.deepEqual(arr.rows, [['UTC']]);
    await pg.end();
  });

  test('parameterized and named prepared statements, reused', async () => {
    const pg = await connectPg(server);
    const r = await pg.query('SELECT pg_sleep($1)', [0]);
    assert.equal(r.rowCount, 1);
    for (let i = 0; i < 3; i++) {
      const n = await pg.query({ name: 'sleepy', text: 'SELECT pg_sleep($1)', values: [0.01] });
      assert.equal(n.command, 'SELECT');
    }
    const tz = await pg.query({ name: 'tz', text: 'SHOW TimeZone', rowMode: 'array' });
    assert.deepEqual(tz.rows, [['UTC']]);
    await pg.end();
  });

  test('binary results', async () => {
    const pg = await connectPg(server, { binary: true } as ClientConfig); // `binary` is missing from @types/pg
    const r = await pg.query({ text: 'SHOW DateStyle', values: [] });
    // text columns arrive as their UTF-8 bytes in binary, which pg returns as a Buffer or string
    assert.equal(String(r.rows[0].DateStyle), 'ISO, MDY');
    await pg.end();
  });

  test('errors carry SQLSTATE and the session survives; notices arrive', async () => {
    const pg = await connectPg(server);
    await assert.rejects(pg.query('SET nope = 1'), (e: DatabaseError) => e.code === '42704' && e.severity === 'ERROR');
    await assert.rejects(pg.query('SELECT $1::int', ['x']).then(() => pg.query('NOT SQL')), (e: DatabaseError) => typeof e.code === 'string');
    const notices: string[] = [];
    pg.on('notice', (n) => notices.push(n.message ?? ''));
    await pg.query('ROLLBACK');
    assert.deepEqual(notices, ['there is no transaction in progress']);
    assert.equal((await pg.query('SHOW TimeZone')).rows[0].TimeZone, 'UTC');
    await pg.end();
  });

  test('the engine\'s notices arrive: IF NOT EXISTS, DROP IF EXISTS and DROP ... CASCADE', async () => {
    const pg = await connectPg(server);
    const notices: string[] = [];
    pg.on('notice', (n) => notices.push(n.message ?? ''));
    await pg.query('CREATE STREAM noticed (ts TIMESTAMPTZ NOT NULL)');
    await pg.query('CREATE CONTINUOUS QUERY noticed_reader AS SELECT ts FROM noticed');
    assert.deepEqual(notices, []);
    await pg.query('CREATE STREAM IF NOT EXISTS noticed (x INT)');
    await pg.query('DROP TABLE IF EXISTS never_was');
    await pg.query('DROP STREAM noticed CASCADE');
    assert.deepEqual(notices, [
      'relation "noticed" already exists, skipping',
      'table "never_was" does not exist, skipping',
      'drop cascades to noticed_reader',
    ]);
    await pg.end();
  });

  test('connecting to another database name works with a notice', async () => {
    const pg = await connectPg(server, { database: 'postgres' });
    assert.equal((await pg.query('SHOW TimeZone')).rows[0].TimeZone, 'UTC');
    await pg.end();
  });
});

describe('postgres.js', () => {
  test('named statements, parameters, pipelining and simple mode', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false, max: 1 });
    try {
      const [tz] = await sql`SHOW TimeZone`;
      assert.equal(tz.TimeZone, 'UTC');
      const results = await Promise.all([1, 2, 3, 4].map((i) => sql`SELECT pg_sleep(${i / 1000})`));
      assert.deepEqual(results.map((r) => r.count), [1, 1, 1, 1]);
      const again = await sql`SELECT pg_sleep(${0})`; // the named statement is reused
      assert.equal(again.count, 1);
      const simple = await sql.unsafe("SET application_name = 'pjs'; SHOW application_name", [], { prepare: false }).simple();
      assert.equal((simple as unknown as { application_name: string }[][])[1][0].application_name, 'pjs');
      await assert.rejects(sql`SHOW nonsense`, (e: { code?: string }) => e.code === '42704');
      const [after] = await sql`SHOW application_name`;
      assert.equal(after.application_name, 'pjs');
    } finally {
      await sql.end();
    }
  });

  test('transactions through sql.begin', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false, max: 1 });
    try {
      const value = await sql.begin(async (tx) => {
        await tx`SET LOCAL search_path = 'inside'`;
        const [r] = await tx`SHOW search_path`;
        return r.search_path as string;
      });
      assert.equal(value, 'inside');
      const [r] = await sql`SHOW search_path`;
      assert.equal(r.search_path, '"$user", public');
    } finally {
      await sql.end();
    }
  });
});

describe('psql', () => {
  test('runs commands and prints results', () => {
    const r = psql(['-A', '-t', '-c', 'SHOW server_version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '15.0 (Sluice 0.1.0)');
  });

  test('several commands, a transaction and an error with ON_ERROR_STOP', () => {
    const r = psql(['-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', 'BEGIN', '-c', 'SET LOCAL TimeZone = UTC', '-c', 'SHOW TimeZone', '-c', 'COMMIT', '-c', 'SHOW nope']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /BEGIN\nSET\nUTC\nCOMMIT/);
    assert.match(r.stderr, /ERROR: {2}unrecognized configuration parameter "nope"/);
  });

  test('a script on stdin with \\set and variables', () => {
    const r = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-X', '-A', '-t', '-U', 'test', 'sluice'], {
      input: "\\set app 'from_script'\nSET application_name = :'app';\nSHOW application_name;\n",
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /from_script/);
  });
});

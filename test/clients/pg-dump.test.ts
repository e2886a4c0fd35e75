// pg_dump 15 --schema-only against Sluice, and the statements it sends that Sluice answers itself: LOCK TABLE (one per
// dumped table, inside its REPEATABLE READ transaction) and the SQL-level PREPARE / EXECUTE / DEALLOCATE of its
// per-object catalog queries. The dump's table definitions and the statements' answers are compared with a real
// PostgreSQL 15 given the same SQL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { withPostgresOracle } from '../helpers/postgres-oracle';

const fx = withPostgresOracle({ database: 'sluice' });

/** What a client sees: the command and rows, or the SQLSTATE, message and detail. */
async function answer(c: Client, sql: string): Promise<string> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array' });
    return JSON.stringify({ command: r.command, rows: r.rows });
  } catch (e) {
    const err = e as { code?: string; message: string; detail?: string };
    return JSON.stringify({ error: err.code, message: err.message, detail: err.detail });
  }
}

async function sameAsPostgres(statements: readonly string[]): Promise<void> {
  for (const sql of statements) assert.equal(await answer(fx.client, sql), await answer(fx.oracle, sql), sql);
}

/** The whole database's schema, or one table's (`-t table`). */
function pgDump(host: string, port: number, user: string, database: string, table?: string): string {
  const only = table === undefined ? [] : ['-t', table];
  const r = spawnSync('pg_dump', ['--schema-only', '--no-owner', ...only, '-h', host, '-p', String(port), '-U', user, database], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '' },
  });
  assert.equal(r.status, 0, `pg_dump failed: ${r.stderr}`);
  return r.stdout;
}

/** The dump's CREATE TABLE and ALTER TABLE statements, the parts that describe the table itself. */
function tableStatements(dump: string): string[] {
  return dump.split(/;\n/).map((s) => s.replace(/^(--.*\n|\n)*/g, '').trim()).filter((s) => /^(CREATE|ALTER) TABLE/.test(s));
}

test('LOCK TABLE, PREPARE, EXECUTE and DEALLOCATE answer as in PostgreSQL', async () => {
  await sameAsPostgres([
    'CREATE TABLE locked (id bigint PRIMARY KEY, note text)',
    "INSERT INTO locked VALUES (1, 'one'), (2, 'two')",
    'LOCK TABLE locked',
    'BEGIN',
    'LOCK TABLE public.locked, locked IN ACCESS SHARE MODE NOWAIT',
    'LOCK locked IN SHARE ROW EXCLUSIVE MODE',
    'ROLLBACK',
    'PREPARE by_id(bigint) AS SELECT id, note FROM locked WHERE id = $1',
    'PREPARE by_id(bigint) AS SELECT 1',
    'EXECUTE by_id(2)',
    'EXECUTE by_id(2)',
    'EXECUTE by_id',
    'EXECUTE by_id(1, 2)',
    'EXECUTE nosuch(1)',
    'PREPARE rel(pg_catalog.oid) AS SELECT relname FROM pg_catalog.pg_class WHERE oid = $1',
    "EXECUTE rel('1259')",
    'PREPARE nothing(nosuchtype) AS SELECT 1',
    'PREPARE broken(int) SELECT 1',
    'EXECUTE',
    'DEALLOCATE by_id',
    'EXECUTE by_id(2)',
    'DEALLOCATE nosuch',
    'DEALLOCATE PREPARE rel',
    'PREPARE again(int) AS SELECT $1 + 1',
    'DEALLOCATE ALL',
    'EXECUTE again(1)',
  ]);
});

test('pg_dump --schema-only prints the tables as PostgreSQL does, streams as tables, continuous queries as views', async () => {
  const table = 'CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric, opened date, seen timestamptz, doc jsonb, ratio double precision, span interval, ok boolean)';
  await fx.client.query(table);
  await fx.oracle.query(table);
  await fx.client.query("CREATE STREAM payments (id bigint NOT NULL, amount numeric, ts timestamptz NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')");
  await fx.client.query('CREATE CONTINUOUS QUERY paid AS SELECT id, sum(amount) AS total FROM payments GROUP BY id');

  const expected = tableStatements(pgDump('127.0.0.1', fx.pg.port, 'postgres', 'postgres', 'accounts'));
  assert.equal(expected.length, 2, 'PostgreSQL dumps CREATE TABLE and the primary key');
  assert.deepEqual(tableStatements(pgDump(fx.sluice.host, fx.sluice.port, 'test', 'sluice', 'accounts')), expected);

  const all = pgDump(fx.sluice.host, fx.sluice.port, 'test', 'sluice');
  assert.match(all, /CREATE TABLE public\.payments \(\n {4}id bigint NOT NULL,\n {4}amount numeric,\n {4}ts timestamp with time zone NOT NULL\n\);/);
  assert.match(all, /COMMENT ON COLUMN public\.payments\.ts IS 'event time; WATERMARK FOR ts AS ts - INTERVAL ''5 seconds''';/);
  assert.match(all, /CREATE VIEW public\.paid AS\n SELECT id, sum\(amount\) AS total FROM payments GROUP BY id;/);
  assert.doesNotMatch(all, /SET STATISTICS/);
});

// Through the wire: a catalog statement may call only allowlisted functions, whatever their spelling (the escapes of
// issue 15 each answer 42501 as PostgreSQL answers a role that may not execute a function), while the calls tools
// make still run; and a catalog statement that runs long is stopped by a CancelRequest or statement_timeout, after
// which the catalog answers again.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serialize } from 'pg-protocol';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';

let server: TestServer;
let pg: Client;

before(async () => {
  server = await startServer();
  pg = await connectPg(server);
  await pg.query('CREATE TABLE t (id int PRIMARY KEY, name text)');
});

after(async () => {
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

/** Runs long inside the mirror (every call in it is allowed): counting 10^10 generated rows takes minutes. */
const LONG_CATALOG_STATEMENT = 'SELECT count(*) FROM pg_catalog.generate_series(1, 10000000000) AS g';
/** Generous: the statement would run for minutes; a cancel takes effect in milliseconds, a restart in seconds. */
const STOPPED_WITHIN_MS = 8000;

async function refused(sql: string, fn: string): Promise<void> {
  await assert.rejects(pg.query(sql), (e: unknown) => {
    const err = e as { code?: string; message?: string };
    assert.equal(err.code, '42501', `${sql}: ${err.message}`);
    assert.equal(err.message, `permission denied for function ${fn}`, sql);
    return true;
  });
}

test('the escapes of the old name list are refused with 42501, by resolved function', async () => {
  await refused(`SELECT "pg_read_file"('postgresql.conf')`, 'pg_read_file');
  await refused(`SELECT "pg_catalog"."pg_read_file"('postgresql.conf', 0, 100)`, 'pg_read_file');
  await refused(`SELECT * FROM "pg_ls_dir"('/')`, 'pg_ls_dir');
  await refused('SELECT * FROM pg_ls_waldir()', 'pg_ls_waldir');
  // (SELECT set_config(...) on its own sets the client's session, as SET does: see test/protocol/session-statements.)
  await refused(`WITH s AS (SELECT pg_catalog.set_config('search_path', 'pg_catalog', false)) SELECT * FROM s`, 'set_config');
  await refused(`SELECT set_config('work_mem', '1MB', false) FROM pg_catalog.pg_class LIMIT 1`, 'set_config');
  await refused(`SELECT "pg_sleep"(30)`, 'pg_sleep');
  await refused(`WITH s AS (SELECT "pg_sleep"(30)) SELECT * FROM s, pg_catalog.pg_am`, 'pg_sleep');
  await refused(`EXPLAIN ANALYZE SELECT "pg_sleep"(30)`, 'pg_sleep');
  await refused(`SELECT pg_catalog.query_to_xml('SELECT 1', true, false, '')`, 'query_to_xml');
  await refused(`SELECT pg_catalog.pg_advisory_lock(1)`, 'pg_advisory_lock');
  await refused(`SELECT pg_catalog.pg_reload_conf()`, 'pg_reload_conf');
});

test('the calls tools make still run: describing functions, privileges, sizes, aggregates', async () => {
  const { rows } = await pg.query(`
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
           pg_catalog.has_table_privilege(c.oid, 'SELECT') AS readable,
           pg_catalog.pg_table_size(c.oid) >= 0 AS sized,
           pg_catalog.obj_description(c.oid, 'pg_class') IS NOT NULL AS described
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
     WHERE c.relname = 't' AND a.attname = 'name'`);
  assert.deepEqual(rows, [{ type: 'text', readable: true, sized: true, described: true }]);
  const agg = await pg.query(`SELECT pg_catalog.string_agg(attname, ',' ORDER BY attnum) AS cols
    FROM pg_catalog.pg_attribute WHERE attrelid = 'public.t'::pg_catalog.regclass AND attnum > 0`);
  assert.deepEqual(agg.rows, [{ cols: 'id,name' }]);
  const explained = await pg.query(`EXPLAIN SELECT relname FROM pg_catalog.pg_class WHERE relname ~ '^t'`);
  assert.ok(explained.rows.length > 0);
});

async function session(): Promise<{ client: RawClient; processId: number; secret: number }> {
  const { client, startup } = await RawClient.session(server);
  const key = startup.find((m) => m.type === 'K')!;
  return { client, processId: key.body.readInt32BE(0), secret: key.body.readInt32BE(4) };
}

const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');

/** Prepares the long statement (the allowlist check runs at Parse), then starts executing it. */
async function startLongCatalogStatement(client: RawClient): Promise<void> {
  client.send(serialize.parse({ name: 'long', text: LONG_CATALOG_STATEMENT }), serialize.sync());
  assert.equal(types(await client.readUntil('Z', 30_000)), '1Z');
  await client.startStatement(serialize.bind({ statement: 'long' }), serialize.execute({}), serialize.sync());
}

/** The catalog answers; the first statement after a stop starts a new mirror thread. */
async function catalogAnswersAgain(): Promise<void> {
  const { rows } = await pg.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_class WHERE relname = 't'`);
  assert.deepEqual(rows, [{ n: 1 }]);
}

test('a CancelRequest stops a running catalog statement with 57014; the catalog answers again', async (t) => {
  await catalogAnswersAgain(); // the mirror is up: what follows measures the cancel, not its start
  const a = await session();
  const began = Date.now();
  await startLongCatalogStatement(a.client);
  const cancel = await RawClient.connect(server);
  cancel.send(serialize.cancel(a.processId, a.secret));
  const answer = await a.client.readUntil('Z', STOPPED_WITHIN_MS);
  assert.ok(Date.now() - began < STOPPED_WITHIN_MS, `stopped after ${Date.now() - began} ms`);
  assert.equal(types(answer), '2EZ'); // BindComplete, then the error
  assert.equal(errorFields(answer[1]).C, '57014');
  assert.equal(errorFields(answer[1]).M, 'canceling statement due to user request');
  const stoppedMs = Date.now() - began;
  a.client.close();
  await catalogAnswersAgain();
  t.diagnostic(`stopped ${stoppedMs} ms after it started; the catalog answered again ${Date.now() - began - stoppedMs} ms later`);
});

test('statement_timeout stops a running catalog statement with 57014; the catalog answers again', async (t) => {
  const a = await session();
  a.client.send(serialize.query(`SET statement_timeout = '300ms'`));
  assert.equal(types(await a.client.readUntil('Z')), 'CZ');
  const began = Date.now();
  await startLongCatalogStatement(a.client);
  const answer = await a.client.readUntil('Z', STOPPED_WITHIN_MS);
  assert.ok(Date.now() - began < STOPPED_WITHIN_MS, `stopped after ${Date.now() - began} ms`);
  assert.equal(types(answer), '2EZ');
  assert.equal(errorFields(answer[1]).C, '57014');
  assert.equal(errorFields(answer[1]).M, 'canceling statement due to statement timeout');
  const stoppedMs = Date.now() - began;
  a.client.close();
  await catalogAnswersAgain();
  t.diagnostic(`stopped ${stoppedMs} ms after it started; the catalog answered again ${Date.now() - began - stoppedMs} ms later`);
});

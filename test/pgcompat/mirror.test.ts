// The catalog mirror against a real PGlite: psql 15's own catalog queries (captured with psql -E) describe the
// Sluice objects it was synced with.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlError } from '../../engine/errors';
import { T } from '../../engine/types';
import { CatalogMirror } from '../../server/pgcompat/catalog-mirror';
import { DEFS, ORDERS_DEFINITION, REVENUE_SELECT, queryMirror, testSession } from './fixtures';
import { PSQL15_QUERIES } from './psql15-queries';

let mirror: CatalogMirror;

before(() => {
  mirror = new CatalogMirror();
  mirror.sync(DEFS);
});

after(async () => {
  await mirror.close();
});

/** Runs a meta-command's queries as psql does: the first finds the relation's OID, the rest use it. */
async function psql(command: string): Promise<unknown[][][]> {
  const queries = PSQL15_QUERIES[command];
  assert.ok(queries, `no captured queries for ${command}`);
  const results: unknown[][][] = [];
  let oid = '';
  for (const q of queries) {
    const rows = await queryMirror(mirror, q.replace(/\{oid\}/g, oid));
    if (results.length === 0 && rows.length > 0) oid = String(rows[0][0]);
    results.push(rows);
  }
  return results;
}

test('\\dt, \\dv, \\dm and \\d list streams and tables as tables, queries as views', async () => {
  const [dt] = await psql('\\dt');
  assert.deepEqual(dt, [
    ['public', 'customers', 'table', 'sluice'],
    ['public', 'orders', 'table', 'sluice'],
  ]);
  const [dv] = await psql('\\dv');
  assert.deepEqual(dv, [['public', 'revenue', 'view', 'sluice']]);
  const [dm] = await psql('\\dm');
  assert.deepEqual(dm, [['public', 'big', 'materialized view', 'sluice']]);
  const [d] = await psql('\\d');
  assert.deepEqual(d.map((r) => r[1]), ['big', 'customers', 'orders', 'revenue']);
});

test('\\l shows one database, sluice, and \\dn the public and sluice schemas', async () => {
  const [l] = await psql('\\l');
  assert.deepEqual(l.map((r) => [r[0], r[1], r[2]]), [
    ['sluice', 'sluice', 'UTF8'],
    ['template0', 'sluice', 'UTF8'],
    ['template1', 'sluice', 'UTF8'],
  ]);
  const [du] = await psql('\\du');
  assert.deepEqual(du.map((r) => r[0]), ['sluice']); // one role: the bootstrap superuser, renamed
  const [dn] = await psql('\\dn');
  assert.deepEqual(dn, [['public', 'pg_database_owner'], ['sluice', 'sluice']]);
});

test('\\d orders: columns, types and NOT NULL of a stream; no hidden _arrival column', async () => {
  const results = await psql('\\d orders');
  assert.deepEqual(results[0].map((r) => [r[1], r[2]]), [['public', 'orders']]);
  assert.equal(results[1][0][1], 'r'); // relkind
  const columns = results[2].map((r) => [r[0], r[1], r[3]]);
  assert.deepEqual(columns, [
    ['order_id', 'bigint', 't'],
    ['customer', 'text', 'f'],
    ['amount', 'double precision', 'f'],
    ['ts', 'timestamp with time zone', 't'],
  ]);
});

test('\\d+ orders: the watermark shows as the event-time column description', async () => {
  const results = await psql('\\d+ orders');
  const descriptions = results[2].map((r) => [r[0], r[r.length - 1]]);
  assert.deepEqual(descriptions, [
    ['order_id', null],
    ['customer', null],
    ['amount', null],
    ['ts', "event time; WATERMARK FOR ts AS ts - INTERVAL '5 seconds'"],
  ]);
});

test('\\d customers: the primary key shows as an index', async () => {
  const results = await psql('\\d customers');
  assert.deepEqual(results[2].map((r) => [r[0], r[1], r[3]]), [
    ['id', 'bigint', 't'],
    ['name', 'text', 'f'],
    ['region', 'character varying(20)', 'f'],
  ]);
  const [index] = results[3];
  assert.equal(index[0], 'customers_pkey');
  assert.equal(index[1], 't'); // indisprimary
  assert.equal(index[5], 'CREATE UNIQUE INDEX customers_pkey ON customers USING btree (id)');
});

test('\\d+ revenue: a continuous query is a view whose definition is the SELECT', async () => {
  const results = await psql('\\d+ revenue');
  assert.equal(results[1][0][1], 'v');
  assert.deepEqual(results[2].map((r) => [r[0], r[1]]), [['customer', 'text'], ['revenue', 'double precision']]);
  assert.deepEqual(results[3], [[` ${REVENUE_SELECT};`]]);
  assert.deepEqual(results[4], []); // no rules besides _RETURN
});

test('\\d big: a continuous query created as MATERIALIZED VIEW is a materialized view', async () => {
  const results = await psql('\\d big');
  assert.equal(results[1][0][1], 'm');
  assert.deepEqual(results[2].map((r) => [r[0], r[1]]), [['order_id', 'bigint']]);
});

test('\\dt+ and \\d+ show each object\'s CREATE statement as its description', async () => {
  const [dtPlus] = await psql('\\dt+');
  const orders = dtPlus.find((r) => r[1] === 'orders');
  assert.equal(orders?.[orders.length - 1], ORDERS_DEFINITION);
  const [dPlus] = await psql('\\d+');
  const revenue = dPlus.find((r) => r[1] === 'revenue');
  assert.equal(revenue?.[revenue.length - 1], `CREATE CONTINUOUS QUERY revenue AS ${REVENUE_SELECT}`);
});

test('\\dv sluice.* lists the system views; \\df lists no functions', async () => {
  const [dv] = await psql('\\dv sluice.*');
  assert.deepEqual(dv.map((r) => r[1]), ['changelogs', 'checkpoints', 'dead_letters', 'queries', 'sinks', 'sources', 'streams', 'subscriptions', 'tables']);
  const [df] = await psql('\\df');
  assert.deepEqual(df, []);
});

test('every captured psql 15 query runs without error', async () => {
  for (const command of Object.keys(PSQL15_QUERIES)) {
    await assert.doesNotReject(psql(command), `psql ${command}`);
  }
});

test('information_schema describes columns for BI tools', async () => {
  const rows = await queryMirror(
    mirror,
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  assert.deepEqual(rows.filter((r) => r[0] === 'customers'), [
    ['customers', 'id', 'bigint', 'NO'],
    ['customers', 'name', 'text', 'YES'],
    ['customers', 'region', 'character varying', 'YES'],
  ]);
  const tables = await queryMirror(
    mirror,
    `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  // information_schema.tables leaves out materialized views, as PostgreSQL does.
  assert.deepEqual(tables, [['customers', 'BASE TABLE'], ['orders', 'BASE TABLE'], ['revenue', 'VIEW']]);
});

test('current_database(), current_user, version() and server_version look like Sluice', async () => {
  const rows = await queryMirror(
    mirror,
    "SELECT current_database(), current_user, version(), pg_catalog.current_setting('server_version'), current_setting('server_version_num') FROM pg_catalog.pg_database LIMIT 1",
  );
  assert.deepEqual(rows, [['sluice', 'sluice', 'PostgreSQL 15.0 (Sluice 0.1.0)', '15.0 (Sluice 0.1.0)', '150000']]);
});

test('parameters and result types: real OIDs, values as PostgreSQL text', async () => {
  const stmt = await mirror.prepare('SELECT c.oid, c.relname, c.relkind, c.relnatts FROM pg_catalog.pg_class c WHERE c.relname = $1', []);
  assert.deepEqual(stmt.paramTypeOids, [19]); // name
  const fields = await stmt.describe(testSession());
  assert.deepEqual(fields?.map((f) => [f.name, f.typeOid]), [['oid', 26], ['relname', 19], ['relkind', 18], ['relnatts', 21]]);
  const result = await stmt.execute(testSession(), ['orders'], { signal: new AbortController().signal });
  assert.equal(result.kind, 'rows');
  if (result.kind !== 'rows') return;
  assert.equal(result.rows.length, 1);
  assert.deepEqual(result.rows[0].slice(1), ['orders', 'r', '4']);
  assert.equal(result.tag(1), 'SELECT 1');
});

test('errors keep PostgreSQL\'s SQLSTATE, message and position in the client\'s text', async () => {
  await assert.rejects(queryMirror(mirror, 'SELECT nosuchcolumn FROM pg_catalog.pg_class'), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.equal(e.code, '42703');
    assert.match(e.message, /nosuchcolumn/);
    assert.equal(e.position, 8);
    return true;
  });
  // The position survives a rewrite earlier in the statement (daticulocale → datlocale).
  await assert.rejects(queryMirror(mirror, 'SELECT daticulocale, nosuch FROM pg_catalog.pg_database'), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.equal(e.position, 22);
    return true;
  });
});

test('the catalog is read-only', async () => {
  const denied = (sql: string) => assert.rejects(mirror.prepare(sql, []).then((s) => s.execute(testSession(), [], { signal: new AbortController().signal })), (e: unknown) => {
    assert.ok(e instanceof SqlError, sql);
    assert.ok(e.code === '42501' || e.code === '0A000', `${sql}: ${e.code}`);
    return true;
  });
  await denied('DELETE FROM pg_catalog.pg_class');
  await denied('UPDATE pg_class SET relname = relname');
  await denied("WITH gone AS (DELETE FROM pg_catalog.pg_description RETURNING 1) SELECT * FROM gone");
  await denied('SELECT * FROM pg_catalog.pg_class FOR UPDATE');
  await denied('SELECT pg_sleep(10)');
  // Still intact: the objects and their comments.
  const [dt] = await psql('\\dt');
  assert.equal(dt.length, 2);
});

test('a catalog statement cannot change settings: set_config is refused and the setting stays', async () => {
  await assert.rejects(queryMirror(mirror, "SELECT pg_catalog.set_config('search_path', 'sluice', false)"), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.equal(e.code, '42501');
    assert.equal(e.message, 'permission denied for function set_config');
    return true;
  });
  const rows = await queryMirror(mirror, "SELECT pg_catalog.current_setting('search_path')");
  assert.deepEqual(rows, [['public']]);
});

test('sync applies drops, replacements and new objects before the next statement', async () => {
  const withoutBig = DEFS.filter((d) => d.name !== 'big');
  const orders = DEFS[0];
  assert.equal(orders.kind, 'stream');
  if (orders.kind !== 'stream') return;
  mirror.sync([
    ...withoutBig.filter((d) => d.name !== 'orders'),
    { ...orders, columns: [...orders.columns, { name: 'note', type: T.text, nullable: true }] },
    { ...orders, name: 'Weird "name"', watermark: null, columns: [{ name: 'x', type: T.int4, nullable: true }] },
  ]);
  const [d] = await psql('\\d');
  assert.deepEqual(d.map((r) => r[1]), ['Weird "name"', 'customers', 'orders', 'revenue']);
  const cols = await queryMirror(mirror, "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'public.orders'::pg_catalog.regclass AND attnum > 0 ORDER BY attnum");
  assert.deepEqual(cols.map((r) => r[0]), ['order_id', 'customer', 'amount', 'ts', 'note']);
  mirror.sync(DEFS);
  const [again] = await psql('\\d');
  assert.deepEqual(again.map((r) => r[1]), ['big', 'customers', 'orders', 'revenue']);
  assert.equal(mirror.failures.size, 0);
});

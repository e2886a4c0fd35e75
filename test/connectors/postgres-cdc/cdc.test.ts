// postgres-cdc end to end: a real PostgreSQL 15 (wal_level = logical) feeding a real Sluice server over logical
// replication. The snapshot of existing rows, then inserts, updates (one changing the key) and deletes arrive, with
// every mapped type equal to what PostgreSQL returns; a continuous query over the CDC table equals the same SELECT on
// PostgreSQL; a type mismatch is refused at CREATE; a restart of PostgreSQL is waited out; an upstream ADD COLUMN
// stops the source with the reason in sluice.sources.

import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../../engine/errors';
import { withServerAndClient } from '../../helpers/server';
import { waitForValue } from '../../helpers/wait';
import { cdcWith, sourceOf, waitEqual, withLogicalPostgres } from './fixture';

const COLUMNS = `id int, customer text, amount numeric(12,2), qty bigint, paid boolean, at timestamptz, day date,
  local timestamp, doc jsonb`;
const ALL = 'SELECT id, customer, amount, qty, paid, at, day, local, doc FROM orders ORDER BY id';

/** A port nothing listens on (it was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('postgres-cdc', () => {
  const fx = withLogicalPostgres();
  const sl = withServerAndClient();

  test('snapshot, then inserts, updates and deletes, types exact; a continuous query equals PostgreSQL', async () => {
    await fx.upstream.query(`CREATE TABLE orders (${COLUMNS}, PRIMARY KEY (id))`);
    await fx.upstream.query(`INSERT INTO orders VALUES
      (1, 'ann', 10.50, 9007199254740993, true, '2026-01-01 10:00:00.123456+02', '2026-01-01', '2026-01-01 08:00:00', '{"a": [1, 2]}'),
      (2, 'bob', -3.00, 2, false, '2025-12-31 23:59:59+00', '2025-12-31', '2025-12-31 23:59:59.5', '{"b": null}'),
      (3, 'ann', 0.01, 3, NULL, NULL, NULL, NULL, NULL)`);
    await sl.pg.query(`CREATE TABLE orders (${COLUMNS}, PRIMARY KEY (id)) ${cdcWith(fx, 'orders')}`);
    await waitEqual(sl.pg, fx.upstream, ALL);

    await sl.pg.query(`CREATE CONTINUOUS QUERY by_customer WITH (trigger_interval = '200 milliseconds') AS
      SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer`);
    await fx.upstream.query(`INSERT INTO orders VALUES (4, 'cy', 99.99, 4, true, now(), current_date, '2026-02-03 04:05:06', '[]')`);
    await fx.upstream.query(`UPDATE orders SET amount = amount + 1, doc = '{"u": 1}' WHERE id = 1`);
    await fx.upstream.query('DELETE FROM orders WHERE id = 2');
    await fx.upstream.query('UPDATE orders SET id = 30 WHERE id = 3'); // the key changes: 3 goes, 30 comes
    const beforeLast = (await fx.upstream.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
    await fx.upstream.query(`BEGIN; INSERT INTO orders VALUES (5, 'bob', 1, 5, false, NULL, NULL, NULL, NULL);
      UPDATE orders SET customer = 'cy' WHERE id = 5; COMMIT`);
    await waitEqual(sl.pg, fx.upstream, ALL);
    // Applied means durable and then confirmed: the slot lets go of the WAL before the last transaction's end.
    await waitForValue(async () => (await fx.upstream.query(
      "SELECT confirmed_flush_lsn > $1::pg_lsn AS past FROM pg_replication_slots WHERE slot_name = 'sluice_orders'",
      [beforeLast])).rows[0]?.past, (past) => past === true, `the slot's confirmed position to pass ${beforeLast}`);
    await waitEqual(sl.pg, fx.upstream, 'SELECT customer, total, n FROM by_customer ORDER BY customer',
      'SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer ORDER BY customer');

    const s = await sourceOf(sl.pg, 'orders');
    assert.equal(s?.state, 'running');
    assert.equal(s?.last_error, null);
    assert.ok(Number(s?.messages) >= 9, `messages ${s?.messages}`);
    // Its position is the LSN stored with the rows: at least what PostgreSQL's slot was last told is flushed.
    const confirmed = (await fx.upstream.query(
      "SELECT $1::pg_lsn >= confirmed_flush_lsn AS ahead FROM pg_replication_slots WHERE slot_name = 'sluice_orders'", [s?.position])).rows[0];
    assert.equal(confirmed?.ahead, true, `position ${s?.position}`);
  });

  test('a declared type that does not map exactly is refused at CREATE with 42804 naming the column', async () => {
    await fx.upstream.query('CREATE TABLE typed (id bigint PRIMARY KEY, v text)');
    await assert.rejects(sl.pg.query(`CREATE TABLE typed (id int PRIMARY KEY, v text) ${cdcWith(fx, 'typed')}`),
      (e: SqlError) => e.code === '42804' && /column "id"/.test(e.message) && /bigint/.test(e.message));
    await assert.rejects(sl.pg.query(`CREATE TABLE typed (id bigint PRIMARY KEY, w text) ${cdcWith(fx, 'typed')}`),
      (e: SqlError) => e.code === '42703' && /column "w"/.test(e.message));
    await assert.rejects(sl.pg.query(`CREATE TABLE typed (id bigint PRIMARY KEY) ${cdcWith(fx, 'typed')}`),
      (e: SqlError) => e.code === '42804' && /column "v" of upstream table public.typed is not declared/.test(e.message));
    await assert.rejects(sl.pg.query(`CREATE TABLE nokey (id bigint, v text) ${cdcWith(fx, 'typed')}`),
      (e: SqlError) => e.code === '22023' && /PRIMARY KEY/.test(e.message));
    await assert.rejects(sl.pg.query(`CREATE TABLE typo (id bigint PRIMARY KEY, v text) ${cdcWith(fx, 'typed', ", topic = 'x'")}`),
      (e: SqlError) => e.code === '22023' && /option "topic"/.test(e.message));
    await assert.rejects(sl.pg.query(`CREATE TABLE missing (id bigint PRIMARY KEY) ${cdcWith(fx, 'no_such_table')}`),
      (e: SqlError) => e.code === '42P01');
    const r = await sl.pg.query("SELECT count(*)::int AS n FROM sluice.sources WHERE name IN ('typed', 'nokey', 'missing')");
    assert.equal(r.rows[0].n, 0);
  });

  test('PostgreSQL unreachable at CREATE: the table is created and its source waits, saying why', async () => {
    const closed = await freePort();
    await sl.pg.query(`CREATE TABLE elsewhere (id int PRIMARY KEY) WITH (connector = 'postgres-cdc',
      hostname = '127.0.0.1', port = '${closed}', username = 'postgres', database = 'postgres', table = 'elsewhere')`);
    const s = await waitForValue(() => sourceOf(sl.pg, 'elsewhere'), (row) => row?.state === 'waiting' && row.last_error !== null,
      'the elsewhere source to wait with an error');
    assert.match(s!.last_error!, /ECONNREFUSED/);
    await sl.pg.query('DROP TABLE elsewhere');
  });

  test('a restart of PostgreSQL: the source waits, then resumes where it was', async () => {
    await fx.upstream.query('CREATE TABLE events (id int PRIMARY KEY, n bigint)');
    await fx.upstream.query('INSERT INTO events SELECT g, g * 10 FROM generate_series(1, 100) g');
    await sl.pg.query(`CREATE TABLE events (id int PRIMARY KEY, n bigint) ${cdcWith(fx, 'events')}`);
    const all = 'SELECT id, n FROM events ORDER BY id';
    await waitEqual(sl.pg, fx.upstream, all);
    await fx.upstream.end();
    // A fast shutdown completes only once the source confirmed the walsender's last position (it would hang else).
    await fx.pg.restart(async () => {
      const down = await waitForValue(() => sourceOf(sl.pg, 'events'), (s) => s?.state === 'waiting',
        'the events source to wait for PostgreSQL');
      assert.ok(down?.last_error, 'the reason it waits');
    });
    fx.upstream = await fx.pg.connect();
    await fx.upstream.query('INSERT INTO events SELECT g, g FROM generate_series(101, 150) g');
    await fx.upstream.query('UPDATE events SET n = n + 1 WHERE id % 7 = 0');
    await fx.upstream.query('DELETE FROM events WHERE id % 11 = 0');
    await waitEqual(sl.pg, fx.upstream, all);
    assert.equal((await sourceOf(sl.pg, 'events'))?.state, 'running');
  });

  test('a given slot and publication of two tables; values an update leaves unsent (TOAST) kept; TRUNCATE', async () => {
    await fx.upstream.query('CREATE TABLE docs (id int PRIMARY KEY, big text, n int)');
    await fx.upstream.query('CREATE TABLE other (id int PRIMARY KEY, x text)');
    // md5 text does not compress: ~10 kB values are stored out of line, and an update not touching them omits them.
    await fx.upstream.query(`INSERT INTO docs SELECT g, (SELECT string_agg(md5(g::text || i::text), '')
      FROM generate_series(1, 300) i), g FROM generate_series(1, 5) g`);
    await fx.upstream.query('CREATE PUBLICATION given_pub FOR TABLE docs, other');
    await fx.upstream.query("SELECT pg_create_logical_replication_slot('given_slot', 'pgoutput')");
    await sl.pg.query(`CREATE TABLE docs (id int PRIMARY KEY, big text, n int)
      ${cdcWith(fx, 'docs', ", slot_name = 'given_slot', publication_name = 'given_pub'")}`);
    const all = 'SELECT id, big, n FROM docs ORDER BY id';
    await waitEqual(sl.pg, fx.upstream, all);
    await fx.upstream.query('UPDATE docs SET n = n * 100');
    await fx.upstream.query("INSERT INTO other VALUES (1, 'not ours')");
    await fx.upstream.query("INSERT INTO docs VALUES (6, 'small', 6)");
    await waitEqual(sl.pg, fx.upstream, all);
    assert.equal((await sl.pg.query('SELECT count(*)::int AS n FROM docs WHERE length(big) > 9000')).rows[0].n, 5);
    await fx.upstream.query("BEGIN; TRUNCATE docs; INSERT INTO docs VALUES (7, 'after', 7); COMMIT");
    await waitEqual(sl.pg, fx.upstream, all);
    const s = await sourceOf(sl.pg, 'docs');
    assert.equal(s?.state, 'running', s?.last_error ?? '');
  });

  test('DROP TABLE drops the slot and publication Sluice named itself; given ones stay', async () => {
    await fx.upstream.query('CREATE TABLE gone (id int PRIMARY KEY)');
    await fx.upstream.query('CREATE TABLE kept (id int PRIMARY KEY)');
    await fx.upstream.query('CREATE PUBLICATION kept_pub FOR TABLE kept');
    await sl.pg.query(`CREATE TABLE gone (id int PRIMARY KEY) ${cdcWith(fx, 'gone')}`);
    await sl.pg.query(`CREATE TABLE kept (id int PRIMARY KEY) ${cdcWith(fx, 'kept', ", slot_name = 'kept_slot', publication_name = 'kept_pub'")}`);
    await fx.upstream.query('INSERT INTO gone VALUES (1); INSERT INTO kept VALUES (1)');
    await waitEqual(sl.pg, fx.upstream, 'SELECT (SELECT count(*) FROM gone) AS g, (SELECT count(*) FROM kept) AS k');
    const names = async (): Promise<string> => (await fx.upstream.query(`SELECT
      (SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots WHERE slot_name IN ('sluice_gone', 'kept_slot')) || ' ' ||
      (SELECT string_agg(pubname, ',' ORDER BY pubname) FROM pg_publication WHERE pubname IN ('sluice_gone', 'kept_pub')) AS n`)).rows[0].n;
    assert.equal(await names(), 'kept_slot,sluice_gone kept_pub,sluice_gone');
    await sl.pg.query('DROP TABLE gone');
    await sl.pg.query('DROP TABLE kept');
    await waitForValue(names, (n) => n === 'kept_slot kept_pub', 'only the given slot and publication to stay');
  });

  test('an upstream ALTER TABLE ADD COLUMN is reported in sluice.sources, not misread', async () => {
    await fx.upstream.query('CREATE TABLE evolving (id int PRIMARY KEY, v text)');
    await fx.upstream.query("INSERT INTO evolving VALUES (1, 'one')");
    await sl.pg.query(`CREATE TABLE evolving (id int PRIMARY KEY, v text) ${cdcWith(fx, 'evolving')}`);
    await waitEqual(sl.pg, fx.upstream, 'SELECT id, v FROM evolving ORDER BY id');
    await fx.upstream.query('ALTER TABLE evolving ADD COLUMN extra int');
    await fx.upstream.query("INSERT INTO evolving VALUES (2, 'two', 42)");
    const s = await waitForValue(() => sourceOf(sl.pg, 'evolving'), (row) => row?.state === 'failed',
      'the evolving source to fail', 30_000);
    assert.match(s!.last_error ?? '', /upstream table public\.evolving changed: column "extra"/);
    const rows = (await sl.pg.query('SELECT id, v FROM evolving ORDER BY id')).rows;
    assert.deepEqual(rows, [{ id: 1, v: 'one' }]);
  });
});

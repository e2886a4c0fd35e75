// The object lifecycle over HTTP (list, describe, create, pause, resume, drop), dead letters a page at a time, the
// status, and HTTP and the PostgreSQL protocol used at once on the same objects.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectPg, withServerAndClient } from '../helpers/server';
import { waitForValue } from '../helpers/wait';
import { call, sql } from './client';

describe('/api/v1 objects', () => {
  const fx = withServerAndClient();

  test('HTTP creates a stream and a query, the wire inserts, HTTP reads the query and its figures', async () => {
    const stream = await call(fx.server, 'POST', '/api/v1/streams', {
      body: { sql: 'CREATE STREAM clicks (user_id BIGINT NOT NULL, url TEXT) WITH (retention = \'1 hour\')' },
    });
    assert.equal(stream.status, 201);
    assert.equal(stream.body.command, 'CREATE STREAM');
    assert.equal(stream.body.object.name, 'clicks');
    assert.deepEqual(stream.body.object.columns, [
      { name: 'user_id', type: 'bigint', nullable: false }, { name: 'url', type: 'text', nullable: true },
    ]);
    const query = await call(fx.server, 'POST', '/api/v1/queries', {
      body: {
        sql: 'CREATE CONTINUOUS QUERY "Per User" WITH (trigger_interval = \'100 milliseconds\') AS ' +
          'SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id',
      },
    });
    assert.equal(query.status, 201);
    assert.equal(query.body.object.name, 'Per User');
    assert.equal(query.body.object.status, 'running');

    await Promise.all([
      fx.pg.query("INSERT INTO clicks VALUES (1, 'a'), (2, 'b'), (1, 'c')"),
      sql(fx.server, "INSERT INTO clicks VALUES (2, 'd')"),
    ]);
    const rows = await waitForValue(
      async () => (await sql(fx.server, 'SELECT user_id, n FROM "Per User" ORDER BY user_id'))[0].rows,
      (r) => JSON.stringify(r) === JSON.stringify([['1', '2'], ['2', '2']]), 'the query to count both users twice');
    assert.deepEqual(rows, [['1', '2'], ['2', '2']]);

    const described = await call(fx.server, 'GET', '/api/v1/queries/Per%20User');
    assert.equal(described.status, 200);
    const figures = (await fx.pg.query(`SELECT rows_in::text, epoch::text FROM sluice.queries WHERE name = 'Per User'`)).rows[0];
    assert.equal(described.body.rows_in, figures.rows_in);
    assert.equal(described.body.rows_in, '4');
    assert.match(described.body.definition, /^CREATE CONTINUOUS QUERY "Per User"/);
    assert.deepEqual(described.body.columns.map((c: { name: string }) => c.name), ['user_id', 'n']);
  });

  test('many writers at once, half over HTTP and half over the wire, into one table: every row lands once', async () => {
    await sql(fx.server, 'CREATE TABLE hits (k INT PRIMARY KEY, via TEXT)');
    const wire = await Promise.all(Array.from({ length: 4 }, () => connectPg(fx.server)));
    try {
      await Promise.all(Array.from({ length: 40 }, (_, k) => (k % 2 === 0
        ? sql(fx.server, 'INSERT INTO hits VALUES ($1, $2)', [k, 'http'])
        : wire[k % 4].query('INSERT INTO hits VALUES ($1, $2)', [k, 'wire']))));
    } finally {
      await Promise.all(wire.map((c) => c.end()));
    }
    const [counts] = await sql(fx.server, 'SELECT via, count(*) AS n, sum(k) AS s FROM hits GROUP BY via ORDER BY via');
    assert.deepEqual(counts.rows, [['http', '20', '380'], ['wire', '20', '400']]);
    assert.equal((await call(fx.server, 'DELETE', '/api/v1/tables/hits')).status, 200);
  });

  test('lists carry every object of the kind, with status for queries', async () => {
    const streams = await call(fx.server, 'GET', '/api/v1/streams');
    assert.equal(streams.status, 200);
    assert.deepEqual(streams.body.items.map((i: { name: string }) => i.name), ['clicks']);
    assert.equal(streams.body.items[0].connector_state, null);
    const queries = await call(fx.server, 'GET', '/api/v1/queries');
    assert.deepEqual(queries.body.items.map((i: { name: string; status: string }) => [i.name, i.status]), [['Per User', 'running']]);
    const tables = await call(fx.server, 'GET', '/api/v1/tables');
    assert.deepEqual(tables.body.items, []);
  });

  test('pause and resume, seen over the wire too', async () => {
    const paused = await call(fx.server, 'POST', '/api/v1/queries/Per%20User/pause');
    assert.equal(paused.status, 200);
    assert.equal(paused.body.command, 'ALTER CONTINUOUS QUERY');
    assert.equal(paused.body.object.status, 'paused');
    assert.equal((await fx.pg.query(`SELECT status FROM sluice.queries WHERE name = 'Per User'`)).rows[0].status, 'paused');
    const resumed = await call(fx.server, 'POST', '/api/v1/queries/Per%20User/resume');
    assert.equal(resumed.body.object.status, 'running');
    const missing = await call(fx.server, 'POST', '/api/v1/queries/nope/pause');
    assert.equal(missing.status, 404);
  });

  test('create refuses a statement of another kind, or more than one', async () => {
    for (const text of ['CREATE TABLE t (k INT PRIMARY KEY)', 'DROP STREAM clicks', 'CREATE STREAM a (x INT); CREATE STREAM b (x INT)']) {
      const answer = await call(fx.server, 'POST', '/api/v1/streams', { body: { sql: text } });
      assert.equal(answer.status, 400, text);
      assert.equal(answer.body.error.sqlstate, '42809', text);
    }
    const exists = await call(fx.server, 'POST', '/api/v1/streams', { body: { sql: 'CREATE STREAM clicks (x INT)' } });
    assert.equal(exists.status, 409);
    const table = await call(fx.server, 'POST', '/api/v1/tables', { body: { sql: 'CREATE TABLE IF NOT EXISTS "T""q" (k INT PRIMARY KEY)' } });
    assert.equal(table.status, 201);
    assert.equal(table.body.object.name, 'T"q');
  });

  test('unknown kinds and objects: 404 with a SQLSTATE', async () => {
    const kind = await call(fx.server, 'GET', '/api/v1/widgets');
    assert.equal(kind.status, 404);
    assert.equal(kind.body.error.sqlstate, '42704');
    const object = await call(fx.server, 'GET', '/api/v1/sinks/nope');
    assert.equal(object.status, 404);
    assert.equal(object.body.error.sqlstate, '42P01');
    const drop = await call(fx.server, 'DELETE', '/api/v1/tables/nope');
    assert.equal(drop.status, 404);
  });

  test('drop: 409 while others read from it, then with cascade=true', async () => {
    const refused = await call(fx.server, 'DELETE', '/api/v1/streams/clicks');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.sqlstate, '2BP01');
    const dropped = await call(fx.server, 'DELETE', '/api/v1/streams/clicks?cascade=true');
    assert.equal(dropped.status, 200);
    assert.equal(dropped.body.command, 'DROP STREAM');
    assert.deepEqual((await call(fx.server, 'GET', '/api/v1/queries')).body.items, []);
    const table = await call(fx.server, 'DELETE', `/api/v1/tables/${encodeURIComponent('T"q')}`);
    assert.equal(table.status, 200);
  });

  test('a sink over HTTP: created, described, dropped', async () => {
    await sql(fx.server, 'CREATE STREAM orders (id INT)');
    const created = await call(fx.server, 'POST', '/api/v1/sinks', {
      body: { sql: "CREATE SINK orders_out FROM orders WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:1', format = 'json')" },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.object.name, 'orders_out');
    assert.equal(created.body.object.connector, 'kafka');
    assert.equal((await call(fx.server, 'GET', '/api/v1/sinks')).body.items.length, 1);
    assert.equal((await call(fx.server, 'DELETE', '/api/v1/sinks/orders_out')).status, 200);
  });

  test('dead letters, a page at a time, with a cursor that stays put while more arrive', async () => {
    await sql(fx.server, `CREATE STREAM readings (v INT, ts TIMESTAMPTZ NOT NULL,
      WATERMARK FOR ts AS ts - INTERVAL '10 seconds') WITH (retention = '1 hour')`);
    await sql(fx.server, `CREATE CONTINUOUS QUERY per_10s WITH (trigger_interval = '100 milliseconds') AS
      SELECT window_start, count(*) AS n FROM TUMBLE(readings, ts, INTERVAL '10 seconds') GROUP BY window_start`);
    await fx.pg.query("INSERT INTO readings VALUES (0, '2026-01-01 10:01:00+00')");
    for (let v = 1; v <= 5; v++) await fx.pg.query(`INSERT INTO readings VALUES (${v}, '2026-01-01 10:00:0${v}+00')`);
    await waitForValue(async () => (await call(fx.server, 'GET', '/api/v1/dead-letters?source=per_10s')).body.items.length,
      (n) => n === 5, 'five late rows in the dead letters');

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/v1/dead-letters?source=per_10s&limit=2${after === null ? '' : `&after=${after}`}`;
      const page = await call(fx.server, 'GET', query);
      assert.equal(page.status, 200);
      for (const item of page.body.items) {
        assert.equal(item.reason, 'late');
        seen.push(item.error);
      }
      after = page.body.next;
      pages++;
      if (pages === 1) {
        await fx.pg.query("INSERT INTO readings VALUES (6, '2026-01-01 10:00:06+00')");
        await waitForValue(async () => (await fx.pg.query("SELECT count(*)::int AS n FROM sluice.dead_letters WHERE source = 'per_10s'")).rows[0].n,
          (n) => n === 6, 'the sixth late row in the dead letters');
      }
    } while (after !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((e) => /10:00:0(\d)/.exec(e)?.[1]), ['1', '2', '3', '4', '5', '6']);

    const none = await call(fx.server, 'GET', '/api/v1/dead-letters?source=nothing');
    assert.deepEqual(none.body, { items: [], next: null });
    for (const bad of ['limit=0', 'limit=x', 'after=bm9wZQ']) {
      const answer = await call(fx.server, 'GET', `/api/v1/dead-letters?${bad}`);
      assert.equal(answer.status, 400, bad);
      assert.equal(answer.body.error.sqlstate, '22023', bad);
    }
  });

  test('status: version, uptime, objects and connections (this test\'s wire session among them)', async () => {
    const status = await call(fx.server, 'GET', '/api/v1/status');
    assert.equal(status.status, 200);
    assert.match(status.body.version, /^\d+\.\d+\.\d+/);
    assert.ok(status.body.uptime_seconds >= 0);
    assert.deepEqual(status.body.objects, { streams: 2, tables: 0, queries: 1, sinks: 0 });
    assert.equal(status.body.connections.wire, 1);
    assert.equal(status.body.connections.http, 1);
  });
});

// EXPLAIN ANALYZE CONTINUOUS QUERY from the running query: over the wire, through POST /api/v1/sql, and as the
// DAG's nodes and edges at GET /api/v1/queries/{name}/plan; the rows each operator saw match what was inserted.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';
import { call, sql } from './client';

describe('EXPLAIN ANALYZE CONTINUOUS QUERY', () => {
  let server: TestServer;
  let pg: Client;
  before(async () => {
    server = await startServer();
    pg = await connectPg(server);
    await pg.query(`CREATE STREAM orders (customer TEXT, amount INT) WITH (retention = '1 hour')`);
    await pg.query(`CREATE CONTINUOUS QUERY big_spenders WITH (trigger_interval = '50 milliseconds') AS
      SELECT customer, sum(amount) AS total FROM orders WHERE amount > 10 GROUP BY customer`);
    // One INSERT, so one epoch reads all five rows: three pass the filter, for two customers.
    await pg.query(`INSERT INTO orders VALUES ('acme', 20), ('acme', 5), ('initech', 30), ('acme', 40), ('initech', 1)`);
    await waitForValue(
      async () => (await pg.query(`SELECT rows_in FROM sluice.queries WHERE name = 'big_spenders'`)).rows[0].rows_in,
      (n) => Number(n) === 5, 'big_spenders to read the 5 rows',
    );
  });
  after(async () => {
    await pg.end();
    assert.equal(await server.stop(), 0);
  });

  test('over the wire: EXPLAIN\'s lines with each operator\'s rows in and out', async () => {
    const { rows, fields } = await pg.query('EXPLAIN ANALYZE CONTINUOUS QUERY big_spenders');
    assert.deepEqual(fields.map((f) => f.name), ['QUERY PLAN']);
    const lines = rows.map((r) => r['QUERY PLAN'] as string);
    const plain = (await pg.query('EXPLAIN CONTINUOUS QUERY big_spenders')).rows.map((r) => r['QUERY PLAN'] as string);
    assert.equal(lines.length, plain.length + 1);
    plain.forEach((line, i) => assert.ok(lines[i].startsWith(`${line}  (`), `${lines[i]} is not ${line} with figures`));
    const figures = (prefix: string): string => lines.find((l) => l.trimStart().startsWith(prefix))!;
    assert.match(figures('Source stream orders'), /\(rows out=5\)$/);
    assert.match(figures('Filter'), /\(rows in=5 out=3, time last epoch=\d+\.\d{3} ms total=\d+\.\d{3} ms, state=0 bytes\)$/);
    assert.match(figures('HashAggregate'), /\(rows in=3 out=2, .* state=[1-9]\d* bytes\)$/);
    assert.match(figures('Project'), /\(rows in=2 out=2, /);
    assert.match(lines[lines.length - 1], /^Query big_spenders: running, epoch \d+; operator figures since the server started \(epochs: \d+\)$/);
  });

  test('through POST /api/v1/sql, the same lines', async () => {
    const [result] = await sql(server, 'EXPLAIN ANALYZE CONTINUOUS QUERY big_spenders');
    assert.equal(result.command, 'EXPLAIN');
    assert.ok(result.rows.some((r: string[]) => /^ {2}HashAggregate .*\(rows in=3 out=2, /.test(r[0])));
  });

  test('GET /api/v1/queries/{name}/plan: nodes and edges with the figures', async () => {
    const answer = await call(server, 'GET', '/api/v1/queries/big_spenders/plan');
    assert.equal(answer.status, 200);
    const plan = answer.body;
    assert.equal(plan.query, 'big_spenders');
    assert.equal(plan.status, 'running');
    assert.ok(plan.epochs_measured >= 1);
    assert.deepEqual(plan.nodes.map((n: { kind: string }) => n.kind), ['source', 'filter', 'aggregate', 'project']);
    const byKind = (kind: string) => plan.nodes.find((n: { kind: string }) => n.kind === kind);
    assert.deepEqual([byKind('source').rows_out, byKind('filter').rows_in, byKind('filter').rows_out], [5, 5, 3]);
    assert.deepEqual([byKind('aggregate').rows_in, byKind('aggregate').rows_out], [3, 2]);
    assert.ok(byKind('aggregate').state_bytes > 0);
    assert.ok(byKind('aggregate').time_total_ms > 0);
    assert.equal(byKind('filter').description, 'Filter (amount > 10)');
    assert.deepEqual(plan.edges, [{ from: 0, to: 1, input: 0 }, { from: 1, to: 2, input: 0 }, { from: 2, to: 3, input: 0 }]);
  });

  test('a shared subplan is one operator: figures on its first line, none on `Shared #1`, two edges out of it', async () => {
    await pg.query(`CREATE STREAM bids (customer TEXT, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')
      WITH (retention = '1 hour')`);
    const counts = `SELECT customer, count(*) AS n, window_start, window_end FROM HOP(bids, ts, INTERVAL '2' SECOND,
      INTERVAL '10' SECOND) GROUP BY customer, window_start, window_end`;
    await pg.query(`CREATE CONTINUOUS QUERY hot WITH (trigger_interval = '50 milliseconds') AS
      SELECT a.customer, a.n FROM (${counts}) a JOIN (SELECT max(c.n) AS maxn, c.window_start, c.window_end FROM (${counts}) c
      GROUP BY c.window_start, c.window_end) m ON a.window_start = m.window_start AND a.window_end = m.window_end AND a.n >= m.maxn`);
    await pg.query(`INSERT INTO bids VALUES ('acme', now()), ('acme', now()), ('initech', now())`);
    await waitForValue(
      async () => (await pg.query(`SELECT rows_in FROM sluice.queries WHERE name = 'hot'`)).rows[0].rows_in,
      (n) => Number(n) === 3, 'hot to read the 3 rows',
    );
    const lines = (await pg.query('EXPLAIN ANALYZE CONTINUOUS QUERY hot')).rows.map((r) => r['QUERY PLAN'] as string);
    const shared = lines.filter((l) => l.includes('[shared #1]'));
    assert.equal(shared.length, 1);
    // Each row is in 5 HOP windows: 15 (window, row) pairs into the shared aggregate.
    assert.match(shared[0], /\[shared #1\]  \(rows in=15 out=\d+, /);
    assert.deepEqual(lines.filter((l) => l.trim().startsWith('Shared #1')).map((l) => l.trim()), ['Shared #1']);

    const plan = (await call(server, 'GET', '/api/v1/queries/hot/plan')).body;
    const aggregate = plan.nodes.find((n: { description: string }) => shared[0].trimStart().startsWith(n.description));
    assert.ok(aggregate !== undefined, 'the shared aggregate is a node');
    assert.equal(plan.edges.filter((e: { from: number }) => e.from === aggregate.id).length, 2);
    assert.equal(plan.nodes.filter((n: { kind: string }) => n.kind === 'source').length, 1);
  });

  test('errors: an unknown query (42P01, 404), a paused query still answers, EXPLAIN ANALYZE of a SELECT (0A000)', async () => {
    await assert.rejects(pg.query('EXPLAIN ANALYZE CONTINUOUS QUERY nope'), { code: '42P01' });
    assert.equal((await call(server, 'GET', '/api/v1/queries/nope/plan')).status, 404);
    await assert.rejects(pg.query('EXPLAIN ANALYZE SELECT 1'), { code: '0A000' });
    await pg.query('ALTER CONTINUOUS QUERY big_spenders PAUSE');
    const paused = await call(server, 'GET', '/api/v1/queries/big_spenders/plan');
    assert.equal(paused.body.status, 'paused');
    await pg.query('ALTER CONTINUOUS QUERY big_spenders RESUME');
  });
});

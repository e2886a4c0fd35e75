// GET /metrics against a real server: parsed strictly as Prometheus text, its per-query figures agree with
// sluice.queries for the same query once rows are in, its per-stream figures with sluice.streams after rows came in
// by every path, and the other families (process, storage, sessions by state, HTTP requests) are there and move with
// what the test does.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { copyFrom } from '../crash/copy-client';
import { waitFor, waitForValue } from '../helpers/wait';
import { apiBase, call } from './client';
import { parsePrometheusText, sampleValue, type Family } from './prometheus-text';

async function scrape(server: TestServer): Promise<Map<string, Family>> {
  const response = await fetch(`${apiBase(server)}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await response.text());
}

describe('GET /metrics', () => {
  let server: TestServer;
  let pg: Client;
  before(async () => {
    server = await startServer();
    pg = await connectPg(server);
    await pg.query(`CREATE STREAM clicks (user_id BIGINT, url TEXT, ts TIMESTAMPTZ NOT NULL,
      WATERMARK FOR ts AS ts - INTERVAL '1 second') WITH (retention = '1 hour')`);
    await pg.query(`CREATE CONTINUOUS QUERY per_user WITH (trigger_interval = '50 milliseconds') AS
      SELECT user_id, count(*) AS n FROM clicks WHERE url <> '/skip' GROUP BY user_id`);
    await pg.query(`CREATE CONTINUOUS QUERY per_minute WITH (trigger_interval = '50 milliseconds') AS
      SELECT window_start, count(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1 minute') GROUP BY window_start`);
  });
  after(async () => {
    await pg.end();
    assert.equal(await server.stop(), 0);
  });

  test('per-query figures agree with sluice.queries once the rows are in', async () => {
    await pg.query(`INSERT INTO clicks VALUES (1, '/a', now()), (2, '/b', now()), (1, '/skip', now())`);
    // Below the watermark the first INSERT set: late for the windowed query.
    await pg.query(`INSERT INTO clicks VALUES (3, '/c', now() - INTERVAL '1 hour')`);
    for (const name of ['per_user', 'per_minute']) {
      const row = await waitForValue(
        async () => (await pg.query('SELECT * FROM sluice.queries WHERE name = $1', [name])).rows[0],
        (r) => Number(r.rows_in) === 4 && Number(r.lag) === 0,
        `${name} to read all 4 rows`,
      );
      const m = await scrape(server);
      const q = { query: name };
      assert.equal(sampleValue(m, 'sluice_query_rows_in_total', q), Number(row.rows_in));
      assert.equal(sampleValue(m, 'sluice_query_rows_out_total', q), Number(row.rows_out));
      assert.equal(sampleValue(m, 'sluice_query_epochs_total', q), Number(row.epoch));
      assert.equal(sampleValue(m, 'sluice_query_late_rows_total', q), Number(row.late_rows));
      assert.equal(sampleValue(m, 'sluice_query_error_rows_total', q), Number(row.error_rows));
      assert.equal(sampleValue(m, 'sluice_query_state_bytes', q), Number(row.state_bytes));
      assert.ok(Number(row.state_bytes) > 0, `${name} holds state`);
      assert.equal(sampleValue(m, 'sluice_query_input_lag_entries', q), 0);
      assert.equal(sampleValue(m, 'sluice_query_status', { ...q, status: 'running' }), 1);
      assert.equal(sampleValue(m, 'sluice_query_status', { ...q, status: 'paused' }), 0);

      // The watermark is a second behind the newest event time, which is about now.
      const watermarkLag = sampleValue(m, 'sluice_query_watermark_lag_seconds', q);
      const expected = Date.now() / 1000 - (row.watermark as Date).getTime() / 1000;
      assert.ok(watermarkLag >= 1 && Math.abs(watermarkLag - expected) < 5, `watermark lag ${watermarkLag}, expected about ${expected}`);

      // Every epoch this process ran is in the histogram.
      const count = sampleValue(m, 'sluice_query_epoch_duration_seconds', q, 'sluice_query_epoch_duration_seconds_count');
      assert.equal(count, Number(row.epoch));
      assert.ok(sampleValue(m, 'sluice_query_epoch_duration_seconds', q, 'sluice_query_epoch_duration_seconds_sum') > 0);
    }
    const m = await scrape(server);
    assert.equal(sampleValue(m, 'sluice_query_late_rows_total', { query: 'per_minute' }), 1);
    assert.equal(sampleValue(m, 'sluice_query_rows_out_total', { query: 'per_user' }), 3); // users 1, 2 and 3
    assert.equal(m.get('sluice_query_rows_in_total')!.type, 'counter');
    assert.equal(m.get('sluice_query_state_bytes')!.type, 'gauge');
    assert.equal(m.get('sluice_query_epoch_duration_seconds')!.type, 'histogram');
  });

  test('per-stream rows and dead letters agree with sluice.streams, after INSERT, COPY and an HTTP POST', async () => {
    await pg.query("CREATE STREAM taps (id INT) WITH (retention = '1 hour')");
    await pg.query("CREATE STREAM hooks (id INT NOT NULL) WITH (connector = 'http', retention = '1 hour')");
    await pg.query('INSERT INTO taps VALUES (1), (2)');
    await pg.query('BEGIN');
    await pg.query('INSERT INTO taps VALUES (3)');
    await pg.query('COMMIT');
    await pg.query('INSERT INTO taps SELECT id + 10 FROM taps');
    assert.equal(await copyFrom(pg, 'COPY taps FROM STDIN', [Buffer.from('20\n21\n22\n23\n')]).done, 4);
    const posted = await fetch(`${apiBase(server)}/api/v1/streams/hooks/rows`, {
      method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"id": 1}\n{"id": "x"}\n{"id": 2}\n',
    });
    assert.deepEqual(await posted.json(), { accepted: 2, dead_lettered: 1, skipped: 0 });

    // 2 + 1 + 3 + 4 rows into taps; 2 into hooks, and its bad record dead-lettered.
    const expected = { taps: { rows: 10, deadLetters: 0 }, hooks: { rows: 2, deadLetters: 1 } };
    const view = await waitForValue(
      async () => (await pg.query("SELECT name, rows, dead_letters FROM sluice.streams WHERE name IN ('taps', 'hooks')")).rows,
      (rows) => rows.every((r) => Number(r.rows) === expected[r.name as keyof typeof expected].rows),
      'sluice.streams to count every row',
    );
    const m = await scrape(server);
    for (const r of view) {
      const want = expected[r.name as keyof typeof expected];
      assert.deepEqual({ rows: Number(r.rows), deadLetters: Number(r.dead_letters) }, want, `sluice.streams for ${r.name}`);
      assert.equal(sampleValue(m, 'sluice_stream_rows_total', { stream: r.name }), want.rows, `rows of ${r.name}`);
      assert.equal(sampleValue(m, 'sluice_stream_dead_letters_total', { stream: r.name }), want.deadLetters, `dead letters of ${r.name}`);
    }
    assert.equal(view.length, 2);
    const deadLettersInView = await pg.query("SELECT count(*)::int AS n FROM sluice.dead_letters WHERE source = 'hooks'");
    assert.equal(deadLettersInView.rows[0].n, 1);
    assert.equal(m.get('sluice_stream_rows_total')!.type, 'counter');
    assert.equal(m.get('sluice_stream_dead_letters_total')!.type, 'counter');
  });

  test('a paused query shows as paused', async () => {
    await pg.query('ALTER CONTINUOUS QUERY per_user PAUSE');
    const m = await scrape(server);
    assert.equal(sampleValue(m, 'sluice_query_status', { query: 'per_user', status: 'paused' }), 1);
    assert.equal(sampleValue(m, 'sluice_query_status', { query: 'per_user', status: 'running' }), 0);
    await pg.query('ALTER CONTINUOUS QUERY per_user RESUME');
  });

  test('wire sessions by state, HTTP requests, storage and the process', async () => {
    const other = await connectPg(server);
    try {
      await other.query('BEGIN');
      const m = await scrape(server);
      assert.equal(sampleValue(m, 'sluice_wire_sessions', { state: 'idle in transaction' }), 1);
      assert.equal(sampleValue(m, 'sluice_wire_sessions', { state: 'idle' }), 1);
      assert.equal(sampleValue(m, 'sluice_wire_sessions', { state: 'active' }), 0);
      assert.ok(sampleValue(m, 'sluice_http_requests_in_flight') >= 1);
      assert.ok(sampleValue(m, 'sluice_storage_bytes') > 0);
      assert.ok(sampleValue(m, 'process_cpu_seconds_total') > 0);
      assert.ok(sampleValue(m, 'process_resident_memory_bytes') > 0);
    } finally {
      await other.end();
    }
    // A 404 is counted by its code once answered.
    assert.equal((await call(server, 'GET', '/api/v1/nothing-here/x/y')).status, 404);
    await waitFor(async () => {
      const family = (await scrape(server)).get('sluice_http_requests_total')!;
      return family.samples.some((s) => s.labels.code === '404' && s.value >= 1);
    }, 'the 404 to be counted');
  });
});

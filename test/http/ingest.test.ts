// POST /api/v1/streams/{name}/rows against a real server: JSON lines and CSV in, bad records under each on_error,
// rows durable once answered (kill -9 right after the answer), a 200 MB body streamed in with the server's memory
// bounded, and POSTs beside COPY and INSERT over the wire on the same stream.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Client } from 'pg';
import { psql } from '../helpers/psql';
import { startServer, withServerAndClient, type TestServer } from '../helpers/server';
import { apiBase, sql } from './client';

interface Posted {
  readonly status: number;
  readonly body: any;
}

/** POSTs `body` (text, or chunks produced as the request is sent) with `contentType`. */
async function post(server: TestServer, path: string, contentType: string, body: string | Readable): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const req = request(`${apiBase(server)}${path}`, { method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else body.pipe(req);
  });
}

async function rowsOf(pg: Client, query: string): Promise<unknown[][]> {
  return (await pg.query({ text: query, rowMode: 'array' })).rows;
}

describe('POST /api/v1/streams/{name}/rows', () => {
  const fx = withServerAndClient();

  test('JSON lines go in, fields by name, as one all-or-nothing COPY', async () => {
    await fx.pg.query("CREATE STREAM hooks (id INT NOT NULL, name TEXT, at TIMESTAMPTZ) WITH (connector = 'http', retention = '1 hour')");
    const body = '{"id": 1, "name": "a", "at": "2026-01-01 10:00:00+00"}\r\n{"name": "b", "id": 2, "extra": true}\n\n{"id": 3}';
    const answer = await post(fx.server, '/api/v1/streams/hooks/rows', 'application/x-ndjson', body);
    assert.deepEqual(answer, { status: 200, body: { accepted: 3, dead_lettered: 0, skipped: 0 } });
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT id, name, at::text FROM hooks ORDER BY id'), [
      [1, 'a', '2026-01-01 10:00:00+00'], [2, 'b', null], [3, null, null],
    ]);
  });

  test('CSV goes in, fields in column order, with ?header=true skipping the first line', async () => {
    await fx.pg.query("CREATE STREAM csv_hooks (id INT, name TEXT) WITH (connector = 'http', retention = '1 hour')");
    const answer = await post(fx.server, '/api/v1/streams/csv_hooks/rows?header=true', 'text/csv', 'id,name\n1,"x, y"\n2,\n');
    assert.deepEqual(answer, { status: 200, body: { accepted: 2, dead_lettered: 0, skipped: 0 } });
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT id, name FROM csv_hooks ORDER BY id'), [[1, 'x, y'], [2, null]]);
  });

  test('bad records are dead-lettered by default, with their raw bytes and reason', async () => {
    await fx.pg.query("CREATE STREAM dl_hooks (id INT NOT NULL) WITH (connector = 'http', retention = '1 hour')");
    const answer = await post(fx.server, '/api/v1/streams/dl_hooks/rows', 'application/x-ndjson', '{"id": 1}\n{"id": "x"}\nnot json\n{}\n{"id": 2}\n');
    assert.deepEqual(answer, { status: 200, body: { accepted: 2, dead_lettered: 3, skipped: 0 } });
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT id FROM dl_hooks ORDER BY id'), [[1], [2]]);
    const dead = await rowsOf(fx.pg, "SELECT \"offset\", raw, reason FROM sluice.dead_letters WHERE source = 'dl_hooks' ORDER BY \"offset\"");
    assert.deepEqual(dead, [['2', '{"id": "x"}', 'type'], ['3', 'not json', 'parse'], ['4', '{}', 'not_null']]);
  });

  test("on_error = 'skip' leaves bad records out and counts them", async () => {
    await fx.pg.query("CREATE STREAM skip_hooks (id INT) WITH (connector = 'http', on_error = 'skip', retention = '1 hour')");
    const answer = await post(fx.server, '/api/v1/streams/skip_hooks/rows', 'text/csv', '1\nx\n3\n');
    assert.deepEqual(answer, { status: 200, body: { accepted: 2, dead_lettered: 0, skipped: 1 } });
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT id FROM skip_hooks ORDER BY id'), [[1], [3]]);
    assert.deepEqual(await rowsOf(fx.pg, "SELECT count(*) FROM sluice.dead_letters WHERE source = 'skip_hooks'"), [['0']]);
  });

  test("on_error = 'fail' fails the whole request with 22P02 and applies nothing", async () => {
    await fx.pg.query("CREATE STREAM fail_hooks (id INT) WITH (connector = 'http', on_error = 'fail', retention = '1 hour')");
    // Enough good rows before the bad one that some were staged before it came.
    const good = Array.from({ length: 50_000 }, (_, i) => `{"id": ${i}}`).join('\n');
    const answer = await post(fx.server, '/api/v1/streams/fail_hooks/rows', 'application/x-ndjson', `${good}\n{"id": 1.5x}\n`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.sqlstate, '22P02');
    assert.match(answer.body.error.message, /line 50001/);
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT count(*) FROM fail_hooks'), [['0']]);
  });

  test('a stream not declared for HTTP refuses POSTs (409, 42809); a missing one is 404; an unknown body type 415', async () => {
    await fx.pg.query("CREATE STREAM wire_only (id INT) WITH (retention = '1 hour')");
    const refused = await post(fx.server, '/api/v1/streams/wire_only/rows', 'application/json', '{"id": 1}');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.sqlstate, '42809');
    const missing = await post(fx.server, '/api/v1/streams/nope/rows', 'application/json', '{"id": 1}');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.sqlstate, '42P01');
    const unknownType = await post(fx.server, '/api/v1/streams/hooks/rows', 'text/plain', '1');
    assert.equal(unknownType.status, 415);
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT count(*) FROM wire_only'), [['0']]);
  });

  test('a line over 1 MB is a bad record of reason size, kept by its start; the lines around it go in', async () => {
    await fx.pg.query("CREATE STREAM long_hooks (id INT, note TEXT) WITH (connector = 'http', retention = '1 hour')");
    const long = JSON.stringify({ id: 2, note: 'n'.repeat(2 * 1024 * 1024) });
    const answer = await post(fx.server, '/api/v1/streams/long_hooks/rows', 'application/x-ndjson', `{"id": 1}\n${long}\n{"id": 3}\n`);
    assert.deepEqual(answer.body, { accepted: 2, dead_lettered: 1, skipped: 0 });
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT id FROM long_hooks ORDER BY id'), [[1], [3]]);
    assert.deepEqual(await rowsOf(fx.pg, "SELECT \"offset\", reason, length(raw) FROM sluice.dead_letters WHERE source = 'long_hooks'"),
      [['2', 'size', 1024]]);
  });

  test('psql COPY into an http stream follows its on_error as a POST does; FORMAT json into any other stream fails whole', async () => {
    await fx.pg.query("CREATE STREAM wire_hooks (id INT) WITH (connector = 'http', on_error = 'skip', retention = '1 hour')");
    const skipped = await psql(fx.server, ['COPY wire_hooks FROM STDIN WITH (FORMAT json)'], '{"id": 1}\n{"id": "x"}\n{"id": 3}\n');
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stdout.trim(), 'COPY 2');
    await fx.pg.query("CREATE STREAM plain_json (id INT) WITH (retention = '1 hour')");
    await fx.pg.query('INSERT INTO plain_json VALUES (0)');
    const failed = await psql(fx.server, ['COPY plain_json FROM STDIN WITH (FORMAT json)'], '{"id": 1}\n{"id": "x"}\n', { verbose: true });
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /22P02/);
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT id FROM plain_json'), [[0]]);
    await fx.pg.query('CREATE TABLE json_table (id INT PRIMARY KEY)');
    await assert.rejects(fx.pg.query('COPY json_table FROM STDIN WITH (FORMAT json)'), { code: '0A000' });
    await assert.rejects(fx.pg.query('COPY plain_json TO STDOUT WITH (FORMAT json)'), { code: '0A000' });
    await assert.rejects(fx.pg.query('COPY plain_json FROM STDIN WITH (FORMAT json, HEADER true)'), { code: '0A000' });
  });

  test('only connector = http streams take on_error without Kafka; http tables are refused', async () => {
    await assert.rejects(fx.pg.query("CREATE STREAM bad1 (id INT) WITH (connector = 'http', topic = 't')"), { code: '22023' });
    await assert.rejects(fx.pg.query("CREATE TABLE bad2 (id INT PRIMARY KEY) WITH (connector = 'http')"), { code: '22023' });
  });

  test('POSTs, COPY and INSERT over the wire at once on the same stream: every row once', async () => {
    await fx.pg.query("CREATE STREAM shared_hooks (src TEXT, n INT) WITH (connector = 'http', retention = '1 hour')");
    const posts = Array.from({ length: 10 }, (_, p) => post(fx.server, '/api/v1/streams/shared_hooks/rows', 'application/x-ndjson',
        Array.from({ length: 1000 }, (_, i) => JSON.stringify({ src: 'post', n: p * 1000 + i })).join('\n')));
    const inserts = (async () => {
      for (let i = 0; i < 50; i++) await fx.pg.query("INSERT INTO shared_hooks VALUES ('insert', $1)", [i]);
    })();
    const copy = psql(fx.server, ['COPY shared_hooks FROM STDIN WITH (FORMAT csv)'],
      Array.from({ length: 5000 }, (_, i) => `copy,${i}\n`).join(''));
    const answers = await Promise.all(posts);
    await inserts;
    const copied = await copy;
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(copied.stdout.trim(), 'COPY 5000');
    for (const a of answers) assert.deepEqual(a.body, { accepted: 1000, dead_lettered: 0, skipped: 0 });
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT src, count(*), count(DISTINCT n) FROM shared_hooks GROUP BY src ORDER BY src'), [
      ['copy', '5000', '5000'], ['insert', '50', '50'], ['post', '10000', '10000'],
    ]);
  });

  test('a 200 MB body streams in with the server\'s memory far below the body\'s size', async () => {
    await fx.pg.query("CREATE STREAM big_hooks (id BIGINT, payload TEXT) WITH (connector = 'http', retention = '1 day')");
    const line = (i: number): string => `${i},${'x'.repeat(90)}\n`; // about 100 bytes
    const total = 200 * 1024 * 1024;
    const lines = Math.ceil(total / line(0).length);
    const perChunk = 640;
    async function* body(): AsyncGenerator<string> {
      for (let i = 0; i < lines; i += perChunk) {
        let chunk = '';
        for (let j = i; j < Math.min(lines, i + perChunk); j++) chunk += line(j);
        yield chunk;
      }
    }
    const pid = fx.server.process.pid!;
    const rssKb = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    const before = rssKb();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssKb()); }, 20);
    try {
      const answer = await post(fx.server, '/api/v1/streams/big_hooks/rows', 'text/csv', Readable.from(body()));
      assert.deepEqual(answer.body, { accepted: lines, dead_lettered: 0, skipped: 0 });
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(await rowsOf(fx.pg, 'SELECT count(*), max(id) FROM big_hooks'), [[String(lines), String(lines - 1)]]);
    // The body is 200 MB; the server may grow by what it decodes and stages at a time, not by the body.
    const grownMb = (peak - before) / 1024;
    assert.ok(grownMb < 80, `the server grew by ${grownMb.toFixed(0)} MB while taking a 200 MB body (from ${before} kB)`);
  });
});

test('rows are durable once POST answers: kill -9 right after, and they are there after a restart', async () => {
  const first = await startServer();
  await sql(first, "CREATE STREAM durable_hooks (id INT) WITH (connector = 'http', retention = '1 day')");
  const body = Array.from({ length: 1000 }, (_, i) => `{"id": ${i}}`).join('\n');
  const answer = await post(first, '/api/v1/streams/durable_hooks/rows', 'application/x-ndjson', body);
  first.kill('SIGKILL');
  assert.deepEqual(answer.body, { accepted: 1000, dead_lettered: 0, skipped: 0 });
  await first.exited();
  const second = await startServer({ dataDir: first.dataDir });
  try {
    const [result] = await sql(second, 'SELECT count(*), count(DISTINCT id) FROM durable_hooks');
    assert.deepEqual(result.rows, [['1000', '1000']]);
  } finally {
    assert.equal(await second.stop(), 0);
  }
});

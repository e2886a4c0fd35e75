// A statement that would hold more than its share of --memory-limit fails alone with 53200 (PostgreSQL's
// out_of_memory), and the server and the session go on (issue 15: a 10 K x 10 K join and a 300 MB COPY once took
// V8 past its heap ceiling, and the SIGABRT took every session with it). The server runs with --memory-limit 64, so
// a statement may hold 16 MB and the tests stay cheap.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { copyFrom } from '../crash/copy-client';
import { connectPg, startServer, type TestServer } from '../helpers/server';

const ROWS = 3000;

let server: TestServer;
let pg: Client;

before(async () => {
  server = await startServer({ args: ['--memory-limit', '64'] });
  pg = await connectPg(server);
  for (const t of ['a', 'b']) {
    await pg.query(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v INTEGER)`);
    await pg.query(`INSERT INTO ${t} VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i}, ${i % 7})`).join(', ')}`);
  }
  await pg.query('CREATE TABLE wide (id INTEGER PRIMARY KEY, t TEXT)');
});

after(async () => {
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

interface PgError {
  code: string;
  message: string;
  detail?: string;
}

async function failure(run: Promise<unknown>): Promise<PgError> {
  try {
    await run;
  } catch (e) {
    return e as PgError;
  }
  return assert.fail('the statement succeeded; it should have run out of memory');
}

/** 53200 naming what held the memory, and the server and this session still answer. */
async function assertOutOfMemory(e: PgError, holder: string): Promise<void> {
  assert.equal(e.code, '53200', e.message);
  assert.equal(e.message, 'out of memory');
  assert.match(e.detail ?? '', new RegExp(`${holder}.*may hold 16\\.0 MB \\(a quarter of --memory-limit\\)`));
  assert.equal(server.process.exitCode, null, 'the server is alive');
  assert.equal(server.process.signalCode, null, 'the server was not killed');
  assert.equal((await pg.query('SELECT 1 AS one')).rows[0].one, 1);
}

describe('a statement past its memory share fails with 53200', () => {
  test('a cross join whose 9 M result rows would be kept', async () => {
    const e = await failure(pg.query('SELECT a.id, b.id, a.v FROM a, b'));
    await assertOutOfMemory(e, 'result rows');
  });

  test('a cross join sorted: the sort buffer', async () => {
    const e = await failure(pg.query('SELECT a.id, b.id FROM a, b ORDER BY a.id DESC'));
    await assertOutOfMemory(e, 'sort buffer');
  });

  test('a DISTINCT over a cross join: its rows', async () => {
    const e = await failure(pg.query('SELECT DISTINCT a.id, b.id FROM a, b'));
    await assertOutOfMemory(e, 'DISTINCT rows');
  });

  test('a GROUP BY over a cross join: its groups', async () => {
    const e = await failure(pg.query('SELECT a.id, b.id, count(*) FROM a, b GROUP BY a.id, b.id'));
    await assertOutOfMemory(e, 'aggregate groups');
  });

  test('a COPY into a table, which holds its rows until the end; nothing of it is applied', async () => {
    const line = (i: number): string => `${i},${'x'.repeat(100)}\n`;
    const chunks: Buffer[] = [];
    for (let i = 0; i < 300_000; i += 1000) chunks.push(Buffer.from(Array.from({ length: 1000 }, (_, k) => line(i + k)).join('')));
    const e = await failure(copyFrom(pg, 'COPY wide FROM STDIN (FORMAT csv)', chunks).done);
    await assertOutOfMemory(e, 'COPY rows');
    assert.equal((await pg.query('SELECT count(*) AS n FROM wide')).rows[0].n, '0');
  });

  test('statements within the share still run, after those that failed', async () => {
    const { rows } = await pg.query('SELECT count(*) AS n FROM a JOIN b ON a.v = b.v WHERE a.id < 100');
    // v = i % 7: among ids below 100, 15 rows for v in 0..1 and 14 for 2..6; in b, 429 for v in 0..3, 428 for 4..6.
    assert.equal(rows[0].n, String(2 * 15 * 429 + 2 * 14 * 429 + 3 * 14 * 428));
  });
});

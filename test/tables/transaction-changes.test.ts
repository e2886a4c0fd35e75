// UPDATE and DELETE inside BEGIN ... COMMIT through the wire: COMMIT is all or nothing (a continuous query over the
// table sees the block as one change, and it survives a restart), and a block whose table another session changed
// after the block's UPDATE fails at COMMIT with 40001, writing nothing. test/slt/transactions_changes.slt checks
// the rows against PostgreSQL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatabaseError } from 'pg';
import { connectPg, freshDataDir, startServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

test('a block of UPDATEs and DELETEs commits at once, reaches a continuous query and survives a restart', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let pg = await connectPg(server);
  await pg.query('CREATE TABLE acct (id BIGINT PRIMARY KEY, bal INTEGER)');
  await pg.query('CREATE CONTINUOUS QUERY total AS SELECT sum(bal) AS s, count(*) AS n FROM acct');
  await pg.query('INSERT INTO acct VALUES (1, 100), (2, 50), (3, 5)');
  const total = async () => (await pg.query('SELECT s::text, n::text FROM total')).rows[0];
  await waitForValue(total, (r) => r?.s === '155', 'the first total');

  await pg.query('BEGIN');
  assert.equal((await pg.query('UPDATE acct SET bal = bal - 30 WHERE id = 1')).rowCount, 1);
  assert.equal((await pg.query('UPDATE acct SET bal = bal + 30 WHERE id = 2')).rowCount, 1);
  assert.equal((await pg.query('DELETE FROM acct WHERE id = 3')).rowCount, 1);
  // Nothing is written before COMMIT: SELECT reads committed rows.
  assert.equal((await pg.query('SELECT count(*)::int AS n FROM acct')).rows[0].n, 3);
  await pg.query('COMMIT');
  const rows = async () => (await pg.query('SELECT id::int, bal FROM acct ORDER BY id')).rows;
  assert.deepEqual(await rows(), [{ id: 1, bal: 70 }, { id: 2, bal: 80 }]);
  await waitForValue(total, (r) => r?.n === '2', 'the total after the block');
  assert.deepEqual(await total(), { s: '150', n: '2' });
  await pg.end();
  assert.equal(await server.stop(), 0);

  server = await startServer({ dataDir });
  pg = await connectPg(server);
  assert.deepEqual(await rows(), [{ id: 1, bal: 70 }, { id: 2, bal: 80 }]);
  assert.deepEqual(await total(), { s: '150', n: '2' });
  await pg.end();
  assert.equal(await server.stop(), 0);
});

test('a block whose table another session changed after its UPDATE fails at COMMIT with 40001 and writes nothing', async () => {
  const server = await startServer();
  const a = await connectPg(server);
  const b = await connectPg(server);
  await a.query('CREATE TABLE acct (id BIGINT PRIMARY KEY, bal INTEGER)');
  await a.query('CREATE STREAM audit (msg TEXT, ts TIMESTAMPTZ NOT NULL) WITH (retention = \'1 hour\')');
  await a.query('INSERT INTO acct VALUES (1, 100)');

  await a.query('BEGIN');
  await a.query('UPDATE acct SET bal = bal - 10 WHERE id = 1');
  await a.query(`INSERT INTO audit VALUES ('withdrew 10', now())`);
  await b.query('UPDATE acct SET bal = 0 WHERE id = 1');
  await assert.rejects(a.query('COMMIT'), (e: DatabaseError) => e.code === '40001');

  assert.deepEqual((await a.query('SELECT bal FROM acct')).rows, [{ bal: 0 }]);
  assert.equal((await a.query('SELECT count(*)::int AS n FROM audit')).rows[0].n, 0);
  // The session goes on: the block is over.
  await a.query('UPDATE acct SET bal = 1');
  assert.deepEqual((await b.query('SELECT bal FROM acct')).rows, [{ bal: 1 }]);
  await a.end();
  await b.end();
  assert.equal(await server.stop(), 0);
});

// RETURNING through the extended protocol, as ORMs use it: parameters, a RowDescription at Describe, and the command
// tag PostgreSQL 15 gives (node-postgres reports it as command and rowCount). test/slt/returning.slt checks the rows
// against PostgreSQL.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let pg: Client;
before(async () => {
  server = await startServer();
  pg = await connectPg(server);
  await pg.query('CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL, visits INTEGER)');
});
after(async () => {
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

test('INSERT, UPDATE and DELETE ... RETURNING with parameters give rows, their types and the command tag', async () => {
  const inserted = await pg.query({ text: 'INSERT INTO users VALUES ($1, $2, 0) RETURNING id, email', values: [7, 'a@x'], name: 'ins' });
  assert.equal(inserted.command, 'INSERT');
  assert.equal(inserted.rowCount, 1);
  assert.deepEqual(inserted.rows, [{ id: '7', email: 'a@x' }]);
  assert.deepEqual(inserted.fields.map((f) => [f.name, f.dataTypeID]), [['id', 20], ['email', 25]]);
  // The prepared statement again: the same plan, new rows.
  assert.deepEqual((await pg.query({ name: 'ins', text: 'INSERT INTO users VALUES ($1, $2, 0) RETURNING id, email', values: [8, 'b@x'] })).rows,
    [{ id: '8', email: 'b@x' }]);

  const updated = await pg.query('UPDATE users SET visits = visits + $1 WHERE id = $2 RETURNING visits, visits * 2 AS doubled', [3, 8]);
  assert.equal(updated.command, 'UPDATE');
  assert.equal(updated.rowCount, 1);
  assert.deepEqual(updated.rows, [{ visits: 3, doubled: 6 }]);

  const deleted = await pg.query('DELETE FROM users WHERE visits = 0 RETURNING *');
  assert.equal(deleted.command, 'DELETE');
  assert.equal(deleted.rowCount, 1);
  assert.deepEqual(deleted.rows, [{ id: '7', email: 'a@x', visits: 0 }]);

  const none = await pg.query('DELETE FROM users WHERE id = 99 RETURNING id');
  assert.equal(none.rowCount, 0);
  assert.deepEqual(none.fields.map((f) => f.name), ['id']);
});

test('INSERT ... RETURNING inside a transaction block returns the rows it holds; ROLLBACK drops them', async () => {
  await pg.query('BEGIN');
  const held = await pg.query(`INSERT INTO users VALUES (20, 'held@x', 1) RETURNING email`);
  assert.deepEqual(held.rows, [{ email: 'held@x' }]);
  await pg.query('ROLLBACK');
  assert.equal((await pg.query('SELECT count(*)::int AS n FROM users WHERE id = 20')).rows[0].n, 0);
});

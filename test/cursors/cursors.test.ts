// Cursors through node-postgres against the real server: DECLARE / FETCH / MOVE / CLOSE in a transaction block,
// their lifetimes (the block's end; WITH HOLD across COMMIT), the extended protocol (DECLARE with parameters,
// Describe of a FETCH portal) and every error with its SQLSTATE.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, DatabaseError, QueryConfig } from 'pg';
import { serialize } from 'pg-protocol';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { RawClient, type BackendMessage } from '../helpers/raw-client';

let server: TestServer;
let pg: Client;
before(async () => {
  server = await startServer();
  pg = await connectPg(server);
  await pg.query('CREATE TABLE items (id INT PRIMARY KEY, name TEXT)');
  await pg.query(`INSERT INTO items VALUES ${Array.from({ length: 10 }, (_, i) => `(${i + 1}, 'item ${i + 1}')`).join(', ')}`);
});
after(async () => {
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

const ids = (rows: { id: number }[]): number[] => rows.map((r) => r.id);

/** The SQLSTATE `sql` fails with (the test fails if it succeeds). */
async function sqlstate(client: Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
  } catch (e) {
    return (e as DatabaseError).code ?? `no code: ${(e as Error).message}`;
  }
  assert.fail(`${sql} succeeded`);
}

describe('cursors over SELECT', () => {
  test('DECLARE, FETCH forward in parts, MOVE, CLOSE inside a transaction block', async () => {
    await pg.query('BEGIN');
    const declared = await pg.query('DECLARE c NO SCROLL CURSOR FOR SELECT id, name FROM items ORDER BY id');
    assert.equal(declared.command, 'DECLARE');
    const first = await pg.query('FETCH FORWARD 3 FROM c');
    assert.equal(first.command, 'FETCH');
    assert.equal(first.rowCount, 3);
    assert.deepEqual(first.fields.map((f) => f.name), ['id', 'name']);
    assert.deepEqual(first.rows, [{ id: 1, name: 'item 1' }, { id: 2, name: 'item 2' }, { id: 3, name: 'item 3' }]);
    assert.deepEqual(ids((await pg.query('FETCH c')).rows), [4]);
    assert.deepEqual(ids((await pg.query('FETCH NEXT IN c')).rows), [5]);
    const moved = await pg.query('MOVE 2 c');
    assert.equal(moved.command, 'MOVE');
    assert.equal(moved.rowCount, 2);
    assert.deepEqual(ids((await pg.query('FETCH 2 c')).rows), [8, 9]);
    assert.deepEqual(ids((await pg.query('FETCH ALL FROM c')).rows), [10]);
    const empty = await pg.query('FETCH 5 c');
    assert.equal(empty.rowCount, 0);
    assert.deepEqual(empty.fields.map((f) => f.name), ['id', 'name'], 'an empty FETCH still describes the columns');
    assert.equal((await pg.query('MOVE ALL c')).rowCount, 0);
    assert.equal((await pg.query('CLOSE c')).command, 'CLOSE');
    assert.equal(await sqlstate(pg, 'FETCH c'), '34000');
    await pg.query('ROLLBACK');
  });

  test('the rows are those of the moment of DECLARE', async () => {
    const other = await connectPg(server);
    try {
      await other.query('BEGIN');
      await other.query('DECLARE snap CURSOR FOR SELECT id FROM items ORDER BY id');
      await pg.query('INSERT INTO items VALUES (100, \'late\')');
      assert.deepEqual(ids((await other.query('FETCH ALL snap')).rows), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await other.query('COMMIT');
    } finally {
      await pg.query('DELETE FROM items WHERE id = 100');
      await other.end();
    }
  });

  test('cursors end with their block; WITH HOLD ones survive COMMIT until CLOSE', async () => {
    await pg.query('BEGIN');
    await pg.query('DECLARE plain CURSOR WITHOUT HOLD FOR SELECT id FROM items ORDER BY id');
    await pg.query('DECLARE held CURSOR WITH HOLD FOR SELECT id FROM items ORDER BY id');
    assert.deepEqual(ids((await pg.query('FETCH 2 held')).rows), [1, 2]);
    await pg.query('COMMIT');
    assert.equal(await sqlstate(pg, 'FETCH plain'), '34000');
    assert.deepEqual(ids((await pg.query('FETCH 2 held')).rows), [3, 4], 'outside any block, where it left off');
    await pg.query('BEGIN');
    assert.deepEqual(ids((await pg.query('FETCH held')).rows), [5]);
    await pg.query('ROLLBACK');
    assert.deepEqual(ids((await pg.query('FETCH held')).rows), [6], 'a ROLLBACK of a later block leaves it open');
    await pg.query('CLOSE held');
    assert.equal(await sqlstate(pg, 'FETCH held'), '34000');

    // WITH HOLD in a block that rolls back (or fails) ends with it.
    await pg.query('BEGIN');
    await pg.query('DECLARE rolled CURSOR WITH HOLD FOR SELECT 1 AS one');
    await pg.query('ROLLBACK');
    assert.equal(await sqlstate(pg, 'FETCH rolled'), '34000');
    await pg.query('BEGIN');
    await pg.query('DECLARE failed CURSOR WITH HOLD FOR SELECT 1 AS one');
    assert.equal(await sqlstate(pg, 'SELECT * FROM no_such_relation'), '42P01');
    assert.equal((await pg.query('COMMIT')).command, 'ROLLBACK');
    assert.equal(await sqlstate(pg, 'FETCH failed'), '34000');

    // Outside a block, DECLARE WITH HOLD is its own committed transaction.
    await pg.query('DECLARE auto CURSOR WITH HOLD FOR VALUES (1), (2)');
    assert.deepEqual((await pg.query('FETCH ALL auto')).rows, [{ column1: 1 }, { column1: 2 }]);
    await pg.query('DECLARE a2 CURSOR WITH HOLD FOR VALUES (1)');
    assert.equal((await pg.query('CLOSE ALL')).command, 'CLOSE');
    assert.equal(await sqlstate(pg, 'FETCH auto'), '34000');
    assert.equal(await sqlstate(pg, 'FETCH a2'), '34000');
  });

  test('quoted names, SHOW and catalog queries as the cursor query', async () => {
    await pg.query('BEGIN');
    await pg.query('DECLARE "My Cursor" CURSOR FOR SHOW TABLES');
    assert.deepEqual((await pg.query('FETCH ALL FROM "My Cursor"')).rows.map((r) => r.name), ['items']);
    await pg.query("DECLARE cat CURSOR FOR SELECT relname FROM pg_catalog.pg_class WHERE relname = 'items'");
    assert.deepEqual((await pg.query('FETCH ALL cat')).rows, [{ relname: 'items' }]);
    await pg.query('COMMIT');
  });

  test('errors carry their SQLSTATE', async () => {
    assert.equal(await sqlstate(pg, 'DECLARE c CURSOR FOR SELECT 1'), '25P01', 'no block, no hold');
    assert.equal(await sqlstate(pg, 'FETCH nothing'), '34000');
    assert.equal(await sqlstate(pg, 'MOVE nothing'), '34000');
    assert.equal(await sqlstate(pg, 'CLOSE nothing'), '34000');
    assert.equal(await sqlstate(pg, 'DECLARE c BINARY CURSOR WITH HOLD FOR SELECT 1'), '0A000');
    assert.equal(await sqlstate(pg, 'DECLARE c SCROLL CURSOR WITH HOLD FOR SELECT 1'), '0A000');
    assert.equal(await sqlstate(pg, 'DECLARE c CURSOR WITH HOLD FOR SUBSCRIBE TO nowhere'), '42P01');
    assert.equal(await sqlstate(pg, 'DECLARE c CURSOR WITH HOLD FOR INSERT INTO items VALUES (50, \'x\')'), '42601');
    assert.equal(await sqlstate(pg, 'DECLARE c CURSOR WITH HOLD FOR SELECT * FROM nowhere'), '42P01');
    assert.equal(await sqlstate(pg, 'DECLARE c CURSOR'), '42601');

    await pg.query('BEGIN');
    await pg.query('DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id');
    assert.equal(await sqlstate(pg, 'DECLARE c CURSOR FOR SELECT 1'), '42P03');
    await pg.query('ROLLBACK');

    // Each refused FETCH fails its block, so each gets a block of its own.
    for (const backward of ['FETCH PRIOR c', 'FETCH -1 c', 'FETCH BACKWARD 2 c', 'FETCH BACKWARD ALL c', 'FETCH FIRST c',
      'FETCH LAST c', 'FETCH ABSOLUTE 3 c', 'FETCH RELATIVE 2 c', 'MOVE BACKWARD 1 c']) {
      await pg.query('BEGIN');
      await pg.query('DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id');
      assert.equal(await sqlstate(pg, backward), '55000', backward);
      await pg.query('ROLLBACK');
    }

    await pg.query('BEGIN');
    await pg.query('DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id');
    assert.equal((await pg.query('FETCH 0 c')).rowCount, 0, 'before the first row there is no current row');
    await pg.query('FETCH c');
    assert.equal(await sqlstate(pg, 'FETCH 0 c'), '55000', 'the current row again would need a step back');
    assert.equal(await sqlstate(pg, 'FETCH c'), '25P02', 'the failed block refuses FETCH');
    await pg.query('ROLLBACK');

    await pg.query('BEGIN');
    await pg.query('DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id');
    assert.equal(await sqlstate(pg, "FETCH 1 c WITH (timeout = 'soon')"), '22023');
    await pg.query('ROLLBACK');
    await pg.query('BEGIN');
    await pg.query('DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id');
    assert.equal(await sqlstate(pg, "FETCH 1 c WITH (patience = '1s')"), '22023');
    await pg.query('ROLLBACK');
  });

  test('FETCH WITH (timeout) on a SELECT cursor returns at once what is there', async () => {
    await pg.query('BEGIN');
    await pg.query('DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id');
    assert.deepEqual(ids((await pg.query("FETCH 3 c WITH (timeout = '10s')")).rows), [1, 2, 3]);
    assert.equal((await pg.query("FETCH ALL c WITH (timeout = '10s')")).rowCount, 7);
    await pg.query('COMMIT');
  });
});

describe('cursors through the extended protocol', () => {
  test('DECLARE with parameters; FETCH prepared, its portal described with the cursor columns', async () => {
    await pg.query('BEGIN');
    const declared = await pg.query({
      text: 'DECLARE c CURSOR FOR SELECT id, name FROM items WHERE id > $1 ORDER BY id',
      values: [6],
    });
    assert.equal(declared.command, 'DECLARE');
    // A named statement: Parse, Bind, Describe (portal), Execute. The rows are read with Describe's columns only.
    const fetch = { name: 'fetch_two', text: 'FETCH 2 FROM c', rowMode: 'array' as const };
    const first = await pg.query(fetch);
    assert.deepEqual(first.fields.map((f) => [f.name, f.dataTypeID]), [['id', 23], ['name', 25]]);
    assert.deepEqual(first.rows, [[7, 'item 7'], [8, 'item 8']]);
    assert.deepEqual((await pg.query(fetch)).rows, [[9, 'item 9'], [10, 'item 10']]);
    const done = await pg.query(fetch);
    assert.equal(done.command, 'FETCH');
    assert.equal(done.rowCount, 0);
    assert.equal((await pg.query(extended('MOVE ALL c'))).command, 'MOVE');
    assert.equal((await pg.query(extended('CLOSE c'))).command, 'CLOSE');
    await pg.query('COMMIT');
  });


  test('Describe of a prepared FETCH, and its portal executed in parts with a row limit', async () => {
    const { client } = await RawClient.session(server);
    const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');
    const columnNames = (rowDescription: BackendMessage): string[] => {
      const names: string[] = [];
      let at = 2;
      for (let k = rowDescription.body.readInt16BE(0); k > 0; k--) {
        const end = rowDescription.body.indexOf(0, at);
        names.push(rowDescription.body.toString('utf8', at, end));
        at = end + 1 + 18;
      }
      return names;
    };
    client.send(serialize.query('BEGIN; DECLARE c CURSOR FOR SELECT id, name FROM items WHERE id <= 5 ORDER BY id'));
    assert.equal(types(await client.readUntil('Z')), 'CCZ');
    client.send(serialize.parse({ name: 'f', text: 'FETCH ALL FROM c' }), serialize.describe({ type: 'S', name: 'f' }), serialize.sync());
    const described = await client.readUntil('Z');
    assert.equal(types(described), '1tTZ');
    assert.deepEqual(columnNames(described[2]), ['id', 'name']);
    client.send(
      serialize.bind({ statement: 'f', portal: 'p' }), serialize.describe({ type: 'P', name: 'p' }),
      serialize.execute({ portal: 'p', rows: 2 }), serialize.execute({ portal: 'p', rows: 2 }), serialize.execute({ portal: 'p' }),
      serialize.sync(),
    );
    const parts = await client.readUntil('Z');
    assert.equal(types(parts), '2TDDsDDsDCZ');
    assert.deepEqual(columnNames(parts[1]), ['id', 'name']);
    assert.equal(parts.at(-2)!.body.toString('utf8', 0, parts.at(-2)!.body.length - 1), 'FETCH 5');
    client.send(serialize.query('COMMIT'));
    await client.readUntil('Z');
    client.close();
  });
});

/** A statement node-postgres sends with Parse / Bind / Execute though it has no parameters (queryMode is untyped). */
function extended(text: string): QueryConfig {
  const config = { text, queryMode: 'extended' };
  return config;
}

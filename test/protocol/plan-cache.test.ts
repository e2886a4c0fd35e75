// Plans are reused (server/execute/plan-cache.ts): the same text through the simple protocol, and a named prepared
// statement executed again. A reused plan must still follow the catalog: after DROP and CREATE of the target with
// other columns, the same text and the same prepared statement act on the new columns, or fail as a fresh plan would.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';

async function sqlState(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    return (e as { code: string }).code;
  }
  assert.fail('the statement succeeded');
}

describe('plan cache', () => {
  let server: TestServer;
  let client: Client;

  before(async () => {
    server = await startServer();
    client = await connectPg(server);
  });

  after(async () => {
    await client.end();
    assert.equal(await server.stop(), 0);
  });

  test('the same text follows DROP and CREATE of its target with other columns', async () => {
    const insert = "INSERT INTO t VALUES (1, '7')";
    const select = 'SELECT * FROM t';
    await client.query('CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT)');
    await client.query(insert);
    assert.deepEqual((await client.query(select)).rows, [{ k: '1', v: '7' }]);
    assert.deepEqual((await client.query(select)).rows, [{ k: '1', v: '7' }]);

    await client.query('DROP TABLE t');
    await client.query('CREATE TABLE t (k BIGINT PRIMARY KEY, w BIGINT, v TEXT)');
    await client.query(insert);
    const result = await client.query(select);
    assert.deepEqual(result.fields.map((f) => f.name), ['k', 'w', 'v']);
    assert.deepEqual(result.rows, [{ k: '1', w: '7', v: null }]);

    await client.query('DROP TABLE t');
    await client.query('CREATE TABLE t (k BIGINT PRIMARY KEY, v BOOLEAN)');
    assert.equal(await sqlState(client.query(insert)), '22P02');
    await client.query("INSERT INTO t VALUES (2, 'true')");
    assert.deepEqual((await client.query(select)).rows, [{ k: '2', v: true }]);
    await client.query('DROP TABLE t');
    assert.equal(await sqlState(client.query(insert)), '42P01');
  });

  test('a prepared statement follows DROP and CREATE of its target with other columns', async () => {
    const insert = (k: number, v: string) => client.query({ name: 'insert_u', text: 'INSERT INTO u VALUES ($1, $2)', values: [k, v] });
    const selectV = () => client.query({ name: 'select_v', text: 'SELECT v FROM u ORDER BY v', values: [] });
    await client.query('CREATE TABLE u (k BIGINT PRIMARY KEY, v TEXT)');
    await insert(1, 'a');
    await insert(2, 'b');
    assert.deepEqual((await selectV()).rows, [{ v: 'a' }, { v: 'b' }]);

    await client.query('DROP TABLE u');
    await client.query('CREATE TABLE u (k BIGINT PRIMARY KEY, w TEXT, v TEXT)');
    await insert(3, 'c');
    assert.deepEqual((await client.query('SELECT k, w, v FROM u')).rows, [{ k: '3', w: 'c', v: null }]);
    assert.deepEqual((await selectV()).rows, [{ v: null }]);

    await client.query('DROP TABLE u');
    await client.query('CREATE TABLE u (k BIGINT PRIMARY KEY, w TEXT)');
    assert.equal(await sqlState(selectV()), '42703');
    await insert(4, 'd');
    assert.deepEqual((await client.query('SELECT k, w FROM u')).rows, [{ k: '4', w: 'd' }]);
  });
});

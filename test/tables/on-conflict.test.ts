// INSERT ... ON CONFLICT through the wire, as an ORM's upsert sends it: the command tag PostgreSQL 15 gives (rows
// inserted or updated), parameters in DO UPDATE, and a continuous query over the table that follows the update.
// test/slt/on_conflict.slt checks the rows against PostgreSQL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectPg, startServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

test('an upsert counts inserted and updated rows, takes parameters and reaches a continuous query', async () => {
  const server = await startServer();
  const pg = await connectPg(server);
  await pg.query('CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER NOT NULL)');
  await pg.query('CREATE CONTINUOUS QUERY total AS SELECT sum(qty) AS q, count(*) AS n FROM stock');
  const upsert = 'INSERT INTO stock VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET qty = stock.qty + excluded.qty';
  const tag = async (text: string, values: unknown[] = []) => {
    const r = await pg.query(text, values);
    return `${r.command} ${r.rowCount}`;
  };
  assert.equal(await tag(upsert, ['a', 5]), 'INSERT 1');
  assert.equal(await tag(upsert, ['a', 2]), 'INSERT 1');
  assert.equal(await tag(`INSERT INTO stock VALUES ('a', 1), ('b', 1) ON CONFLICT (sku) DO NOTHING`), 'INSERT 1');
  assert.equal(await tag(`INSERT INTO stock VALUES ('a', 1) ON CONFLICT (sku) DO NOTHING`), 'INSERT 0');
  assert.deepEqual((await pg.query('SELECT sku, qty FROM stock ORDER BY sku')).rows, [{ sku: 'a', qty: 7 }, { sku: 'b', qty: 1 }]);
  const total = async () => (await pg.query('SELECT q::text, n::text FROM total')).rows[0];
  await waitForValue(total, (r) => r?.q === '8', 'the continuous query to follow the upserts');
  assert.deepEqual(await total(), { q: '8', n: '2' });
  await pg.end();
  assert.equal(await server.stop(), 0);
});

// Tables without a PRIMARY KEY are multisets (PostgreSQL's tables): through the wire, with the command tags
// PostgreSQL 15 gives, a continuous query over the table that follows every copy of a row, and a restart that keeps
// every copy (test/slt/tables_multiset.slt checks the rows themselves against PostgreSQL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connectPg, freshDataDir } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

test('a table without a primary key keeps duplicates through updates, deletes, a continuous query and a restart', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  await client.query('CREATE TABLE visits (page TEXT, n INTEGER)');
  await client.query('CREATE CONTINUOUS QUERY per_page AS SELECT page, count(*) AS c, sum(n) AS total FROM visits GROUP BY page');
  const tag = async (sql: string) => {
    const r = await client.query(sql);
    return `${r.command} ${r.rowCount}`;
  };
  assert.equal(await tag(`INSERT INTO visits VALUES ('home', 1), ('home', 1), ('about', 2)`), 'INSERT 3');
  assert.equal(await tag(`INSERT INTO visits VALUES ('home', 1)`), 'INSERT 1');
  assert.equal(await tag(`UPDATE visits SET n = 5 WHERE page = 'home'`), 'UPDATE 3');
  assert.equal(await tag(`DELETE FROM visits WHERE page = 'about'`), 'DELETE 1');
  assert.equal(await tag(`INSERT INTO visits VALUES ('home', 5)`), 'INSERT 1');

  const rows = async () => (await client.query('SELECT page, n FROM visits ORDER BY page, n')).rows;
  const perPage = async () => (await client.query('SELECT page, c::text, total::text FROM per_page ORDER BY page')).rows;
  const fourHomes = [{ page: 'home', n: 5 }, { page: 'home', n: 5 }, { page: 'home', n: 5 }, { page: 'home', n: 5 }];
  assert.deepEqual(await rows(), fourHomes);
  await waitForValue(perPage, (r) => r.length === 1 && r[0].c === '4', 'the continuous query to count four copies');
  assert.deepEqual(await perPage(), [{ page: 'home', c: '4', total: '20' }]);
  await client.end();
  assert.equal(await server.stop(), 0);

  server = await startServer({ dataDir });
  client = await connectPg(server);
  assert.deepEqual(await rows(), fourHomes);
  // Rows written after the restart get new hidden ids: deleting the new one leaves the old copies alone.
  assert.equal(await tag(`INSERT INTO visits VALUES ('home', 7)`), 'INSERT 1');
  assert.equal(await tag('DELETE FROM visits WHERE n = 7'), 'DELETE 1');
  assert.deepEqual(await rows(), fourHomes);
  assert.equal(await tag(`DELETE FROM visits WHERE page = 'home'`), 'DELETE 4');
  await waitForValue(perPage, (r) => r.length === 0, 'the continuous query to drop the group');
  assert.deepEqual(await rows(), []);
  await client.end();
  assert.equal(await server.stop(), 0);
});

// Many continuous queries over one stream (issue 14): an inserted row reaches every one of them, and trimming the
// stream's log, now batched over all its readers, still deletes an entry only once every reader has consumed it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { startServer, connectPg } from '../helpers/server';
import { Store } from '../../storage';
import type { RelationDef } from '../../engine/catalog';
import { waitForValue } from '../helpers/wait';

const QUERIES = 300;
const SLOW = 42;

/** How many queries have consumed exactly `rows` rows so far. */
async function queriesWithRowsIn(client: Client, rows: number): Promise<number> {
  const r = await client.query(`SELECT count(*) AS n FROM sluice.queries WHERE rows_in = ${rows}`);
  return Number(r.rows[0].n);
}

async function rowsIn(client: Client, name: string): Promise<number> {
  const r = await client.query(`SELECT rows_in FROM sluice.queries WHERE name = '${name}'`);
  return Number(r.rows[0].rows_in);
}

async function countOf(client: Client, name: string): Promise<number> {
  return Number((await client.query(`SELECT c FROM ${name}`)).rows[0].c);
}

test(`a row reaches all of ${QUERIES} queries over one stream; the log is trimmed only past every reader`, async () => {
  const server = await startServer();
  const client = await connectPg(server);
  try {
    await client.query('CREATE STREAM s (k BIGINT)');
    for (let i = 0; i < QUERIES; i++) {
      await client.query(`CREATE CONTINUOUS QUERY q${i} WITH (trigger_interval = '100 milliseconds') ` +
        `AS SELECT count(*) AS c FROM s WHERE k = ${i}`);
    }

    await client.query(`INSERT INTO s VALUES (${SLOW})`);
    await waitForValue(() => queriesWithRowsIn(client, 1), (n) => n === QUERIES, 'the row to reach every query', 60_000);
    assert.equal(await countOf(client, `q${SLOW}`), 1);
    assert.equal(await countOf(client, 'q0'), 0);

    // One reader stops; the others consume two more entries, which must stay in the log until it comes back.
    await client.query(`ALTER CONTINUOUS QUERY q${SLOW} PAUSE`);
    await client.query(`INSERT INTO s VALUES (${SLOW})`);
    await client.query(`INSERT INTO s VALUES (${SLOW})`);
    await waitForValue(() => queriesWithRowsIn(client, 3), (n) => n === QUERIES - 1, 'the other queries to consume both', 60_000);
    assert.equal(await rowsIn(client, `q${SLOW}`), 1, 'the paused query read nothing more');
    await client.query(`ALTER CONTINUOUS QUERY q${SLOW} RESUME`);
    await waitForValue(() => rowsIn(client, `q${SLOW}`), (n) => n === 3, 'the resumed query to catch up', 60_000);
    assert.equal(await countOf(client, `q${SLOW}`), 3, 'the resumed query read both entries the others had passed');
  } finally {
    await client.end();
    assert.equal(await server.stop(), 0);
  }

  // Every reader consumed all three entries before the server stopped (it finishes trimming before it closes).
  const store = await Store.open<RelationDef>(server.dataDir);
  try {
    const id = store.getDef('s')!.id;
    assert.equal(store.lastSeq(id), 3n);
    assert.equal(store.firstSeq(id), 4n, 'entries every reader has consumed are deleted');
  } finally {
    await store.close();
  }
});

// SIGKILL of Sluice while PostgreSQL changes stream in, again and again, restarting on the same data directory: at
// the end the CDC table and a continuous query over it equal PostgreSQL's. Every transaction of the writer inserts
// a row, increments a counter of another and deletes a third, so a lost change shows as a wrong counter, a missing
// row or a row that should be gone. (A change applied twice cannot show: each is an upsert or delete by key, which is
// why replaying from the stored LSN is safe; the stored LSN moves with the rows in one atomic write.)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, freshDataDir, startServer, type TestServer } from '../../helpers/server';
import { waitForValue } from '../../helpers/wait';
import { cdcWith, sourceOf, waitEqual, withLogicalPostgres } from './fixture';

const KILLS = 4;

async function quietConnect(server: TestServer): Promise<Client> {
  const c = await connectPg(server);
  c.on('error', () => undefined); // the server is killed under it
  return c;
}
const TABLE = 'counters (id int PRIMARY KEY, n bigint, note text)';

describe('postgres-cdc: SIGKILL of Sluice mid-stream', () => {
  const fx = withLogicalPostgres();

  test(`${KILLS} kills while changes stream in: nothing lost`, async () => {
    await fx.upstream.query(`CREATE TABLE ${TABLE}`);
    await fx.upstream.query("INSERT INTO counters SELECT g, 0, 'seed' FROM generate_series(1, 200) g");
    const dataDir = freshDataDir();
    let server: TestServer = await startServer({ dataDir });
    let client = await quietConnect(server);
    await client.query(`CREATE TABLE ${TABLE} ${cdcWith(fx, 'counters')}`);
    await client.query(`CREATE CONTINUOUS QUERY totals WITH (trigger_interval = '200 milliseconds') AS
      SELECT count(*) AS rows, sum(n) AS total FROM counters`);

    // The writer: one small transaction after another until told to stop.
    const writer = await fx.pg.connect();
    let running = true;
    let transactions = 0;
    const writing = (async () => {
      for (let id = 1000; running; id++) {
        await writer.query(`BEGIN; INSERT INTO counters VALUES (${id}, 0, 'new');
          UPDATE counters SET n = n + 1, note = 'bumped' WHERE id = ${1 + (id * 7) % 200};
          DELETE FROM counters WHERE id = ${id - 50}; COMMIT`);
        transactions++;
      }
    })();

    try {
      for (let kill = 0; kill < KILLS; kill++) {
        // Kill once the source has applied something since it (re)started and the writer moved on meanwhile.
        const before = transactions;
        await waitForValue(async () => Number((await sourceOf(client, 'counters'))?.messages ?? 0),
          (n) => n > 0 && transactions > before + 20, 'the source to apply changes while the writer writes', 30_000);
        server.kill('SIGKILL');
        await server.exited();
        server = await startServer({ dataDir });
        client = await quietConnect(server);
      }
    } finally {
      running = false;
      await writing;
      await writer.end();
    }
    assert.ok(transactions > KILLS * 20, `the writer wrote ${transactions} transactions`);

    await waitEqual(client, fx.upstream, 'SELECT id, n, note FROM counters ORDER BY id', undefined, 60_000);
    await waitEqual(client, fx.upstream, 'SELECT rows, total FROM totals',
      'SELECT count(*) AS rows, sum(n) AS total FROM counters', 60_000);
    assert.equal((await sourceOf(client, 'counters'))?.state, 'running');
    await client.end();
    assert.equal(await server.stop(), 0);
  });
});

// Restarts: a continuous query continues from its last committed epoch with the same answers, and a query whose
// stored state was written by another plan is refused with the reason in sluice.queries, never run on garbage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connectPg, freshDataDir } from './helpers/server';
import { waitForValue } from './helpers/wait';
import { Store } from '../storage';
import type { RelationDef } from '../engine/catalog';

test('a continuous query resumes after a restart from where it stopped, with the same answers', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  await client.query(`CREATE STREAM s (k TEXT, v BIGINT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE CONTINUOUS QUERY totals AS SELECT k, sum(v) AS total, count(*) AS n FROM s GROUP BY k`);
  await client.query(`INSERT INTO s VALUES ('a', 1, now()), ('b', 2, now()), ('a', 3, now())`);
  const totals = async () => (await client.query(`SELECT k, total::text, n::text FROM totals ORDER BY k`)).rows;
  await waitForValue(totals, (r) => r.length === 2, 'first epoch');
  await client.end();
  assert.equal(await server.stop(), 0);

  server = await startServer({ dataDir });
  client = await connectPg(server);
  assert.deepEqual(await totals(), [{ k: 'a', total: '4', n: '2' }, { k: 'b', total: '2', n: '1' }]);
  await client.query(`INSERT INTO s VALUES ('b', 10, now())`);
  await waitForValue(totals, (r) => r[1]?.total === '12', 'the epoch after the restart');
  assert.deepEqual(await totals(), [{ k: 'a', total: '4', n: '2' }, { k: 'b', total: '12', n: '2' }]);
  await client.end();
  assert.equal(await server.stop(), 0);
});

test('a query whose stored state came from a different plan is refused, with the reason in sluice.queries', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  await client.query(`CREATE STREAM s (k TEXT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE CONTINUOUS QUERY counts AS SELECT k, count(*) AS n FROM s GROUP BY k`);
  await client.query(`INSERT INTO s VALUES ('a', now())`);
  await waitForValue(async () => (await client.query(`SELECT epoch FROM sluice.queries`)).rows[0].epoch, (e) => Number(e) >= 1, 'an epoch');
  await client.end();
  assert.equal(await server.stop(), 0);

  // What an upgrade that changed the plan would leave behind: state stamped with another plan's fingerprint.
  const store = await Store.open<RelationDef>(dataDir);
  const id = store.getDef('counts')!.id;
  await store.loadQuery(id);
  await store.commitEpoch({
    queryId: id, epoch: store.lastEpoch(id) + 1, stateChanges: new Map([['plan', Buffer.from('0123456789abcdef')]]),
    resultChanges: null, resultRows: null, offsets: {}, checkpoint: { durationMs: 0 },
  });
  await store.close();

  server = await startServer({ dataDir });
  client = await connectPg(server);
  const row = (await client.query(`SELECT status, last_error FROM sluice.queries WHERE name = 'counts'`)).rows[0];
  assert.equal(row.status, 'failed');
  assert.match(row.last_error, /written by a different plan/);
  await assert.rejects(client.query(`SELECT * FROM counts`), (e: { code?: string }) => e.code === '55000');
  // Dropping and re-creating it recomputes it with the current plan.
  await client.query(`DROP CONTINUOUS QUERY counts`);
  await client.query(`CREATE CONTINUOUS QUERY counts AS SELECT k, count(*) AS n FROM s GROUP BY k`);
  await client.end();
  assert.equal(await server.stop(), 0);
});

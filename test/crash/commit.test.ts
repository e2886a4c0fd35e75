// A COMMIT is all or nothing across relations: the real server, killed inside the COMMIT of a block that inserted
// into a stream and into a table, keeps both rows or neither after a restart on the same data directory. The kill
// comes from the server itself at an exact point, through the test-only hook SLUICE_FAULT (engine/runtime/
// commit-fault.ts): just before the COMMIT's first LevelDB write, or right after it is durable. A COMMIT that took
// one write per relation fails the second case, keeping the stream's row without the table's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, freshDataDir, startServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

interface Survivors {
  /** ids the continuous query over the stream shows (1 from the block; 2, the marker, inserted after the restart). */
  readonly events: number[];
  readonly accounts: { id: number; name: string }[];
}

async function killInsideCommit(fault: string): Promise<Survivors> {
  const dataDir = freshDataDir();
  const doomed = await startServer({ dataDir, env: { SLUICE_FAULT: fault } });
  const client = await connectPg(doomed);
  client.on('error', () => undefined); // the server dies under it
  await client.query(`CREATE STREAM events (id BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE CONTINUOUS QUERY seen AS SELECT id FROM events`);
  await client.query(`CREATE TABLE accounts (id BIGINT PRIMARY KEY, name TEXT)`);
  await client.query('BEGIN');
  await client.query(`INSERT INTO events VALUES (1, now())`);
  await client.query(`INSERT INTO accounts VALUES (1, 'one')`);
  await assert.rejects(client.query('COMMIT'), 'the COMMIT never completes: the server dies inside it');
  assert.equal(await doomed.exited(), 137, 'the server was SIGKILLed by the fault hook');

  const server = await startServer({ dataDir });
  let c: Client | null = null;
  try {
    c = await connectPg(server);
    const reader = c;
    // Once the query shows the marker, inserted after the restart, it has read everything the stream kept.
    await reader.query(`INSERT INTO events VALUES (2, now())`);
    const ids = async (): Promise<number[]> => (await reader.query('SELECT id FROM seen ORDER BY id')).rows.map((r) => Number(r.id));
    const events = await waitForValue(ids, (v) => v.includes(2), 'the marker row in the continuous query');
    const accounts = (await reader.query('SELECT id, name FROM accounts ORDER BY id')).rows.map((r) => ({ id: Number(r.id), name: r.name }));
    return { events, accounts };
  } finally {
    await c?.end();
    await server.stop();
  }
}

test('killed right after the COMMIT\'s write is durable: the stream and the table both keep the block\'s rows', async () => {
  const survivors = await killInsideCommit('kill-after-commit-write:1');
  assert.deepEqual(survivors, { events: [1, 2], accounts: [{ id: 1, name: 'one' }] });
});

test('killed just before the COMMIT\'s write: neither the stream nor the table keeps anything of the block', async () => {
  const survivors = await killInsideCommit('kill-before-commit-write:1');
  assert.deepEqual(survivors, { events: [2], accounts: [] });
});

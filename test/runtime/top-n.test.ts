// A continuous query ending in ORDER BY ... LIMIT n, through the wire: a top-3 over a grouped aggregate changes
// membership as rows arrive and must equal, after every step, what PostgreSQL 15 answers for the same SELECT over
// the same rows (ORDER BY s DESC, k there: Sluice breaks ties by the whole row, k first); its change log, read with
// SUBSCRIBE, adds up to its rows; and it comes back from a restart with the same rows and goes on from them.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { findPgBin, startPgCluster, type PgCluster } from '../../bench/postgres/cluster';
import { startServer, type TestServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

let pg: PgCluster;
let sluice: TestServer;
let restarted: TestServer | undefined;
let oracle: Client;
let client: Client;

const TOP = 'SELECT k, sum(v) AS s FROM st GROUP BY k ORDER BY s DESC LIMIT 3';
const SLUICE_ROWS = 'SELECT k, s FROM top3 ORDER BY s DESC, k';
const ORACLE_ROWS = 'SELECT k, sum(v) AS s FROM st GROUP BY k ORDER BY s DESC, k LIMIT 3';

before(async () => {
  const bin = findPgBin();
  if (!('dir' in bin)) throw new Error(`PostgreSQL 15 is needed as the oracle: ${bin.reason}`);
  pg = await startPgCluster(bin.dir);
  sluice = await startServer();
  oracle = await pg.connect();
  client = await connect(sluice);
});

after(async () => {
  await client?.end();
  await oracle?.end();
  await sluice?.stop();
  await restarted?.stop();
  await pg?.stop();
});

async function connect(server: TestServer): Promise<Client> {
  const c = new Client({ host: server.host, port: server.port, user: 'test', database: 'test' });
  await c.connect();
  return c;
}

async function rowsOf(c: Client, sql: string): Promise<string> {
  return JSON.stringify((await c.query({ text: sql, rowMode: 'array' })).rows);
}

/**
 * Inserts `rows` into both, then waits until the continuous query shows PostgreSQL's answer. Every step changes
 * that answer (asserted), so seeing it means the query has read the step.
 */
async function step(rows: string, before: string): Promise<string> {
  for (const c of [oracle, client]) await c.query(`INSERT INTO st VALUES ${rows}`);
  const want = await rowsOf(oracle, ORACLE_ROWS);
  assert.notEqual(want, before, `the step ${rows} must change the top 3`);
  return waitForValue(() => rowsOf(client, SLUICE_ROWS), (got) => got === want, `top3 = ${want}`);
}

/** The net rows of every change top3 logged (SUBSCRIBE from its first epoch), as SLUICE_ROWS orders them. */
async function netOfChangeLog(): Promise<string> {
  const sub = await connect(restarted ?? sluice);
  try {
    await sub.query('BEGIN');
    await sub.query('DECLARE c CURSOR FOR SUBSCRIBE TO top3 WITH (from_epoch = 0)');
    const net = new Map<string, number>();
    for (;;) {
      const r = await sub.query("FETCH ALL c WITH (timeout = '200ms')");
      if (r.rowCount === 0) break;
      for (const row of r.rows) {
        const key = JSON.stringify([row.k, row.s]);
        net.set(key, (net.get(key) ?? 0) + Number(row.sluice_diff));
      }
    }
    await sub.query('COMMIT');
    const rows = [...net].filter(([, n]) => n !== 0).map(([key, n]) => {
      assert.equal(n, 1, `a row of top3 is in its change log ${n} times: ${key}`);
      return JSON.parse(key) as [string, string];
    });
    rows.sort((a, b) => Number(b[1]) - Number(a[1]) || (a[0] < b[0] ? -1 : 1));
    return JSON.stringify(rows);
  } finally {
    await sub.end();
  }
}

test('a top 3 over a grouped aggregate follows PostgreSQL as rows arrive, logs its changes, and survives a restart', async () => {
  await oracle.query('CREATE TABLE st (k text, v int)');
  await client.query('CREATE STREAM st (k text, v int)');
  await client.query(`CREATE CONTINUOUS QUERY top3 WITH (trigger_interval = '20ms') AS ${TOP}`);

  let shown = await step("('a', 10), ('b', 20), ('c', 30), ('d', 5)", '[]');
  assert.equal(shown, JSON.stringify([['c', '30'], ['b', '20'], ['a', '10']]));
  // d overtakes everyone; a drops out.
  shown = await step("('d', 40)", shown);
  // A negative amount drops c out, and a, which had left, comes back tied with b (the tie goes to the row: a first).
  shown = await step("('c', -28), ('a', 10), ('e', 1)", shown);
  assert.equal(shown, JSON.stringify([['d', '45'], ['a', '20'], ['b', '20']]));
  // A three-way tie at 20 for two places: a and b keep them, e stays out.
  shown = await step("('e', 19), ('d', -25)", shown);
  assert.equal(await netOfChangeLog(), shown, 'the change log adds up to the rows');

  await client.end();
  await sluice.stop();
  restarted = await startServer({ dataDir: sluice.dataDir });
  client = await connect(restarted);
  assert.equal(await rowsOf(client, SLUICE_ROWS), shown, 'the same rows after the restart');
  // The state came back: a new row is ranked against all the groups, not only the three shown.
  shown = await step("('c', 50)", shown);
  assert.equal(shown, JSON.stringify([['c', '52'], ['a', '20'], ['b', '20']]));
  shown = await step("('b', -100), ('f', 21)", shown);
  assert.equal(await netOfChangeLog(), shown, 'the change log adds up to the rows after the restart');
});

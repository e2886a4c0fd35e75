// A full disk, for real: the server's data directory on a small tmpfs, filled by a file beside it. INSERT answers
// 53100 with PostgreSQL's "No space left on device"; the continuous query fails for the same reason; once the filler
// is deleted, INSERT works again and the query runs again without a restart, every acknowledged row is there (and
// still there after a restart), and the query's result equals the same SELECT run as a pull query.
//
// Needs root to mount the tmpfs (tests run as root here and in CI); a mount that fails fails the test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { psql } from '../helpers/psql';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { waitFor, waitForValue } from '../helpers/wait';
import { fillDisk, mountTmpfs, type Tmpfs } from '../helpers/tmpfs';

/** Room for the server's LevelDB and for the 8 MB the store wants free before it reopens (storage/disk-full.ts). */
const TMPFS_SIZE = '24m';
const PAD = 'x'.repeat(2000);
const TOTALS = 'SELECT k, count(*) AS n, sum(v) AS total FROM readings GROUP BY k';

let disk: Tmpfs | null = null;
let mountPoint: string;

before(() => {
  disk = mountTmpfs(TMPFS_SIZE);
  mountPoint = disk.path;
});

after(() => disk?.unmount());

async function insert(c: Client, id: number): Promise<void> {
  await c.query('INSERT INTO readings VALUES ($1, $2, $3, $4)', [id, id % 7, id, PAD]);
}

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

test('a full disk answers 53100; freeing space brings back inserts and the continuous query without a restart', async (t) => {
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  let server: TestServer = await startServer({ dataDir });
  let c = await connectPg(server);
  try {
    await c.query("CREATE STREAM readings (id INT, k INT, v INT, pad TEXT) WITH (retention = '1 hour')");
    // Its first epoch runs at once, the next a whole interval later: the rows below are still unread when the disk
    // fills, so that epoch is sure to meet the full disk.
    await c.query(`CREATE CONTINUOUS QUERY totals WITH (trigger_interval = '4 seconds') AS ${TOTALS}`);
    await waitForValue(async () => Number((await c.query("SELECT epoch FROM sluice.queries WHERE name = 'totals'")).rows[0].epoch),
      (e) => e >= 1, 'the first epoch');
    const acknowledged: number[] = [];
    let id = 0;
    for (; id < 50; id++) {
      await insert(c, id);
      acknowledged.push(id);
    }

    const filler = fillDisk(mountPoint);
    // The log file's last page may still take a few small writes; the disk is full once one is refused.
    let refusal: unknown = null;
    for (let tries = 0; refusal === null && tries < 5000; tries++, id++) {
      try {
        await insert(c, id);
        acknowledged.push(id);
      } catch (e) {
        refusal = e;
      }
    }
    assert.ok(refusal !== null, 'no INSERT was refused on a full disk');
    assert.equal(codeOf(refusal), '53100', `expected disk_full, got ${String(refusal)}`);
    assert.match((refusal as Error).message, /No space left on device/);
    await assert.rejects(insert(c, id++), (e) => codeOf(e) === '53100', 'INSERT keeps failing while the disk is full');
    const copy = await psql(server, ['COPY readings FROM STDIN'], copyRows(id, 200), { verbose: true });
    id += 200;
    assert.notEqual(copy.code, 0, 'COPY on a full disk succeeded');
    assert.match(copy.stderr, /ERROR: {2}53100: could not write to the data directory .*: No space left on device/);
    const failed = await waitForValue(async () => (await c.query(
      "SELECT status, last_error FROM sluice.queries WHERE name = 'totals'")).rows[0],
    (r) => r.status === 'failed', 'the continuous query to fail for want of space', 30_000);
    assert.match(failed.last_error, /No space left on device/);
    // Reads go on while the disk is full, and see exactly the acknowledged rows.
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM readings')).rows[0].n), acknowledged.length);

    unlinkSync(filler);
    const freed = Date.now();
    let retried = 0;
    await waitFor(async () => {
      try {
        await insert(c, id);
        acknowledged.push(id);
        return true;
      } catch (e) {
        assert.equal(codeOf(e), '53100', `an INSERT after freeing space failed otherwise: ${String(e)}`);
        retried++;
        return false;
      } finally {
        id++;
      }
    }, () => `an INSERT to work again once space was freed (${retried} refused)`, 30_000);
    // Reported, not asserted: how soon writes came back (the store's retry loop; storage/disk-full.ts).
    t.diagnostic(`INSERT worked again ${Date.now() - freed} ms after space was freed; ${retried} refused meanwhile`);
    const copied = await psql(server, ['COPY readings FROM STDIN'], copyRows(id, 200), { verbose: true });
    assert.equal(copied.code, 0, `COPY after freeing space failed: ${copied.stderr}`);
    for (let i = 0; i < 200; i++) acknowledged.push(id++);
    await waitForValue(async () => (await c.query("SELECT status FROM sluice.queries WHERE name = 'totals'")).rows[0].status,
      (s) => s === 'running', 'the continuous query to run again');

    const wanted = await sortedRows(c, TOTALS);
    await waitForValue(async () => sortedRows(c, 'SELECT k, n, total FROM totals'),
      (rows) => JSON.stringify(rows) === JSON.stringify(wanted), 'the query result to equal the pull SELECT', 30_000);
    await assertAllThere(c, acknowledged);

    await c.end();
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir });
    c = await connectPg(server);
    await assertAllThere(c, acknowledged);
    assert.deepEqual(await sortedRows(c, 'SELECT k, n, total FROM totals'), await sortedRows(c, TOTALS));
  } finally {
    await c.end().catch(() => undefined);
    await server.stop();
  }
});

/** `count` rows for COPY ... FROM STDIN in text format, ids from `first`. */
function copyRows(first: number, count: number): string {
  let text = '';
  for (let i = first; i < first + count; i++) text += `${i}\t${i % 7}\t${i}\t${PAD}\n`;
  return text + '\\.\n';
}

async function sortedRows(c: Client, sql: string): Promise<string[]> {
  return (await c.query(sql)).rows.map((r) => JSON.stringify(r)).sort();
}

async function assertAllThere(c: Client, acknowledged: readonly number[]): Promise<void> {
  const ids = new Set((await c.query('SELECT id FROM readings')).rows.map((r) => r.id as number));
  const missing = acknowledged.filter((i) => !ids.has(i));
  assert.deepEqual(missing, [], `acknowledged rows lost: ${missing.length} of ${acknowledged.length}`);
}

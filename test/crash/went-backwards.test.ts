// A data directory whose LevelDB files lost committed data (the write-ahead log deleted or emptied, the MANIFEST cut
// in half, every LevelDB file deleted) is refused at start, naming what is missing, because DIR/sluice.marker
// (storage/marker.ts) survives the damage; a normal restart and a SIGKILL under load never trip it. And
// `sluice --check-data-dir` says the same offline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'pg';
import { connectPg, freshDataDir, startServer } from '../helpers/server';
import { waitFor, waitForValue } from '../helpers/wait';

const MAIN = path.join(__dirname, '..', '..', 'server', 'main.js');
const ROWS = 2000;

async function insertRows(client: Client, from: number, count: number): Promise<void> {
  for (let start = from; start < from + count; start += 500) {
    const values = Array.from({ length: Math.min(500, from + count - start) }, (_, i) => `(${start + i}, 'row ${start + i}')`);
    await client.query(`INSERT INTO t VALUES ${values.join(', ')}`);
  }
}

/** 14 MB into the stream `bulk`, 1 MB a statement: past LevelDB's 4 MB write buffer, so it writes table files. */
async function insertBulk(client: Client): Promise<void> {
  const row = `('${'x'.repeat(100_000)}', now())`;
  for (let i = 0; i < 14; i++) await client.query(`INSERT INTO bulk VALUES ${Array(10).fill(row).join(', ')}`);
}

/**
 * A directory that two servers wrote and stopped cleanly: a table of 2,000 rows, a stream, a continuous query over
 * it, and a stream of bulk. The second start turns the first's write-ahead log into a table file, and its bulk
 * writes more, so the MANIFEST has files to lose (a MANIFEST of one record only fails LevelDB's own check).
 */
async function populatedDir(): Promise<string> {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  await client.query(`CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)`);
  await client.query(`CREATE STREAM s (k TEXT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE CONTINUOUS QUERY counts AS SELECT k, count(*) AS n FROM s GROUP BY k`);
  await client.query(`CREATE STREAM bulk (k TEXT, ts TIMESTAMPTZ NOT NULL)`);
  await insertRows(client, 0, ROWS / 2);
  await client.query(`INSERT INTO s VALUES ('a', now()), ('b', now())`);
  await waitForValue(async () => (await client.query(`SELECT count(*)::int AS n FROM counts`)).rows[0].n, (n) => n === 2, 'the first epoch');
  await client.end();
  assert.equal(await server.stop(), 0);

  server = await startServer({ dataDir });
  client = await connectPg(server);
  await insertBulk(client);
  await insertRows(client, ROWS / 2, ROWS / 2);
  await client.query(`INSERT INTO s VALUES ('c', now())`);
  await waitForValue(async () => (await client.query(`SELECT count(*)::int AS n FROM counts`)).rows[0].n, (n) => n === 3, 'the second epoch');
  assert.equal((await client.query(`SELECT count(*)::int AS n FROM t`)).rows[0].n, ROWS);
  await client.end();
  assert.equal(await server.stop(), 0);
  return dataDir;
}

function damagedCopy(original: string, damage: (dir: string, files: string[]) => void): string {
  const copy = freshDataDir();
  fs.cpSync(original, copy, { recursive: true });
  damage(copy, fs.readdirSync(copy));
  return copy;
}

const LEVELDB_FILE = /^(\d+\.(ldb|sst|log)|MANIFEST-\d+|CURRENT|LOCK|LOG(\.old)?)$/;

/** Each damage, and the relation the refusal must name: the newest writes went to `t`, the bulk to table files. */
const DAMAGES: Record<string, { names: RegExp; damage: (dir: string, files: string[]) => void }> = {
  'write-ahead log deleted': {
    names: /"t" \(relation \d+\): its log ends at entry \d+, sluice.marker recorded \d+/,
    damage: (dir, files) => {
      for (const f of files.filter((n) => n.endsWith('.log'))) fs.rmSync(path.join(dir, f));
    },
  },
  'write-ahead log truncated to 0 bytes': {
    names: /"t" \(relation \d+\): its log ends at entry \d+, sluice.marker recorded \d+/,
    damage: (dir, files) => {
      for (const f of files.filter((n) => n.endsWith('.log'))) fs.truncateSync(path.join(dir, f), 0);
    },
  },
  'MANIFEST truncated to half': {
    names: /"bulk" \(relation \d+\)/,
    damage: (dir, files) => {
      for (const f of files.filter((n) => n.startsWith('MANIFEST-'))) {
        fs.truncateSync(path.join(dir, f), Math.floor(fs.statSync(path.join(dir, f)).size / 2));
      }
    },
  },
  'every LevelDB file deleted': {
    names: /"t" \(relation \d+\) is missing from the catalog/,
    damage: (dir, files) => {
      for (const f of files.filter((n) => LEVELDB_FILE.test(n))) fs.rmSync(path.join(dir, f));
    },
  },
};

function runSluice(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const WENT_BACKWARDS = /went backwards: last committed write \d+ recorded in sluice\.marker, LevelDB holds write \d+; missing: /;

test('a data directory whose LevelDB lost committed data is refused at start, saying what is missing', async (t) => {
  const original = await populatedDir();

  for (const [name, { names, damage }] of Object.entries(DAMAGES)) {
    const copy = damagedCopy(original, damage);
    const checked = await runSluice(['--check-data-dir', copy]);
    assert.equal(checked.code, 1, `${name}: --check-data-dir finds it unsound\n${checked.stdout}`);
    assert.match(checked.stderr, WENT_BACKWARDS, name);
    assert.match(checked.stderr, names, `${name}: the check names what is missing`);

    const started = await runSluice(['--port', '0', '--http-port', 'off', '--data-dir', copy]);
    t.diagnostic(`${name}: ${started.stderr.trim()}`);
    assert.equal(started.code, 1, `${name}: the server must refuse to start\n${started.stdout}${started.stderr}`);
    assert.match(started.stderr, WENT_BACKWARDS, name);
    assert.match(started.stderr, names, `${name}: names what is missing`);
    assert.match(started.stderr, /hint: .*Restore the data directory from a backup/, name);

    // Refusing wrote nothing Sluice reads: it refuses again.
    const again = await runSluice(['--port', '0', '--http-port', 'off', '--data-dir', copy]);
    assert.equal(again.code, 1, `${name}: refuses on every start`);
    assert.match(again.stderr, names, name);
  }

  // Last: opening the original turns its write-ahead log into a table file, which would leave the log nothing to lose.
  const sound = await runSluice(['--check-data-dir', original]);
  assert.equal(sound.code, 0, sound.stderr);
  assert.match(sound.stdout, /is sound: last write \d+, 4 relations/);
  assert.match(sound.stdout, /table t \(relation \d+\): log ends at entry \d+/);
  assert.match(sound.stdout, /query counts \(relation \d+\): log ends at entry \d+, last epoch [1-9]/);
});

test('--check-data-dir on a directory that is not a data directory exits 1', async () => {
  const empty = freshDataDir();
  const checked = await runSluice(['--check-data-dir', empty]);
  assert.equal(checked.code, 1);
  assert.match(checked.stderr, /is not a Sluice data directory/);
  assert.deepEqual(fs.readdirSync(empty), [], 'the check creates nothing');
});

test('normal restarts and SIGKILLs under load never trip the check', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  await client.query(`CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)`);
  await client.query(`CREATE STREAM s (k TEXT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE CONTINUOUS QUERY counts AS SELECT k, count(*) AS n FROM s GROUP BY k`);
  await client.end();
  let next = 0;
  for (let round = 0; round < 4; round++) {
    const writers = await Promise.all([0, 1, 2].map(() => connectPg(server)));
    // The kill ends their connections: the failed query says so, the 'error' event has nothing to add.
    for (const c of writers) c.on('error', () => undefined);
    let acknowledged = 0;
    let stop = false;
    const load = writers.map(async (c, w) => {
      while (!stop) {
        const id = next++;
        try {
          await c.query(`INSERT INTO t VALUES (${id}, 'w${w}')`);
          await c.query(`INSERT INTO s VALUES ('k${id % 7}', now())`);
          acknowledged++;
        } catch {
          return; // the server was killed under this statement
        }
      }
    });
    const marker = path.join(dataDir, 'sluice.marker');
    const target = acknowledged + 50;
    await waitFor(() => acknowledged >= target, `${target} acknowledged writes`, 60_000);
    await waitFor(() => fs.existsSync(marker) && /"lastSeq":"[1-9]/.test(fs.readFileSync(marker, 'utf8')),
      'a marker that records some log entries', 30_000);
    if (round % 2 === 0) server.kill('SIGKILL');
    else server.kill('SIGTERM');
    await server.exited();
    stop = true;
    await Promise.all(load);
    for (const c of writers) await c.end().catch(() => undefined);
    server = await startServer({ dataDir });
  }
  client = await connectPg(server);
  assert.ok((await client.query(`SELECT count(*)::int AS n FROM t`)).rows[0].n > 0);
  await client.end();
  assert.equal(await server.stop(), 0);
  const checked = await runSluice(['--check-data-dir', dataDir]);
  assert.equal(checked.code, 0, checked.stderr);
});

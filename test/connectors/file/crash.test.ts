// SIGKILL of the server while a file source reads files being written (in pieces that cut lines in two) and a file
// sink writes the stream's rows into rolled files, again and again, restarting on the same data directory. At the
// end every line written is in the stream exactly once, and every row is in exactly one of the sink's complete files.
// Seeded: SLUICE_TEST_SEED=n repeats a run's writes and kill points.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { connectPg, freshDataDir, startServer, type TestServer } from '../../helpers/server';
import { waitForValue } from '../../helpers/wait';
import { completeFiles, jsonRows, temporaryFiles } from './sink-files';

const SEED = Number(process.env.SLUICE_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));
const FILES = 4;
const LINES_PER_FILE = 1500;
const KILLS = 3;

function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

async function quietConnect(server: TestServer): Promise<Client> {
  const c = await connectPg(server);
  c.on('error', () => undefined); // the server is killed under it
  return c;
}

describe('SIGKILL during file ingest and file sink writes', () => {
  let server: TestServer | null = null;
  after(async () => {
    if (server !== null) await server.stop();
  });

  test(`${KILLS} kills: every line in the stream once, every row in one sink file once`, async (t) => {
    t.diagnostic(`seed ${SEED} (SLUICE_TEST_SEED=${SEED} repeats it)`);
    const random = seededRandom(SEED);
    const root = mkdtempSync(join(tmpdir(), 'sluice-file-crash-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const inDir = join(root, 'in');
    const outDir = join(root, 'out');
    mkdirSync(inDir);
    const dataDir = freshDataDir();
    const start = (): Promise<TestServer> => startServer({ dataDir, args: ['--file-connector-dir', root] });
    server = await start();
    let pg = await quietConnect(server);
    await pg.query(`CREATE STREAM lines_in (id int NOT NULL, payload text)
      WITH (connector = 'file', path = '${inDir}/part-*.csv', format = 'csv', poll_interval = '20 milliseconds', retention = '1 day')`);
    await pg.query(`CREATE SINK lines_out FROM lines_in
      WITH (connector = 'file', path = '${outDir}', format = 'json', roll_bytes = '3000', roll_seconds = '1')`);

    // Each file's text, appended in random pieces (lines cut in two) as the server runs and is killed.
    const texts: string[] = [];
    for (let f = 0; f < FILES; f++) {
      let text = '';
      for (let i = 0; i < LINES_PER_FILE; i++) text += `${f * LINES_PER_FILE + i + 1},"line ${i} of, file ${f}"\n`;
      texts.push(text);
    }
    const written = new Array<number>(FILES).fill(0);
    const total = FILES * LINES_PER_FILE;
    const writeSome = (): boolean => {
      const open = written.map((w, f) => (w < texts[f].length ? f : -1)).filter((f) => f >= 0);
      if (open.length === 0) return false;
      // Files start one by one: a new file matching the glob appears while the source runs.
      const f = open[Math.floor(random() * Math.min(open.length, 2))];
      const piece = Math.min(texts[f].length - written[f], 1 + Math.floor(random() * 4000));
      appendFileSync(join(inDir, `part-${f}.csv`), texts[f].slice(written[f], written[f] + piece));
      written[f] += piece;
      return true;
    };

    const count = async (): Promise<number> => Number((await pg.query('SELECT count(*) AS n FROM lines_in')).rows[0].n);
    for (let k = 1; k <= KILLS; k++) {
      // Kill once the stream holds a share of the lines, with more being written all the while.
      const target = Math.floor((total * k) / (KILLS + 1) * (0.8 + 0.2 * random()));
      await waitForValue(async () => {
        writeSome();
        return count();
      }, (n) => n >= target, `${target} rows before kill ${k}`, 60_000);
      writeSome();
      server.kill('SIGKILL');
      await server.exited();
      server = await start();
      pg = await quietConnect(server);
    }
    while (writeSome());

    const ids = await waitForValue(async () => (await pg.query('SELECT id FROM lines_in')).rows.map((r) => Number(r.id)),
      (r) => r.length >= total, `${total} rows in the stream`, 60_000);
    assert.equal(ids.length, total, 'no line read twice');
    assert.equal(new Set(ids).size, total, 'every line read once');

    const sunk = await waitForValue(() => completeFiles(outDir, 'jsonl').flatMap(jsonRows).map((r) => Number(r.id)),
      (r) => r.length >= total, `${total} rows in the sink's files`, 60_000);
    assert.equal(sunk.length, total, 'no row written twice');
    assert.equal(new Set(sunk).size, total, 'every row written once');
    assert.deepEqual(temporaryFiles(outDir), []);
  });
});

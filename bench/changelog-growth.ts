// How fast the data directory grows under steady load, for docs/performance.md ("Result change logs"): a stream fed
// 5,000 rows/s (50 INSERTs of 100 rows a second) and a continuous query grouping them by 2,000 keys, for a minute;
// the directory's bytes are summed every 10 s. Run it twice to compare: with the default --changelog-retention, and
// with a retention longer than the run, which keeps every entry of the query's log as before trimming existed.
//   node dist/bench/changelog-growth.js [seconds=60] [--changelog-retention MS]

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startSluiceServer } from './wire/sluice-server';

const INSERTS_PER_SECOND = 50;
const ROWS_PER_INSERT = 100;
const KEYS = 2000;

function directoryBytes(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    bytes += e.isDirectory() ? directoryBytes(p) : statSync(p).size;
  }
  return bytes;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 60);
  const server = await startSluiceServer(process.argv.slice(3));
  try {
    const sql = await server.connect();
    await sql.query('CREATE STREAM ev (k INT, v INT)');
    await sql.query("CREATE CONTINUOUS QUERY per_key WITH (trigger_interval = '100ms') AS " +
      'SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k');
    const start = Date.now();
    const startBytes = directoryBytes(server.dataDir);
    let sent = 0;
    let nextSample = 10;
    /** The data dir's bytes at each sample, by second. */
    const sampled = new Map<number, number>([[0, startBytes]]);
    while (Date.now() - start < seconds * 1000) {
      const values = Array.from({ length: ROWS_PER_INSERT }, (_, i) => `(${(sent * ROWS_PER_INSERT + i * 7919) % KEYS}, ${i})`);
      await sql.query(`INSERT INTO ev VALUES ${values.join(', ')}`);
      sent++;
      // Paced to the rate: the next INSERT goes when its turn comes, not as fast as the server answers.
      const due = start + (sent * 1000) / INSERTS_PER_SECOND;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const elapsed = (Date.now() - start) / 1000;
      if (elapsed >= nextSample) {
        sampled.set(nextSample, directoryBytes(server.dataDir));
        const log = (await sql.query("SELECT entries, bytes, oldest_epoch, newest_epoch FROM sluice.changelogs WHERE name = 'per_key'")).rows[0];
        process.stdout.write(`${nextSample} s: data dir ${mb(sampled.get(nextSample)!)} MB, per_key log ` +
          `${log.entries} entries (~${mb(Number(log.bytes))} MB), epochs ${log.oldest_epoch}..${log.newest_epoch}\n`);
        nextSample += 10;
      }
    }
    const end = directoryBytes(server.dataDir);
    const grown = end - startBytes;
    process.stdout.write(`${sent} INSERTs (${sent * ROWS_PER_INSERT} rows) in ${seconds} s: the data dir grew ` +
      `${mb(grown)} MB, ${mb((grown * 60) / seconds)} MB a minute\n`);
    // The last minute alone: past the first minute, what a retention window holds is already there.
    const minuteAgo = sampled.get(Math.floor(seconds / 10) * 10 - 60);
    if (minuteAgo !== undefined) process.stdout.write(`the last minute: ${mb(end - minuteAgo)} MB\n`);
    await sql.end();
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

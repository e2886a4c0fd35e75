// Many continuous queries over one stream (issue 14): a real server child and pg clients. Creates N queries
// `CREATE CONTINUOUS QUERY q<i> AS SELECT count(*) FROM s WHERE k = <i>`, timing each CREATE, then INSERTs one row and
// waits until every query has consumed it (sluice.queries rows_in), while another connection runs `SELECT 1` in a
// loop the whole time. Prints the mean CREATE time of the first and last 100, the time for the row to reach all, and
// SELECT 1's p50/p99/max.
//
//   node dist/bench/many-queries.js [N=1000] [--cpu-prof DIR]   (DIR receives the server's .cpuprofile on exit)

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { nowMs, percentile, sleep } from './measure/stats';

const MAIN = join(__dirname, '..', 'server', 'main.js');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const profIndex = args.indexOf('--cpu-prof');
  const profDir = profIndex >= 0 ? args.splice(profIndex, 2)[1] : null;
  const n = Number(args[0] ?? 1000);
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-many-'));
  const nodeArgs = profDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', profDir];
  const child = spawn(process.execPath, [...nodeArgs, MAIN, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /listening on .*:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const connect = async (): Promise<Client> => {
    const c = new Client({ host: '127.0.0.1', port, user: 'sluice', database: 'sluice' });
    await c.connect();
    return c;
  };
  const ddl = await connect();
  const probe = await connect();
  const pings: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const t = nowMs();
      await probe.query('SELECT 1');
      pings.push(nowMs() - t);
      await sleep(10);
    }
  })();

  await ddl.query('CREATE STREAM s (k BIGINT, v BIGINT)');
  const createMs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = nowMs();
    await ddl.query(`CREATE CONTINUOUS QUERY q${i} AS SELECT count(*) AS c FROM s WHERE k = ${i}`);
    createMs.push(nowMs() - t);
  }
  const createPings = pings.length;
  // Let every query's first epoch (over no input) commit before the row goes in.
  await sleep(2000);
  const inserted = nowMs();
  await ddl.query('INSERT INTO s VALUES (1, 1)');
  let reachedMs = NaN;
  for (;;) {
    const r = await ddl.query('SELECT count(*) AS c FROM sluice.queries WHERE rows_in > 0');
    if (Number(r.rows[0].c) >= n) {
      reachedMs = nowMs() - inserted;
      break;
    }
    if (nowMs() - inserted > 600_000) throw new Error('the row did not reach every query within 600 s');
    await sleep(20);
  }
  probing = false;
  await prober;
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const f = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
  console.log(JSON.stringify({
    n,
    createFirst100Ms: f(mean(createMs.slice(0, 100))),
    createLast100Ms: f(mean(createMs.slice(-100))),
    createTotalS: (createMs.reduce((a, b) => a + b, 0) / 1000).toFixed(1),
    rowReachesAllMs: reachedMs.toFixed(0),
    select1DuringCreates: { p50: f(percentile(pings.slice(0, createPings), 50)), p99: f(percentile(pings.slice(0, createPings), 99)), max: f(Math.max(...pings.slice(0, createPings))) },
    select1AfterCreates: { p50: f(percentile(pings.slice(createPings), 50)), p99: f(percentile(pings.slice(createPings), 99)), max: f(Math.max(...pings.slice(createPings))) },
  }));
  await ddl.end();
  await probe.end();
  child.kill('SIGTERM');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

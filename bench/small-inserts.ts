// Small statements: 10-row INSERTs from 4 connections for a few seconds, against a real Sluice server (a child
// process) and, when its binaries are installed, a throwaway PostgreSQL 15 from the same run. Two variants: the
// simple protocol with literal values (each statement new text to the server), and one prepared statement with
// $1..$30 executed again and again. Prints statements/s and, for Sluice, its server's CPU time per statement (the
// steadier figure on a shared machine); asserts nothing.
//
//   node dist/bench/small-inserts.js [--seconds 5] [--port PORT --pid PID] [--no-postgres]
//
// With --port it drives a Sluice server already running there (say, one started with `node --cpu-prof`).

import type { Client } from 'pg';
import { Client as PgClient } from 'pg';
import { startSluiceServer } from './wire/sluice-server';
import { findPgBin, startPgCluster } from './postgres/cluster';
import { nowMs } from './measure/stats';
import { type CpuClock, processCpuSeconds } from './measure/cpu';

const CONNECTIONS = 4;
const ROWS = 10;

interface Options {
  readonly seconds: number;
  readonly port: number | null;
  readonly pid: number | null;
  readonly postgres: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let seconds = 5;
  let port: number | null = null;
  let pid: number | null = null;
  let postgres = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') seconds = Number(argv[++i]);
    else if (argv[i] === '--port') port = Number(argv[++i]);
    else if (argv[i] === '--pid') pid = Number(argv[++i]);
    else if (argv[i] === '--no-postgres') postgres = false;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return { seconds, port, pid, postgres };
}

type Variant = 'literal' | 'prepared';

/** One 10-row INSERT: its text and, for the prepared variant, its 30 parameters. */
function statement(variant: Variant, connection: number, n: number): { text: string; values?: unknown[]; name?: string } {
  const rows: string[] = [];
  const values: unknown[] = [];
  for (let r = 0; r < ROWS; r++) {
    const k = n * ROWS + r;
    if (variant === 'literal') rows.push(`(${k}, ${k * 0.5}, 'c${connection}-${k}')`);
    else {
      const p = r * 3;
      rows.push(`($${p + 1}, $${p + 2}, $${p + 3})`);
      values.push(k, k * 0.5, `c${connection}-${k}`);
    }
  }
  const text = `INSERT INTO s VALUES ${rows.join(', ')}`;
  return variant === 'literal' ? { text } : { text, values, name: 'insert10' };
}

async function drive(clients: readonly Client[], variant: Variant, seconds: number): Promise<number> {
  const deadline = nowMs() + seconds * 1000;
  const counts = await Promise.all(clients.map(async (client, c) => {
    let n = 0;
    while (nowMs() < deadline) {
      const s = statement(variant, c, n);
      await client.query(s.name === undefined ? s.text : { name: s.name, text: s.text, values: s.values });
      n++;
    }
    return n;
  }));
  const total = counts.reduce((a, b) => a + b, 0);
  return total / seconds;
}

async function measure(
  system: string, connect: () => Promise<Client>, createSql: string, options: Options, serverCpu: CpuClock | null,
): Promise<void> {
  const setup = await connect();
  await setup.query(createSql);
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, connect));
  try {
    for (const variant of ['literal', 'prepared'] as const) {
      const cpuBefore = serverCpu?.() ?? 0;
      const rate = await drive(clients, variant, options.seconds);
      const cpuMs = serverCpu === null ? '' : `, server CPU ${((serverCpu() - cpuBefore) * 1000 / (rate * options.seconds)).toFixed(3)} ms/statement`;
      process.stdout.write(`${system} ${variant}: ${Math.round(rate).toLocaleString('en-US')} statements/s ` +
        `(${CONNECTIONS} connections, ${ROWS} rows each${cpuMs})\n`);
    }
  } finally {
    await Promise.all([...clients, setup].map((c) => c.end()));
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const server = options.port === null ? await startSluiceServer() : null;
  const host = server?.host ?? '127.0.0.1';
  const port = server?.port ?? options.port!;
  const pid = server?.pid ?? options.pid;
  try {
    const connect = async (): Promise<Client> => {
      const c = new PgClient({ host, port, user: 'sluice', database: 'sluice' });
      await c.connect();
      return c;
    };
    await measure('sluice', connect, 'CREATE STREAM s (k BIGINT, v DOUBLE PRECISION, c TEXT)', options,
      pid === null ? null : processCpuSeconds(pid));
  } finally {
    await server?.stop();
  }
  if (!options.postgres) return;
  const bin = findPgBin();
  if ('reason' in bin) {
    process.stdout.write(`PostgreSQL skipped: ${bin.reason}\n`);
    return;
  }
  const cluster = await startPgCluster(bin.dir);
  try {
    await measure(`postgres ${cluster.version}`, () => cluster.connect(), 'CREATE TABLE s (k BIGINT, v DOUBLE PRECISION, c TEXT)', options, null);
  } finally {
    await cluster.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`small-inserts: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});

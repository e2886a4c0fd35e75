// Crash test: the real server, as a child process on one data directory, killed with SIGKILL many times while
// several connections INSERT and COPY into streams and a table and continuous queries of every window kind and emit
// mode (plus filters, aggregates, a lookup join and chained queries) run. At the end every acknowledged row must be
// there exactly once, every unacknowledged statement all or nothing (a COPY whose CopyDone was never sent: nothing),
// every continuous query equal to its batch recomputation here, and late rows counted and dead-lettered once each.
//
//   SLUICE_CRASH_KILLS=100   number of kills (default 20; `npm run test:crash` runs 100)
//   SLUICE_CRASH_SEED=1234   replays a run's choices (workload and kill moments; thread timing still varies)
//
// Writers of `clicks`, `raw` and `accounts` run concurrently; `ev` (the windowed stream) has one writer, so its
// arrival order, and with it which rows are late, is known exactly.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, DatabaseError } from 'pg';
import { startServer, connectPg, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { copyFrom } from './copy-client';
import { DEAD_LETTERS_SHOWN, compare, queryRows, verify, waitCaughtUp } from './verify';
import {
  QUERY_NAMES, Rng, SETUP_SQL, WINDOWED_QUERIES, Workload, copyStatement, expectedCount, statementSql,
  type Statement,
} from './workload';

const KILLS = Number(process.env.SLUICE_CRASH_KILLS ?? 20);
const SEED = process.env.SLUICE_CRASH_SEED !== undefined
  ? Number(process.env.SLUICE_CRASH_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const MAIN = join(__dirname, '..', '..', 'server', 'main.js');
const SHARED_WRITERS = 3;

/**
 * How many rows to send late, and how often: sluice.dead_letters shows the newest 1,000 dead letters only, and each
 * late row is one dead letter per windowed query, so the total stays below that for the check to see them all.
 */
function lateRowsFor(kills: number): { budget: number; probability: number } {
  const budget = Math.floor(DEAD_LETTERS_SHOWN / WINDOWED_QUERIES.length) - 10;
  return { budget, probability: Math.min(0.03, Math.max(0.002, budget / (700 * kills))) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function keptDataDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-crash-${name}-`));
}

/** One run of the server, from start to SIGKILL. */
interface Life {
  readonly index: number;
  readonly server: TestServer;
  alive: boolean;
  readonly events: EventEmitter;
  /** Set when the server went away without being killed. */
  diedOnItsOwn: string | null;
}

function kill(life: Life): void {
  life.alive = false;
  life.server.kill('SIGKILL');
}

/** A connection for a life's writer or monitor; null when the server was killed before it was made. */
async function connectDuring(life: Life): Promise<Client | null> {
  try {
    return await connect(life.server);
  } catch (e) {
    if (!life.alive) return null;
    throw e;
  }
}

/** A statement the server neither answers nor fails within this long is a hang, and fails the test. */
const REPLY_TIMEOUT_MS = 60_000;

async function connect(server: TestServer): Promise<Client> {
  const client = await connectPg(server, { query_timeout: REPLY_TIMEOUT_MS, connectionTimeoutMillis: 15_000 });
  client.on('error', () => {}); // the server is killed under it; the failed statement reports it
  return client;
}

function isServerError(e: unknown): e is DatabaseError {
  return e instanceof DatabaseError;
}

function chunked(data: Buffer, parts: number): Buffer[] {
  const out: Buffer[] = [];
  const size = Math.max(1, Math.ceil(data.length / parts));
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
  return out;
}

interface Run {
  readonly workload: Workload;
  readonly rng: Rng;
  readonly failures: string[];
  /** Highest epoch seen per query while a server was up: a restart must never go below it. */
  readonly epochsSeen: Map<string, number>;
  /** Highest row counts SELECT showed for insert-only results: what a reader saw must survive any crash. */
  readonly countsSeen: Map<string, number>;
  readonly killModes: Map<string, number>;
}

/** One writer connection: sends statements one at a time until the server is killed. */
async function writer(run: Run, life: Life, name: string, next: () => Statement): Promise<void> {
  const client = await connectDuring(life);
  if (client === null) return;
  const { rng, workload, failures } = run;
  while (life.alive) {
    const s = next();
    const ack = (count: number): void => {
      if (count !== expectedCount(s)) failures.push(`${name}: statement ${s.seq} acknowledged ${count} rows, sent ${expectedCount(s)}`);
      workload.acknowledged(s);
      life.events.emit('ack', s);
    };
    let copyProgress: { doneSent: boolean } | null = null;
    try {
      if (s.via === 'copy') {
        const { sql, data } = copyStatement(s, rng.chance(0.5));
        const copy = copyFrom(client, sql, chunked(Buffer.from(data), rng.int(1, 4)), {
          pause: async () => {
            await sleep(rng.int(0, 25));
            return life.alive;
          },
          onChunk: () => life.events.emit('copy-chunk', s),
          onDone: () => life.events.emit('copy-done', s),
          onAck: ack,
        });
        copyProgress = copy.progress;
        await copy.done;
      } else {
        const result = await client.query(statementSql(s));
        ack(result.rowCount ?? -1);
      }
    } catch (e) {
      if (s.status === 'acked') {
        // the reply arrived; what failed came after it
      } else if (isServerError(e)) {
        failures.push(`${name}: life ${life.index}: statement ${s.seq} failed: ${e.code} ${e.message}`);
        s.status = 'unacked';
      } else {
        s.status = 'unacked';
        s.copyDoneSent = copyProgress?.doneSent ?? false;
        if (life.alive) failures.push(`${name}: life ${life.index}: statement ${s.seq} failed while the server was up: ${(e as Error).message}`);
      }
      break;
    }
    await sleep(rng.int(0, 15));
  }
  client.end().catch(() => {});
}

/** Samples the epochs the server shows, to check no restart ever goes back. */
async function monitor(run: Run, life: Life): Promise<void> {
  const client = await connectDuring(life);
  if (client === null) return;
  while (life.alive) {
    try {
      const { rows } = await client.query('SELECT name, epoch, status, last_error FROM sluice.queries');
      for (const r of rows as { name: string; epoch: string; status: string; last_error: string | null }[]) {
        const problem = `life ${life.index}: query ${r.name} is ${r.status}: ${r.last_error}`;
        if (r.status !== 'running' && !run.failures.includes(problem)) run.failures.push(problem);
        run.epochsSeen.set(r.name, Math.max(run.epochsSeen.get(r.name) ?? 0, Number(r.epoch)));
      }
      for (const [name, n] of await visibleCounts(client)) {
        run.countsSeen.set(name, Math.max(run.countsSeen.get(name) ?? 0, n));
      }
    } catch (e) {
      if (isServerError(e)) run.failures.push(`life ${life.index}: monitor: ${e.message}`);
      break;
    }
    await sleep(150);
  }
  client.end().catch(() => {});
}

/** Counts that only grow (the inputs are insert-only), as SELECT shows them. */
async function visibleCounts(client: Client): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const q of ['raw_total', 'filtered_total']) {
    const { rows } = await client.query(`SELECT n FROM ${q}`);
    out.set(q, rows.length === 0 ? 0 : Number(rows[0].n));
  }
  return out;
}

/**
 * Picks how and when to kill: after a random delay; in the middle of a COPY (CopyDone not sent: none of its rows may
 * appear); between CopyDone and the reply (all or nothing); right after an acknowledgement (all must be there).
 */
async function killer(run: Run, life: Life): Promise<void> {
  const { rng } = run;
  const mode = rng.pick(['delay', 'delay', 'mid-copy', 'after-copy-done', 'after-ack', 'after-copy-ack'] as const);
  run.killModes.set(mode, (run.killModes.get(mode) ?? 0) + 1);
  if (mode === 'delay') {
    await sleep(rng.int(50, 1500));
    kill(life);
    return;
  }
  await sleep(rng.int(100, 900));
  const event = mode === 'mid-copy' ? 'copy-chunk' : mode === 'after-copy-done' ? 'copy-done' : 'ack';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      life.events.off(event, on);
      kill(life);
      resolve();
    }, 3000);
    const on = (s: Statement): void => {
      if (mode === 'after-copy-ack' && s.via !== 'copy') return;
      clearTimeout(timer);
      life.events.off(event, on);
      kill(life); // synchronously, in the handler of the reply or right after a chunk went out
      resolve();
    };
    life.events.on(event, on);
  });
}

async function startLife(index: number, dataDir: string): Promise<Life> {
  const server = await startServer({ dataDir });
  const life: Life = { index, server, alive: true, events: new EventEmitter(), diedOnItsOwn: null };
  void server.exited().then((code) => {
    if (life.alive) {
      life.alive = false;
      life.diedOnItsOwn = `server of life ${index} exited with ${code} without being killed\n${server.stderr().slice(-3000)}`;
    }
  });
  return life;
}

test(`SIGKILL ${KILLS} times under a mixed workload: nothing lost, nothing doubled, every result right (seed ${SEED})`,
  { timeout: 120_000 + KILLS * 15_000 }, async (t) => {
    console.log(`crash test seed ${SEED} (replay with SLUICE_CRASH_SEED=${SEED}), ${KILLS} kills`);
    t.diagnostic(`seed ${SEED} (replay with SLUICE_CRASH_SEED=${SEED})`);
    const dataDir = keptDataDir('main');
    const rng = new Rng(SEED);
    const run: Run = {
      workload: new Workload(new Rng(SEED ^ 0x5bd1e995), lateRowsFor(KILLS)), rng, failures: [],
      epochsSeen: new Map(), countsSeen: new Map(), killModes: new Map(),
    };
    const fail = (): never => {
      throw new assert.AssertionError({
        message: `crash test failed (seed ${SEED}, replay with SLUICE_CRASH_SEED=${SEED}; data directory kept at `
          + `${dataDir}):\n  ${run.failures.slice(0, 30).join('\n  ')}`,
      });
    };

    let life = await startLife(0, dataDir);
    // a failure leaves the data directory for inspection, but never a server running
    t.after(() => life.server.kill('SIGKILL'));
    const setup = await connect(life.server);
    for (const sql of SETUP_SQL) await setup.query(sql);
    await setup.end();

    for (let k = 0; k < KILLS; k++) {
      const writers = [
        writer(run, life, 'ev', () => run.workload.nextEv('ev', life.index)),
        ...Array.from({ length: SHARED_WRITERS }, (_, i) =>
          writer(run, life, `w${i}`, () => run.workload.nextShared(`w${i}`, life.index))),
        monitor(run, life),
      ];
      await killer(run, life);
      await life.server.exited();
      const settled = await Promise.race([Promise.allSettled(writers).then(() => true), sleep(15_000).then(() => false)]);
      if (!settled) run.failures.push(`life ${life.index}: writers did not notice the kill within 15 s`);
      for (const w of await Promise.allSettled(writers)) {
        if (w.status === 'rejected') run.failures.push(`life ${life.index}: writer failed: ${String(w.reason)}`);
      }
      if (life.diedOnItsOwn) run.failures.push(life.diedOnItsOwn);
      if (run.failures.length > 0) fail();

      life = await startLife(k + 1, dataDir);
      // nothing a reader saw may be taken back by the crash
      const client = await connect(life.server);
      const { rows } = await client.query('SELECT name, epoch FROM sluice.queries');
      for (const r of rows as { name: string; epoch: string }[]) {
        const seen = run.epochsSeen.get(r.name) ?? 0;
        if (Number(r.epoch) < seen) run.failures.push(`after kill ${k + 1}: ${r.name} is at epoch ${r.epoch}, ${seen} was seen before`);
      }
      for (const [name, n] of await visibleCounts(client)) {
        const seen = run.countsSeen.get(name) ?? 0;
        if (n < seen) run.failures.push(`after kill ${k + 1}: SELECT n FROM ${name} gives ${n}, ${seen} was seen before`);
      }
      await client.end();
      if (run.failures.length > 0) fail();
    }

    // the last life: no more writes; let the queries catch up and check everything, then once more after a kill
    let client = await connect(life.server);
    await waitCaughtUp(client);
    const before = await verify(run.workload, run.failures, client);
    if (run.failures.length > 0) fail();
    await client.end();
    kill(life);
    await life.server.exited();
    life = await startLife(KILLS + 1, dataDir);
    client = await connect(life.server);
    await waitCaughtUp(client);
    for (const q of QUERY_NAMES) {
      compare(run.failures, `${q} after the final restart`, await queryRows(client, `SELECT * FROM ${q}`), before.get(q) ?? []);
    }
    await client.end();
    assert.equal(await life.server.stop(), 0, 'clean shutdown');
    if (run.failures.length > 0) fail();
    console.log(`crash test kill modes: ${JSON.stringify(Object.fromEntries(run.killModes))}`);
    rmSync(dataDir, { recursive: true, force: true });
  });

test('an acknowledged COPY is all there after a SIGKILL right after the reply; an unfinished one is not there at all',
  { timeout: 120_000 }, async (t) => {
    const rng = new Rng(SEED ^ 0x2545f491);
    t.diagnostic(`seed ${SEED}`);
    const dataDir = keptDataDir('copy');
    let server = await startServer({ dataDir });
    t.after(() => server.kill('SIGKILL'));
    let client = await connect(server);
    await client.query(`CREATE STREAM s (id BIGINT NOT NULL, payload TEXT, ts TIMESTAMPTZ NOT NULL) WITH (retention = '3650 days')`);
    await client.query(`CREATE CONTINUOUS QUERY s_ids WITH (trigger_interval = '100 milliseconds') AS
      SELECT id, count(*) AS n FROM s GROUP BY id`);
    await client.end();

    let nextId = 1;
    const acked: number[] = [];
    const unfinished: number[] = [];
    const csv = (ids: number[]): string => ids.map((id) => `${id},"row ${id}, with ""quotes""",2026-01-01 00:00:00+00\n`).join('');
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      // a COPY left open (CopyDone never sent) on another connection while the acknowledged one completes
      const open = await connect(server);
      const openIds = Array.from({ length: rng.int(10, 200) }, () => nextId++);
      unfinished.push(...openIds);
      const data = Buffer.from(csv(openIds));
      const hold = copyFrom(open, 'COPY s FROM STDIN WITH (FORMAT csv)', [data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)], {
        pause: () => new Promise<boolean>(() => {}), // never finishes
      });
      hold.done.catch(() => {});
      await waitFor(() => hold.progress.chunksSent > 0, 'the open COPY to send its first half');

      const ids = Array.from({ length: rng.int(100, 3000) }, () => nextId++);
      if (round % 2 === 0) {
        // psql as a subprocess, data on its stdin; killed the moment it prints the COPY tag
        const count = await new Promise<number>((resolve, reject) => {
          const psql = spawn('psql', ['-X', '-h', server.host, '-p', String(server.port), '-U', 'test', '-d', 'sluice',
            '-v', 'ON_ERROR_STOP=1', '-c', 'COPY s FROM STDIN WITH (FORMAT csv)'], { stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          psql.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /COPY (\d+)/.exec(out);
            if (m) {
              server.kill('SIGKILL');
              resolve(Number(m[1]));
            }
          });
          psql.stderr.on('data', (d: Buffer) => (err += d.toString()));
          // 'close' comes after psql's output has all been read: if it printed the tag, this was resolved already
          psql.on('close', (code) => reject(new Error(`psql exited with ${code}: ${out} ${err}`)));
          psql.stdin.end(csv(ids));
        });
        assert.equal(count, ids.length);
      } else {
        // node-postgres: killed synchronously in the handler of CommandComplete
        const c = await connect(server);
        const copy = copyFrom(c, 'COPY s FROM STDIN WITH (FORMAT csv)', [Buffer.from(csv(ids))], {
          onAck: () => server.kill('SIGKILL'),
        });
        assert.equal(await copy.done, ids.length);
        c.end().catch(() => {});
      }
      acked.push(...ids);
      await server.exited();
      open.end().catch(() => {});

      server = await startServer({ dataDir });
      client = await connect(server);
      const present = (await client.query('SELECT id FROM s')).rows.map((r: { id: string }) => Number(r.id));
      await client.end();
      const failures: string[] = [];
      compare(failures, `round ${round}: ids in s`, present.map(String), acked.map(String));
      assert.deepEqual(failures, [], `seed ${SEED}, data directory ${dataDir}`);
    }
    client = await connect(server);
    await waitCaughtUp(client);
    const counted = await queryRows(client, 'SELECT id, n FROM s_ids');
    const failures: string[] = [];
    compare(failures, 's_ids', counted, acked.map((id) => `${id}|1`));
    assert.deepEqual(failures, [], `seed ${SEED}, data directory ${dataDir}`);
    assert.ok(unfinished.length > 0);
    await client.end();
    assert.equal(await server.stop(), 0);
    rmSync(dataDir, { recursive: true, force: true });
  });

test('a second server on the same data directory exits at once with a message naming the directory', async () => {
  const first = await startServer();
  try {
    const started = Date.now();
    const second = spawnSync(process.execPath, [MAIN, '--port', '0', '--data-dir', first.dataDir],
      { encoding: 'utf8', timeout: 20_000 });
    const took = Date.now() - started;
    assert.equal(second.error, undefined, `the second server did not exit: ${String(second.error)}`);
    assert.notEqual(second.status, 0);
    assert.notEqual(second.status, null);
    assert.ok(second.stderr.includes(first.dataDir), `stderr names the directory: ${second.stderr}`);
    assert.match(second.stderr, /in use by another Sluice server/);
    assert.ok(took < 10_000, `exited after ${took} ms`);
    // the first server is untouched and still serves
    const client = await connect(first);
    const { rows } = await client.query('SELECT 1 AS one');
    assert.equal(Number(rows[0].one), 1);
    await client.end();
  } finally {
    assert.equal(await first.stop(), 0);
  }
});

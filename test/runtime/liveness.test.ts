// No statement freezes the others. A Node server does one thing at a time, so an epoch or a pull query over a big
// input must work in slices and yield between them (engine/slices.ts): while a continuous query's epoch runs over a
// large COPY, and while a pull query reads a large stream, `SELECT 1` on another connection keeps being answered;
// a CancelRequest stops such a pull between slices with 57014. Counts and ordering are asserted, never timings:
// before the slicing, not one `SELECT 1` was answered while the epoch or the pull held the loop.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient } from '../helpers/raw-client';
import { copyFrom } from '../crash/copy-client';

/** Enough rows that pushing them through an aggregate takes many slices (engine/slices.ts SLICE_ROWS). */
const ROWS = 400_000;
/**
 * `SELECT 1` answers that prove the other session was served while the work ran. Before the slicing, the epoch (one
 * log entry) and the pull (over a query's result, held in memory) each ran in one turn of the event loop: what was
 * answered came only in the moments around them (4-7 around the epoch, 1 around the pull, at load 10 on 2 cores).
 * With the slicing 20-70 and 20-24 came at the same load: the bounds sit between.
 */
const MANY_DURING_EPOCH = 10;
const MANY_DURING_PULL = 5;

let server: TestServer;

before(async () => {
  server = await startServer();
  const client = await connectPg(server);
  await client.query(`CREATE STREAM rows_in (k BIGINT, v BIGINT, t BIGINT) WITH (retention = '1 day')`);
  assert.equal(await copyFrom(client, 'COPY rows_in FROM STDIN (FORMAT csv)', csvRows(ROWS)).done, ROWS);
  // A query's result is held in memory: a pull over it has nothing to wait for but its own work.
  await client.query(`CREATE CONTINUOUS QUERY pull_in WITH (trigger_interval = '10 milliseconds') AS
    SELECT k, v, t FROM rows_in`);
  const deadline = Date.now() + 60_000;
  while (Number((await client.query('SELECT count(*) AS n FROM pull_in')).rows[0].n) < ROWS) {
    assert.ok(Date.now() < deadline, 'pull_in did not take in every row');
  }
  await client.end();
});

after(async () => {
  assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

/** CSV rows (k, v, t): k in 0..9, so aggregates stay small and the work is in reading the rows. */
function csvRows(n: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let from = 0; from < n; from += 50_000) {
    const lines: string[] = [];
    for (let i = from; i < Math.min(n, from + 50_000); i++) lines.push(`${i % 10},${i % 97},${i}\n`);
    chunks.push(Buffer.from(lines.join('')));
  }
  return chunks;
}

/** Sends `SELECT 1` on its own connection, one after another, counting the answers, until stopped. */
class Pinger {
  answered = 0;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly client: Client) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const r = await this.client.query('SELECT 1 AS one');
        assert.equal(r.rows[0].one, 1);
        this.answered++;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

async function withPinger<R>(f: (pinger: Pinger) => Promise<R>): Promise<R> {
  const client = await connectPg(server);
  const pinger = new Pinger(client);
  pinger.start();
  try {
    return await f(pinger);
  } finally {
    await pinger.stop();
    await client.end();
  }
}

test('SELECT 1 is answered many times while an epoch over a large input runs', async () => {
  const client = await connectPg(server);
  try {
    await client.query('CREATE STREAM epoch_in (k BIGINT, v BIGINT, t BIGINT)');
    await client.query(`CREATE CONTINUOUS QUERY epoch_q WITH (trigger_interval = '1 millisecond') AS
      SELECT k, t / 10000 AS w, count(*) AS n, sum(v) AS sv FROM epoch_in GROUP BY 1, 2`);
    // INSERT ... SELECT appends its rows as one log entry, so only slicing can break the epoch's work up.
    const inserted = await client.query('INSERT INTO epoch_in SELECT k, v, t FROM rows_in UNION ALL SELECT k, v, t FROM rows_in');
    assert.equal(inserted.rowCount, 2 * ROWS);
    // The next epoch starts within a millisecond of the acknowledgement and reads all those rows; the result shows
    // them only once it commits. Nearly every ping answered in between was served while that epoch ran.
    const { pings, counted } = await withPinger(async (pinger) => {
      const startedAt = pinger.answered;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = await client.query('SELECT sum(n) AS n FROM epoch_q');
        if (r.rows[0].n !== null) return { pings: pinger.answered - startedAt, counted: Number(r.rows[0].n) };
        assert.ok(Date.now() < deadline, 'the epoch did not commit');
      }
    });
    assert.equal(counted, 2 * ROWS, 'one epoch took every row inserted');
    assert.ok(pings >= MANY_DURING_EPOCH, `only ${pings} SELECT 1 answered while the epoch ran`);
  } finally {
    await client.end();
  }
});

test('SELECT 1 is answered many times while a pull query over a large result runs', async () => {
  const client = await connectPg(server);
  try {
    const { pings, rows } = await withPinger(async (pinger) => {
      const startedAt = pinger.answered;
      // A distinct count remembers every row: many slices of work.
      const r = await client.query('SELECT k, count(*) AS n, count(DISTINCT t) AS times FROM pull_in GROUP BY k ORDER BY k');
      return { pings: pinger.answered - startedAt, rows: r.rows as { k: string; n: string; times: string }[] };
    });
    assert.equal(rows.length, 10);
    assert.equal(rows.reduce((s, r) => s + Number(r.n), 0), ROWS);
    assert.equal(rows.reduce((s, r) => s + Number(r.times), 0), ROWS);
    assert.ok(pings >= MANY_DURING_PULL, `only ${pings} SELECT 1 answered while the pull ran`);
  } finally {
    await client.end();
  }
});

test('a CancelRequest stops a running pull query between slices with 57014', async () => {
  const { client: raw, startup } = await RawClient.session(server);
  const key = startup.find((m) => m.type === 'K')!;
  try {
    await withPinger(async (pinger) => {
      // pull_in holds ROWS rows, and a distinct count remembers every one: the pull is many slices of work long.
      raw.send(serialize.query('SELECT k, count(DISTINCT t), sum(v * v) FROM pull_in GROUP BY k'));
      const startedAt = pinger.answered;
      // Other sessions being served again means the pull has yielded, so it is running: cancel it now.
      const deadline = Date.now() + 30_000;
      while (pinger.answered - startedAt < 2) {
        assert.ok(Date.now() < deadline, 'no SELECT 1 answered while the pull ran');
        await new Promise((r) => setImmediate(r));
      }
      const cancel = await RawClient.connect(server);
      cancel.send(serialize.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
      assert.ok(await cancel.waitClosed(), 'the cancel connection is closed');
    });
    const reply = await raw.readUntil('Z', 30_000);
    assert.equal(reply.map((m) => m.type).join(''), 'EZ', 'the pull sent no rows, only the error');
    assert.equal(errorFields(reply[0]).C, '57014');
    raw.send(serialize.query('SELECT 1'));
    assert.equal((await raw.readUntil('Z')).map((m) => m.type).join(''), 'TDCZ', 'the session goes on');
  } finally {
    raw.close();
  }
});

// A continuous query's own change log is trimmed up to what no reader needs: downstream queries (their committed
// offsets), live subscriptions (the epoch they sent whole) and the --changelog-retention window. Under steady inserts
// its oldest epoch advances and its entries stay few, while a downstream query, a live SUBSCRIBE and a query created
// after the trim still get every change (compared with pull SELECTs); a slow subscriber and a paused downstream query
// hold trimming back; a from_epoch older than the log keeps is refused with 55000; a restart keeps the trimmed log's
// oldest epoch. Each wait is for a condition, with a deadline.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { waitFor, waitForValue } from '../helpers/wait';
import { CopySubscriber, SubscribeError } from './copy-subscriber';

interface ChangeLog {
  readonly oldest: number;
  readonly newest: number;
  readonly entries: number;
  readonly bytes: number;
}

async function changeLog(sql: Client, name: string): Promise<ChangeLog> {
  const r = await sql.query('SELECT oldest_epoch, newest_epoch, entries, bytes FROM sluice.changelogs WHERE name = $1', [name]);
  const row = r.rows[0];
  return { oldest: Number(row.oldest_epoch), newest: Number(row.newest_epoch), entries: Number(row.entries), bytes: Number(row.bytes) };
}

async function epochOf(sql: Client, query: string): Promise<number> {
  return Number((await sql.query('SELECT epoch FROM sluice.queries WHERE name = $1', [query])).rows[0].epoch);
}

/** `rounds` epochs of `totals`, each over a few new rows: one INSERT per round, then a wait for the next epoch. */
async function steadyInserts(sql: Client, rounds: number, firstValue: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const before = await epochOf(sql, 'totals');
    const v = firstValue + i;
    await sql.query('INSERT INTO events VALUES ($1, $2), ($3, $4)', [v % 5, v, (v + 1) % 5, 1]);
    await waitFor(async () => (await epochOf(sql, 'totals')) > before, `an epoch of totals after round ${i}`);
  }
}

/** The rows of a query, sorted, as text: what a pull SELECT shows. */
async function rowsOf(sql: Client, query: string): Promise<string[]> {
  return (await sql.query(query)).rows.map((r) => JSON.stringify(r)).sort();
}

/** Applies `k\tn\ts\tepoch\tdiff` COPY lines to a multiset of `k|n|s` rows. */
function applyLines(rows: Map<string, number>, lines: readonly string[]): void {
  for (const line of lines) {
    const [k, n, s, , diff] = line.split('\t');
    const key = `${k}|${n}|${s}`;
    const count = (rows.get(key) ?? 0) + Number(diff);
    if (count === 0) rows.delete(key);
    else rows.set(key, count);
  }
}

async function totalsAsRows(sql: Client): Promise<string[]> {
  return (await sql.query('SELECT k, n, s FROM totals')).rows.map((r) => `${r.k}|${r.n}|${r.s}`).sort();
}

const servers: TestServer[] = [];
after(() => {
  for (const s of servers) s.kill('SIGKILL');
});

async function start(): Promise<{ server: TestServer; sql: Client }> {
  // No retention window: only readers hold entries, so what the test sees is what they need.
  const server = await startServer({ args: ['--changelog-retention', '0'] });
  servers.push(server);
  const sql = await connectPg(server);
  await sql.query('CREATE STREAM events (k INT, v INT)');
  await sql.query("CREATE CONTINUOUS QUERY totals WITH (trigger_interval = '20ms') AS " +
    'SELECT k, count(*) AS n, sum(v) AS s FROM events GROUP BY k');
  return { server, sql };
}

describe('result change log trimming', () => {
  test('under steady inserts the oldest epoch advances and entries stay few; readers get every change', async () => {
    const { server, sql } = await start();
    await sql.query("CREATE CONTINUOUS QUERY big WITH (trigger_interval = '20ms') AS SELECT k, n FROM totals WHERE n > 3");
    const live = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO totals WITH (snapshot = false)) TO STDOUT');
    const seen = new Map<string, number>();

    const rounds = 40;
    await steadyInserts(sql, rounds, 0);
    const log = await waitForValue(() => changeLog(sql, 'totals'), (l) => l.oldest >= rounds / 2,
      'the oldest epoch of totals to advance past half the rounds');
    assert.ok(log.newest >= rounds, `newest epoch ${log.newest}`);
    assert.ok(log.entries <= 10, `entries bounded, not one per epoch: ${JSON.stringify(log)}`);
    assert.ok(log.bytes >= 0);

    // The downstream query and the live subscriber missed nothing: they match the pull SELECTs.
    await waitFor(async () => (await epochOf(sql, 'big')) > 0 &&
      JSON.stringify(await rowsOf(sql, 'SELECT k, n FROM big')) ===
      JSON.stringify(await rowsOf(sql, 'SELECT k, n FROM totals WHERE n > 3')), 'big to match its pull SELECT');
    // Every change of every epoch, in order: read until the multiset of rows is the result's (or a line times out).
    const wanted = await totalsAsRows(sql);
    for (;;) {
      applyLines(seen, [await live.line()]);
      const got = [...seen.entries()].flatMap(([row, count]) => Array<string>(count).fill(row)).sort();
      if (JSON.stringify(got) === JSON.stringify(wanted)) break;
    }
    live.close();

    // A query created now starts from totals' result (the log no longer holds its first changes).
    await sql.query("CREATE CONTINUOUS QUERY late WITH (trigger_interval = '20ms') AS SELECT k, s FROM totals");
    await waitFor(async () => (await epochOf(sql, 'late')) > 0, 'the first epoch of late');
    assert.deepEqual(await rowsOf(sql, 'SELECT k, s FROM late'), await rowsOf(sql, 'SELECT k, s FROM totals'));
    await steadyInserts(sql, 5, 1000);
    await waitFor(async () => JSON.stringify(await rowsOf(sql, 'SELECT k, s FROM late')) ===
      JSON.stringify(await rowsOf(sql, 'SELECT k, s FROM totals')), 'late to follow totals');

    // A resume from before the oldest epoch kept is refused, naming it.
    const oldest = (await changeLog(sql, 'totals')).oldest;
    const refused = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO totals WITH (from_epoch = 1)) TO STDOUT').then(
      () => assert.fail('accepted'), (e: SubscribeError) => e);
    assert.equal(refused.code, '55000');
    assert.match(refused.message, /cannot subscribe to "totals" from epoch 1: the oldest epoch its change log keeps changes after is \d+/);
    assert.ok(Number(/is (\d+)/.exec(refused.message)![1]) >= oldest);
    await sql.end();
  });

  test('a slow subscriber holds trimming back and still gets every change', async () => {
    const { server, sql } = await start();
    await steadyInserts(sql, 3, 0);
    await sql.query('BEGIN');
    await sql.query('DECLARE c CURSOR FOR SUBSCRIBE TO totals');
    const writer = await connectPg(server);
    // The snapshot sets the subscription's place at the epoch it is taken; fetching nothing more keeps it there.
    const snapshot = await sql.query("FETCH ALL FROM c WITH (timeout = '0.5s')");
    const pinned = await waitForValue(async () => (await writer.query("SELECT epoch FROM sluice.subscriptions WHERE relation = 'totals'")).rows[0]?.epoch,
      (e) => e !== undefined && e !== null, 'the subscription to have sent its snapshot');
    await steadyInserts(writer, 20, 100);
    const held = await changeLog(writer, 'totals');
    assert.ok(held.oldest <= Number(pinned), `trimmed past the subscriber at ${pinned}: ${JSON.stringify(held)}`);
    assert.ok(held.entries >= 20, `the subscriber's entries kept: ${JSON.stringify(held)}`);

    const seen = new Map<string, number>();
    applyLines(seen, snapshot.rows.map((r) => `${r.k}\t${r.n}\t${r.s}\t${r.sluice_epoch}\t${r.sluice_diff}`));
    await waitFor(async () => {
      const more = await sql.query("FETCH ALL FROM c WITH (timeout = '0.2s')");
      applyLines(seen, more.rows.map((r) => `${r.k}\t${r.n}\t${r.s}\t${r.sluice_epoch}\t${r.sluice_diff}`));
      const got = [...seen.entries()].flatMap(([row, count]) => Array<string>(count).fill(row)).sort();
      return JSON.stringify(got) === JSON.stringify(await totalsAsRows(writer));
    }, 'the slow subscriber to have every change of totals');

    // Once it has read them (and then once it is gone), the log is trimmed again.
    await sql.query('COMMIT');
    await steadyInserts(writer, 2, 200);
    await waitForValue(() => changeLog(writer, 'totals'), (l) => l.oldest > held.oldest && l.entries <= 3,
      'the log of totals trimmed once the subscriber let go');
    await writer.end();
    await sql.end();
  });

  test('a paused downstream query holds trimming back and, resumed, gets every change', async () => {
    const { server, sql } = await start();
    await sql.query("CREATE CONTINUOUS QUERY big WITH (trigger_interval = '20ms') AS SELECT k, n FROM totals WHERE n > 3");
    await steadyInserts(sql, 5, 0);
    await waitFor(async () => (await epochOf(sql, 'big')) > 0 && (await sql.query("SELECT lag FROM sluice.queries WHERE name = 'big'")).rows[0].lag === '0',
      'big to have read what totals wrote');
    await sql.query('ALTER CONTINUOUS QUERY big PAUSE');
    const atPause = await epochOf(sql, 'totals');
    await steadyInserts(sql, 15, 100);
    const held = await changeLog(sql, 'totals');
    assert.ok(held.oldest <= atPause, `trimmed past the paused reader (totals at epoch ${atPause}): ${JSON.stringify(held)}`);
    assert.ok(held.entries >= 15, `the paused reader's entries kept: ${JSON.stringify(held)}`);

    await sql.query('ALTER CONTINUOUS QUERY big RESUME');
    await waitFor(async () => JSON.stringify(await rowsOf(sql, 'SELECT k, n FROM big')) ===
      JSON.stringify(await rowsOf(sql, 'SELECT k, n FROM totals WHERE n > 3')), 'big, resumed, to match its pull SELECT');
    await steadyInserts(sql, 2, 200);
    await waitForValue(() => changeLog(sql, 'totals'), (l) => l.oldest > atPause && l.entries <= 3, 'totals trimmed once big caught up');
    await sql.end();
    assert.equal(await server.stop(), 0, server.stderr());
  });

  test('after a restart a trimmed log loads, keeps its oldest epoch and is trimmed on', async () => {
    const { server, sql } = await start();
    await steadyInserts(sql, 10, 0);
    const before = await waitForValue(() => changeLog(sql, 'totals'), (l) => l.oldest >= 5, 'totals trimmed');
    const rows = await totalsAsRows(sql);
    await sql.end();
    assert.equal(await server.stop(), 0, server.stderr());

    const again = await startServer({ dataDir: server.dataDir, args: ['--changelog-retention', '0'] });
    servers.push(again);
    const sql2 = await connectPg(again);
    assert.deepEqual(await totalsAsRows(sql2), rows, 'the result as it was');
    const reopened = await changeLog(sql2, 'totals');
    assert.ok(reopened.oldest >= before.oldest, `oldest epoch kept: ${JSON.stringify({ before, reopened })}`);
    await steadyInserts(sql2, 5, 500);
    await waitForValue(() => changeLog(sql2, 'totals'), (l) => l.oldest > reopened.oldest && l.entries <= 3, 'totals trimmed on');
    await sql2.end();
    assert.equal(await again.stop(), 0, again.stderr());
  });
});

// A stream's `retention` is its change log's retention: an entry goes once every reader consumed it and it is older
// than the retention, also while nothing is appended or read; a from_epoch older than what is kept is refused with
// 55000 naming the oldest; a reader (a paused query, a live subscription) holds entries past retention; and after a
// restart the entries stored before are trimmed by the same rule. Each wait is for a condition, with a deadline.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg } from '../helpers/server';
import { waitFor, waitForValue } from '../helpers/wait';
import { countLogEntries } from '../helpers/log-keys';
import { CopySubscriber, SubscribeError } from './copy-subscriber';
import { killableServers } from './killable-servers';

const start = killableServers();

interface ChangeLog {
  readonly oldest: number;
  readonly newest: number;
}

async function changeLog(sql: Client, name: string): Promise<ChangeLog> {
  const r = await sql.query('SELECT oldest_epoch, newest_epoch FROM sluice.changelogs WHERE name = $1', [name]);
  return { oldest: Number(r.rows[0].oldest_epoch), newest: Number(r.rows[0].newest_epoch) };
}

/** Waits until `name`'s log keeps nothing up to epoch `epoch`. */
async function trimmedThrough(sql: Client, name: string, epoch: number): Promise<void> {
  await waitForValue(() => changeLog(sql, name), (log) => log.oldest >= epoch, `the log of ${name} trimmed through epoch ${epoch}`);
}

async function insertEach(sql: Client, stream: string, values: readonly number[]): Promise<void> {
  for (const n of values) await sql.query(`INSERT INTO ${stream} VALUES ($1)`, [n]);
}

async function count(sql: Client, stream: string): Promise<number> {
  return Number((await sql.query(`SELECT count(*) AS n FROM ${stream}`)).rows[0].n);
}

describe('stream retention', () => {
  test('entries past retention go while nobody reads; an older from_epoch is refused naming the oldest', async () => {
    const { server, sql } = await start();
    await sql.query("CREATE STREAM pings (n INT) WITH (retention = '2 seconds')");
    await insertEach(sql, 'pings', [1, 2, 3]);
    assert.equal((await changeLog(sql, 'pings')).newest, 3, 'one epoch per INSERT');
    // Nothing reads the stream and nothing more is appended: only the retention timer can trim it.
    await trimmedThrough(sql, 'pings', 3);
    assert.equal(await count(sql, 'pings'), 0, 'SELECT sees none of the expired rows');

    const refused = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO pings WITH (from_epoch = 1)) TO STDOUT').then(
      () => assert.fail('accepted'), (e: SubscribeError) => e);
    assert.equal(refused.code, '55000');
    assert.match(refused.message, /from epoch 1: the oldest epoch its change log keeps changes after is 3/);
    const resumed = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO pings WITH (from_epoch = 3)) TO STDOUT');
    await insertEach(sql, 'pings', [4]);
    assert.equal(await resumed.line(), '4\t4\t1', 'from the oldest epoch kept on, live');
    resumed.close();

    // Again and again: the log does not grow, and what is trimmed is gone from disk.
    await insertEach(sql, 'pings', [5, 6]);
    await trimmedThrough(sql, 'pings', 6);
    await sql.end();
    assert.equal(await server.stop(), 0, server.stderr());
    assert.equal(await countLogEntries(server.dataDir), 0, 'no log entry left on disk');
  });

  test('a live subscription holds entries past retention: it receives every row', async () => {
    const { server, sql } = await start();
    await sql.query("CREATE STREAM slow (n INT) WITH (retention = '2 seconds')");
    // A stream with the same retention, written once every row of `slow` has expired: by the time its entry has
    // expired and been trimmed too, the trimmer has looked at `slow` many times since its entries expired.
    await sql.query("CREATE STREAM clock (n INT) WITH (retention = '2 seconds')");
    await sql.query('BEGIN');
    await sql.query('DECLARE c CURSOR FOR SUBSCRIBE TO slow WITH (snapshot = false)');
    const writer = await connectPg(server);
    await insertEach(writer, 'slow', [1, 2, 3, 4, 5]);
    const first = await sql.query("FETCH 1 FROM c WITH (timeout = '10s')");
    assert.deepEqual(first.rows.map((r) => r.n), [1]);
    await waitFor(async () => (await count(writer, 'slow')) === 0, 'every row of slow past retention');
    await insertEach(writer, 'clock', [0]);
    await trimmedThrough(writer, 'clock', 1);
    assert.ok((await changeLog(writer, 'slow')).oldest < 5, 'the subscription holds the entries it has not read');

    const rest = await sql.query("FETCH 4 FROM c WITH (timeout = '10s')");
    assert.deepEqual(rest.rows.map((r) => r.n), [2, 3, 4, 5], 'every row, though past retention');
    await sql.query('COMMIT'); // ends the cursor and its subscription: nothing holds the entries any more
    await trimmedThrough(writer, 'slow', 5);
    await writer.end();
    await sql.end();
  });

  test('after a restart, the entries stored before are trimmed by the same rule', async () => {
    const first = await start();
    await first.sql.query("CREATE STREAM brief (n INT) WITH (retention = '2 seconds')");
    await first.sql.query("CREATE STREAM lasting (n INT) WITH (retention = '1 hour')");
    // A paused query is a reader that consumes nothing: it holds brief's entries past retention.
    await first.sql.query('CREATE CONTINUOUS QUERY hold AS SELECT count(*) AS n FROM brief');
    await first.sql.query('ALTER CONTINUOUS QUERY hold PAUSE');
    await insertEach(first.sql, 'brief', [1, 2, 3]);
    await insertEach(first.sql, 'lasting', [1, 2, 3]);
    await waitFor(async () => (await count(first.sql, 'brief')) === 0, 'the rows of brief past retention');
    assert.equal((await changeLog(first.sql, 'brief')).oldest, 0, 'the paused query holds the entries');
    first.server.kill('SIGKILL');
    await first.server.exited();

    const second = await start(first.server.dataDir);
    assert.equal((await changeLog(second.sql, 'brief')).oldest, 0, 'still held after the restart');
    await second.sql.query('DROP CONTINUOUS QUERY hold');
    // Nothing is appended or read any more: the timer started at startup trims the entries stored before.
    await trimmedThrough(second.sql, 'brief', 3);
    assert.deepEqual(await changeLog(second.sql, 'lasting'), { oldest: 0, newest: 3 }, 'entries within retention stay');
    assert.equal(await count(second.sql, 'lasting'), 3);
    const replay = await CopySubscriber.start(second.server, 'COPY (SUBSCRIBE TO lasting WITH (from_epoch = 0)) TO STDOUT');
    assert.deepEqual(await replay.lines(3), ['1\t1\t1', '2\t2\t1', '3\t3\t1']);
    replay.close();

    await insertEach(second.sql, 'brief', [4]);
    await trimmedThrough(second.sql, 'brief', 4);
    await second.sql.end();
  });
});

// from_epoch: a subscriber that stored the last epoch it saw resumes with exactly the changes it missed, after a
// dropped connection and after a SIGKILL of the server; an epoch older than the log keeps is refused, naming the
// oldest one. The check is by consolidation: the snapshot plus every change received equals the query's result.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { waitFor } from '../helpers/wait';
import { CopySubscriber, SubscribeError } from './copy-subscriber';
import { killableServers } from './killable-servers';

const start = killableServers();

/** Rows `page,n,epoch,diff` consolidated into page → n (what the result holds once every change is applied). */
class Consolidated {
  readonly counts = new Map<string, number>();
  lastEpoch = 0;

  apply(lines: readonly string[]): void {
    for (const line of lines) {
      const [page, n, epoch, diff] = line.split(',');
      const key = `${page}=${n}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + Number(diff));
      if (this.counts.get(key) === 0) this.counts.delete(key);
      assert.ok(Number(epoch) >= this.lastEpoch, `epochs come in order (${epoch} after ${this.lastEpoch})`);
      this.lastEpoch = Number(epoch);
    }
  }

  rows(): string[] {
    for (const c of this.counts.values()) assert.equal(c, 1, 'each result row once');
    return [...this.counts.keys()].sort();
  }
}

async function result(sql: Client): Promise<string[]> {
  return (await sql.query('SELECT page, n FROM per_page')).rows.map((r) => `${r.page}=${r.n}`).sort();
}

/** Waits until the query has consumed every click: its result is then final for what was inserted. */
async function settled(sql: Client): Promise<void> {
  await waitFor(async () => (await sql.query("SELECT lag FROM sluice.queries WHERE name = 'per_page'")).rows[0].lag === '0', 'the query caught up');
}

/** Reads lines until the subscriber's view equals the query's result. */
async function readUntilEqual(s: CopySubscriber, seen: Consolidated, sql: Client): Promise<void> {
  const want = await result(sql);
  while (JSON.stringify([...seen.counts.keys()].sort()) !== JSON.stringify(want)) seen.apply([await s.line()]);
  assert.deepEqual(seen.rows(), want);
}

const SETUP = [
  'CREATE STREAM clicks (page TEXT)',
  "CREATE CONTINUOUS QUERY per_page WITH (trigger_interval = '30ms') AS SELECT page, count(*) AS n FROM clicks GROUP BY page",
];

describe('from_epoch', () => {
  test('a dropped subscriber resumes with exactly the missing changes; an epoch too old is refused', async () => {
    const { server, sql } = await start();
    for (const s of SETUP) await sql.query(s);
    await sql.query("INSERT INTO clicks VALUES ('/a'), ('/b')");
    await settled(sql);
    const seen = new Consolidated();
    let sub = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO per_page) TO STDOUT (FORMAT csv)');
    await readUntilEqual(sub, seen, sql);
    sub.close();
    // While it is away: several epochs of changes.
    for (const page of ['/a', '/c', '/a', '/b']) {
      await sql.query('INSERT INTO clicks VALUES ($1)', [page]);
      await settled(sql);
    }
    sub = await CopySubscriber.start(server, `COPY (SUBSCRIBE TO per_page WITH (from_epoch = ${seen.lastEpoch})) TO STDOUT (FORMAT csv)`);
    await readUntilEqual(sub, seen, sql);
    assert.equal(await sub.client.quietFor(300), true, 'nothing twice');
    sub.close();

    // A stream's log is trimmed once its readers consumed it: its oldest epoch moves on.
    const log = await sql.query("SELECT oldest_epoch, newest_epoch FROM sluice.changelogs WHERE name = 'clicks'");
    const oldest = Number(log.rows[0].oldest_epoch);
    assert.ok(oldest > 0, 'the stream log was trimmed');
    const refused = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO clicks WITH (from_epoch = 0)) TO STDOUT').then(
      () => assert.fail('accepted'), (e: SubscribeError) => e);
    assert.equal(refused.code, '55000');
    assert.match(refused.message, new RegExp(`the oldest epoch its change log keeps changes after is ${oldest}`));
    await sql.end();
  });

  test('and across a SIGKILL of the server', async () => {
    const first = await start();
    for (const s of SETUP) await first.sql.query(s);
    await first.sql.query("INSERT INTO clicks VALUES ('/a'), ('/b'), ('/b')");
    await settled(first.sql);
    const seen = new Consolidated();
    const sub = await CopySubscriber.start(first.server, 'COPY (SUBSCRIBE TO per_page) TO STDOUT (FORMAT csv)');
    await readUntilEqual(sub, seen, first.sql);
    await first.sql.query("INSERT INTO clicks VALUES ('/c')");
    await settled(first.sql);
    first.server.kill('SIGKILL');
    await first.server.exited();
    sub.close();

    const second = await start(first.server.dataDir);
    await second.sql.query("INSERT INTO clicks VALUES ('/a'), ('/d')");
    await settled(second.sql);
    const resumed = await CopySubscriber.start(second.server, `COPY (SUBSCRIBE TO per_page WITH (from_epoch = ${seen.lastEpoch})) TO STDOUT (FORMAT csv)`);
    await readUntilEqual(resumed, seen, second.sql);
    assert.equal(await resumed.client.quietFor(300), true, 'nothing twice');
    resumed.close();
    await second.sql.end();
  });
});

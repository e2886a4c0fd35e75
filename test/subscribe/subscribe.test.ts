// SUBSCRIBE through the wire: COPY (SUBSCRIBE ...) TO STDOUT read byte by byte, bare SUBSCRIBE through
// node-postgres, and the errors of its planning. Rows carry the relation's columns, sluice_epoch and sluice_diff
// (and sluice_progress with progress = true); the rows of one epoch come together, after the epoch committed.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Query, type Client } from 'pg';
import { startServer, connectPg, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { serialize } from 'pg-protocol';
import { RawClient } from '../helpers/raw-client';
import { CopySubscriber, SubscribeError } from './copy-subscriber';

let server: TestServer;
let sql: Client;

before(async () => {
  server = await startServer();
  sql = await connectPg(server);
});

after(async () => {
  await sql?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

async function newest(name: string): Promise<number> {
  const r = await sql.query('SELECT newest_epoch FROM sluice.changelogs WHERE name = $1', [name]);
  return Number(r.rows[0].newest_epoch);
}

describe('a table', () => {
  test('snapshot at the log position, then every write as one epoch with its diffs', async () => {
    await sql.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT, balance NUMERIC)');
    await sql.query("INSERT INTO accounts VALUES (1, 'ann', 10.5), (2, E'tab\\there', NULL)");
    const s = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO accounts) TO STDOUT');
    try {
      assert.deepEqual((await s.lines(2)).sort(), ['1\tann\t10.5\t1\t1', '2\ttab\\there\t\\N\t1\t1']);
      await sql.query("INSERT INTO accounts VALUES (3, 'cy', 1)");
      assert.deepEqual(await s.lines(1), ['3\tcy\t1\t2\t1']);
      await sql.query('UPDATE accounts SET balance = 11 WHERE id = 1');
      assert.deepEqual((await s.lines(2)).sort(), ['1\tann\t10.5\t3\t-1', '1\tann\t11\t3\t1']);
      assert.equal(await newest('accounts'), 3);
    } finally {
      s.close();
    }
  });

  test('snapshot = false: only later changes; csv quoting and NULL as an empty field', async () => {
    await sql.query('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)');
    await sql.query("INSERT INTO notes VALUES (1, 'old')");
    const s = await CopySubscriber.start(server, 'COPY (SUBSCRIBE notes WITH (snapshot = false)) TO STDOUT WITH (FORMAT csv)');
    try {
      await sql.query(`INSERT INTO notes VALUES (2, 'a,"b"'), (3, ''), (4, NULL)`);
      assert.deepEqual((await s.lines(3)).sort(), ['2,"a,""b""",2,1', '3,"",2,1', '4,,2,1']);
    } finally {
      s.close();
    }
  });
});

describe('a continuous query', () => {
  before(async () => {
    await sql.query('CREATE STREAM clicks (page TEXT, ms INT)');
    await sql.query("CREATE CONTINUOUS QUERY per_page WITH (trigger_interval = '50ms') AS SELECT page, count(*) AS n FROM clicks GROUP BY page");
  });

  test('epochs are the query\'s epochs; progress rows say how far it is', async () => {
    await sql.query("INSERT INTO clicks VALUES ('/a', 1)");
    await waitFor(async () => (await sql.query('SELECT * FROM per_page')).rows.length === 1, 'the first epoch');
    const s = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO per_page WITH (progress = true)) TO STDOUT (FORMAT csv)');
    try {
      const [snapshot, mark] = await s.lines(2);
      const epoch = Number(snapshot.split(',')[2]);
      assert.equal(snapshot, `/a,1,${epoch},1,f`);
      assert.equal(mark, `,,${epoch},,t`, 'a progress row after the snapshot');
      await sql.query("INSERT INTO clicks VALUES ('/a', 2), ('/b', 3)");
      const changes = await s.lines(3);
      const next = Number(changes[0].split(',')[2]);
      assert.ok(next > epoch);
      assert.deepEqual(changes.sort(), [`/a,1,${next},-1,f`, `/a,2,${next},1,f`, `/b,1,${next},1,f`]);
      const r = await sql.query("SELECT epoch FROM sluice.queries WHERE name = 'per_page'");
      assert.equal(Number(r.rows[0].epoch), next, 'sluice_epoch is sluice.queries.epoch');
    } finally {
      s.close();
    }
  });

  test('bare SUBSCRIBE streams DataRows through node-postgres until canceled', async () => {
    const client = await connectPg(server);
    try {
      const rows: Record<string, unknown>[] = [];
      const query = client.query(new Query('SUBSCRIBE TO per_page WITH (snapshot = false)'));
      query.on('row', (r: Record<string, unknown>) => rows.push(r));
      const ended = new Promise<unknown>((resolve) => query.on('error', resolve));
      await waitFor(async () => (await sql.query("SELECT count(*) AS n FROM sluice.subscriptions WHERE relation = 'per_page'")).rows[0].n === '1', 'the subscription');
      await sql.query("INSERT INTO clicks VALUES ('/c', 1)");
      await waitFor(() => rows.length === 1, 'the new row');
      assert.equal(rows[0].page, '/c');
      assert.equal(rows[0].n, '1');
      assert.equal(rows[0].sluice_diff, 1);
      assert.equal(typeof rows[0].sluice_epoch, 'string'); // int8 as text by node-postgres
      const key = client as unknown as { processID: number; secretKey: number };
      const cancel = await RawClient.connect(server);
      cancel.send(serialize.cancel(key.processID, key.secretKey));
      await cancel.waitClosed();
      const error = (await ended) as { code: string };
      assert.equal(error.code, '57014');
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1, 'the session goes on');
    } finally {
      await client.end();
    }
  });
});

describe('errors', () => {
  test('unknown relation 42P01 at its position; a sink is not subscribable; bad options', async () => {
    const fail = (text: string) => CopySubscriber.start(server, text).then(
      () => assert.fail(`${text} was accepted`), (e: SubscribeError) => e.fields);
    assert.deepEqual(pick(await fail('COPY (SUBSCRIBE TO nowhere) TO STDOUT')), { C: '42P01', P: '20' });
    assert.equal((await fail('COPY (SUBSCRIBE TO accounts WITH (snapshot = maybe)) TO STDOUT')).C, '22023');
    assert.equal((await fail('COPY (SUBSCRIBE TO accounts WITH (from_epoch = -1)) TO STDOUT')).C, '42601');
    assert.equal((await fail("COPY (SUBSCRIBE TO accounts WITH (from_epoch = 'x')) TO STDOUT")).C, '22023');
    assert.equal((await fail('COPY (SUBSCRIBE TO accounts WITH (colour = 1)) TO STDOUT')).C, '42601');
    assert.equal((await fail("COPY (SUBSCRIBE TO accounts) TO '/tmp/accounts.txt'")).C, '0A000');
    assert.equal((await fail('COPY (SUBSCRIBE TO accounts) TO STDOUT (HEADER)')).C, '0A000');
    await sql.query("CREATE SINK out FROM clicks WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:1', format = 'json')");
    assert.equal((await fail('COPY (SUBSCRIBE TO out) TO STDOUT')).C, '42809');
  });
});

describe('dropping the relation', () => {
  test('ends its subscriptions with 42P01', async () => {
    await sql.query('CREATE TABLE doomed (id INT PRIMARY KEY)');
    const s = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO doomed) TO STDOUT');
    try {
      await waitFor(async () => (await sql.query("SELECT subscriptions FROM sluice.changelogs WHERE name = 'doomed'")).rows[0]?.subscriptions === '1', 'the subscription');
      await sql.query('DROP TABLE doomed');
      await assert.rejects(s.line(), (e: SubscribeError) => e.code === '42P01' && /the relation was dropped/.test(e.message));
    } finally {
      s.close();
    }
  });
});

function pick(f: Record<string, string>): Record<string, string> {
  return { C: f.C, P: f.P };
}

// Cursors over SUBSCRIBE through the wire: DECLARE c CURSOR FOR SUBSCRIBE TO x, FETCH n (waits for n rows), FETCH
// ... WITH (timeout) (what arrived within it, possibly nothing), the options of SUBSCRIBE through a cursor, the
// subscription's lifetime (CLOSE, the block's end, WITH HOLD, the session's end free it), a CancelRequest during a
// waiting FETCH, the extended protocol and psycopg2's named cursors.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Client, DatabaseError, QueryConfig } from 'pg';
import { serialize } from 'pg-protocol';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';
import { DEBIAN_PYTHON, ensurePythonModule } from '../helpers/python';
import { waitFor, waitForValue } from '../helpers/wait';

let server: TestServer;
let pg: Client;
/** Another session, writing while `pg` fetches. */
let writer: Client;
before(async () => {
  server = await startServer();
  pg = await connectPg(server);
  writer = await connectPg(server);
  await pg.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT)');
  await pg.query("INSERT INTO accounts VALUES (1, 'ann'), (2, 'bo')");
  await pg.query('CREATE STREAM clicks (page TEXT)');
  await pg.query("CREATE CONTINUOUS QUERY per_page WITH (trigger_interval = '30ms') AS SELECT page, count(*) AS n FROM clicks GROUP BY page");
});
after(async () => {
  await writer.end();
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

async function liveSubscriptions(relation: string): Promise<number> {
  const r = await writer.query('SELECT count(*) AS n FROM sluice.subscriptions WHERE relation = $1', [relation]);
  return Number(r.rows[0].n);
}

/** FETCHes with `timeout` until `count` rows came, or fails after the deadline. */
async function fetchUntil(client: Client, cursor: string, count: number): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  await waitForValue(async () => {
    rows.push(...(await client.query(`FETCH ALL ${cursor} WITH (timeout = '50ms')`)).rows);
    return rows.length;
  }, (n) => n >= count, `${count} rows from cursor ${cursor}`);
  return rows;
}

describe('FETCH from a cursor over SUBSCRIBE', () => {
  test('the snapshot, then rows another session writes, with sluice_epoch and sluice_diff', async () => {
    await pg.query('BEGIN');
    assert.equal((await pg.query('DECLARE c CURSOR FOR SUBSCRIBE TO accounts')).command, 'DECLARE');
    const snapshot = await pg.query('FETCH 2 c');
    assert.deepEqual(snapshot.fields.map((f) => f.name), ['id', 'owner', 'sluice_epoch', 'sluice_diff']);
    const epoch = snapshot.rows[0].sluice_epoch as string;
    assert.deepEqual(snapshot.rows.sort((a, b) => a.id - b.id), [
      { id: 1, owner: 'ann', sluice_epoch: epoch, sluice_diff: 1 },
      { id: 2, owner: 'bo', sluice_epoch: epoch, sluice_diff: 1 },
    ]);
    const nothing = await pg.query("FETCH ALL c WITH (timeout = '50ms')");
    assert.equal(nothing.rowCount, 0, 'nothing was written: the timeout passes with no row');
    assert.deepEqual(nothing.fields.map((f) => f.name), ['id', 'owner', 'sluice_epoch', 'sluice_diff']);

    await writer.query("UPDATE accounts SET owner = 'anne' WHERE id = 1");
    const update = await fetchUntil(pg, 'c', 2);
    const next = String(Number(epoch) + 1);
    assert.deepEqual(update.sort((a, b) => (a.sluice_diff as number) - (b.sluice_diff as number)), [
      { id: 1, owner: 'ann', sluice_epoch: next, sluice_diff: -1 },
      { id: 1, owner: 'anne', sluice_epoch: next, sluice_diff: 1 },
    ]);
    await pg.query('COMMIT');
  });

  test('plain FETCH n waits until n rows have come', async () => {
    await pg.query('BEGIN');
    await pg.query('DECLARE c CURSOR FOR SUBSCRIBE TO clicks');
    const fetching = pg.query('FETCH 3 c');
    for (const page of ['/a', '/b', '/c']) await writer.query(`INSERT INTO clicks VALUES ('${page}')`);
    const fetched = await fetching;
    assert.equal(fetched.command, 'FETCH');
    assert.deepEqual(fetched.rows.map((r) => r.page), ['/a', '/b', '/c'], 'three INSERTs, three epochs, in order');
    const epochs = fetched.rows.map((r) => Number(r.sluice_epoch));
    assert.ok(epochs[0] < epochs[1] && epochs[1] < epochs[2], `epochs in order: ${epochs.join(', ')}`);
    // MOVE reads the same way: it waits for the row it skips.
    const moving = pg.query('MOVE 1 c');
    await writer.query("INSERT INTO clicks VALUES ('/skipped'), ('/kept')");
    assert.equal((await moving).rowCount, 1);
    assert.deepEqual((await pg.query('FETCH 1 c')).rows.map((r) => r.page), ['/kept'], 'the rest of an epoch stays for the next FETCH');
    await pg.query('COMMIT');
  });

  test('progress, snapshot = false and from_epoch through a cursor', async () => {
    await writer.query("INSERT INTO clicks VALUES ('/p')");
    await waitFor(async () => (await writer.query("SELECT n FROM per_page WHERE page = '/p'")).rowCount === 1, 'the query to count /p');
    await pg.query('BEGIN');
    await pg.query('DECLARE p CURSOR FOR SUBSCRIBE TO per_page WITH (snapshot = false, progress = true)');
    await writer.query("INSERT INTO clicks VALUES ('/p')");
    const rows = await fetchUntil(pg, 'p', 2);
    const changes = rows.filter((r) => r.sluice_progress === false && r.page === '/p');
    assert.deepEqual(changes.map((r) => [r.n, r.sluice_diff]).sort(), [['1', -1], ['2', 1]], 'only the change after DECLARE');
    const changed = changes[0].sluice_epoch as string;
    for (const r of rows.filter((row) => row.sluice_progress === true)) {
      assert.deepEqual({ ...r, sluice_epoch: 0 }, { page: null, n: null, sluice_epoch: 0, sluice_diff: null, sluice_progress: true });
    }
    await pg.query('COMMIT');

    // Resuming before that epoch replays exactly its change, from the log.
    await pg.query('BEGIN');
    await pg.query(`DECLARE r CURSOR FOR SUBSCRIBE TO per_page WITH (from_epoch = ${Number(changed) - 1})`);
    const replayed = await pg.query('FETCH 2 r');
    assert.deepEqual(replayed.rows.map((r) => [r.page, r.n, r.sluice_epoch, r.sluice_diff]).sort(),
      [['/p', '1', changed, -1], ['/p', '2', changed, 1]]);
    await pg.query('COMMIT');
  });

  test('errors: a relation that does not exist, 25P01 outside a block, options SUBSCRIBE refuses', async () => {
    await pg.query('BEGIN');
    await assert.rejects(pg.query('DECLARE c CURSOR FOR SUBSCRIBE TO nowhere'), (e: DatabaseError) => e.code === '42P01');
    await pg.query('ROLLBACK');
    await assert.rejects(pg.query('DECLARE c CURSOR FOR SUBSCRIBE TO accounts'), (e: DatabaseError) => e.code === '25P01');
    await pg.query('BEGIN');
    await assert.rejects(pg.query('DECLARE c CURSOR FOR SUBSCRIBE TO accounts WITH (from_epoch = 1, snapshot = true)'),
      (e: DatabaseError) => e.code === '22023');
    await pg.query('ROLLBACK');
  });
});

describe('the subscription lives as long as its cursor', () => {
  test('CLOSE, COMMIT and ROLLBACK free it; WITH HOLD goes on after COMMIT until CLOSE', async () => {
    assert.equal(await liveSubscriptions('accounts'), 0);
    await pg.query('BEGIN');
    await pg.query('DECLARE closed CURSOR FOR SUBSCRIBE TO accounts');
    await pg.query('DECLARE committed CURSOR FOR SUBSCRIBE TO accounts');
    await pg.query('DECLARE held CURSOR WITH HOLD FOR SUBSCRIBE TO accounts WITH (snapshot = false)');
    assert.equal(await liveSubscriptions('accounts'), 3, 'each DECLARE starts its subscription');
    await pg.query('CLOSE closed');
    assert.equal(await liveSubscriptions('accounts'), 2);
    await pg.query('COMMIT');
    assert.equal(await liveSubscriptions('accounts'), 1, 'the cursor without HOLD ended with its block');

    await writer.query("INSERT INTO accounts VALUES (3, 'cy')");
    assert.deepEqual((await pg.query('FETCH 1 held')).rows.map((r) => [r.id, r.owner]), [[3, 'cy']], 'fetched outside any block');
    await pg.query('CLOSE held');
    assert.equal(await liveSubscriptions('accounts'), 0);

    await pg.query('BEGIN');
    await pg.query('DECLARE rolled CURSOR WITH HOLD FOR SUBSCRIBE TO accounts');
    await pg.query('ROLLBACK');
    assert.equal(await liveSubscriptions('accounts'), 0, 'a ROLLBACK ends even a WITH HOLD cursor it declared');
  });

  test('the session\'s end frees it', async () => {
    const other = await connectPg(server);
    await other.query('DECLARE held CURSOR WITH HOLD FOR SUBSCRIBE TO clicks');
    assert.equal(await liveSubscriptions('clicks'), 1);
    await other.end();
    await waitFor(async () => (await liveSubscriptions('clicks')) === 0, 'the ended session\'s subscription to be freed');
  });

  test('a CancelRequest ends a waiting FETCH with 57014 and fails the block; ROLLBACK frees the subscription', async () => {
    const { client, startup } = await RawClient.session(server);
    const key = startup.find((m) => m.type === 'K')!;
    const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');
    client.send(serialize.query('BEGIN; DECLARE c CURSOR FOR SUBSCRIBE TO clicks'));
    assert.equal(types(await client.readUntil('Z')), 'CCZ');
    await client.startStatement(serialize.query('FETCH 1 c'));
    const cancel = await RawClient.connect(server);
    cancel.send(serialize.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
    const canceled = await client.readUntil('Z', 5000);
    assert.equal(types(canceled), 'EZ');
    assert.equal(errorFields(canceled[0]).C, '57014');
    assert.equal(canceled[1].body.toString(), 'E', 'the block has failed');
    client.send(serialize.query('FETCH 1 c'));
    assert.equal(errorFields((await client.readUntil('Z'))[0]).C, '25P02');
    assert.equal(await liveSubscriptions('clicks'), 1, 'the failed block still holds its cursor');
    client.send(serialize.query('ROLLBACK'));
    await client.readUntil('Z');
    assert.equal(await liveSubscriptions('clicks'), 0);
    client.close();
    cancel.close();
  });

  test('a canceled FETCH loses no row: what it had gathered comes with the next FETCH', async () => {
    const { client, startup } = await RawClient.session(server);
    const key = startup.find((m) => m.type === 'K')!;
    client.send(serialize.query('DECLARE h CURSOR WITH HOLD FOR SUBSCRIBE TO clicks WITH (snapshot = false)'));
    await client.readUntil('Z');
    await client.startStatement(serialize.query('FETCH 2 h'));
    await writer.query("INSERT INTO clicks VALUES ('/gathered')");
    const written = (await writer.query("SELECT newest_epoch FROM sluice.changelogs WHERE name = 'clicks'")).rows[0].newest_epoch;
    // The subscription moves past that epoch once the FETCH has taken its row and waits for the second.
    await waitFor(async () => (await writer.query("SELECT epoch FROM sluice.subscriptions WHERE relation = 'clicks'")).rows[0]?.epoch === written,
      'the FETCH to take the row');
    const cancel = await RawClient.connect(server);
    cancel.send(serialize.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
    const canceled = await client.readUntil('Z', 5000);
    assert.equal(errorFields(canceled[0]).C, '57014');
    // The group the canceled FETCH had asked for arrives after it, behind the row it gives back.
    await writer.query("INSERT INTO clicks VALUES ('/after')");
    client.send(serialize.query('FETCH 2 h'));
    const again = await client.readUntil('Z');
    assert.deepEqual(again.filter((m) => m.type === 'D').map((m) => m.body.toString('utf8', 6, 6 + m.body.readInt32BE(2))), ['/gathered', '/after']);
    client.close();
    cancel.close();
    await waitFor(async () => (await liveSubscriptions('clicks')) === 0, 'the session\'s end to free the subscription');
  });
});

describe('the extended protocol', () => {
  test('DECLARE and FETCH through Parse / Bind / Execute, FETCH described with the subscription\'s columns', async () => {
    await pg.query('BEGIN');
    await pg.query(extended('DECLARE x CURSOR FOR SUBSCRIBE TO accounts WITH (snapshot = false)'));
    await writer.query("INSERT INTO accounts VALUES (4, 'di'), (5, 'ed')");
    const fetch = { name: 'fetch_x', text: 'FETCH 1 FROM x', rowMode: 'array' as const };
    const first = await pg.query(fetch);
    assert.deepEqual(first.fields.map((f) => [f.name, f.dataTypeID]), [['id', 23], ['owner', 25], ['sluice_epoch', 20], ['sluice_diff', 23]]);
    const second = await pg.query(fetch);
    assert.deepEqual([first.rows[0].slice(0, 2), second.rows[0].slice(0, 2)].sort(), [[4, 'di'], [5, 'ed']]);
    assert.equal(first.rows[0][2], second.rows[0][2], 'one INSERT, one epoch');
    const timedOut = await pg.query(extended("FETCH ALL FROM x WITH (timeout = '10ms')"));
    assert.equal(timedOut.rowCount, 0);
    await pg.query('COMMIT');
  });

  test('a FETCH portal executed with a row limit', async () => {
    const { client } = await RawClient.session(server);
    const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');
    client.send(serialize.query('BEGIN; DECLARE c CURSOR FOR SUBSCRIBE TO accounts'));
    assert.equal(types(await client.readUntil('Z')), 'CCZ');
    const count = Number((await writer.query('SELECT count(*) AS n FROM accounts')).rows[0].n);
    client.send(
      serialize.parse({ name: 'f', text: `FETCH ${count} c` }), serialize.bind({ statement: 'f', portal: 'p' }),
      serialize.execute({ portal: 'p', rows: 2 }), serialize.execute({ portal: 'p' }), serialize.sync(),
    );
    const parts = await client.readUntil('Z', 5000);
    assert.equal(types(parts), `12DDs${'D'.repeat(count - 2)}CZ`);
    client.send(serialize.query('COMMIT'));
    await client.readUntil('Z');
    client.close();
  });
});

describe('psycopg2', () => {
  test('a named cursor over SUBSCRIBE: fetchmany waits for rows written meanwhile', async () => {
    ensurePythonModule('psycopg2', 'python3-psycopg2');
    const script = `
import json, sys, psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user='test', dbname='sluice')
writer = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user='test', dbname='sluice')
writer.autocommit = True
cur = conn.cursor(name='live')
cur.execute('SUBSCRIBE TO clicks')
writer.cursor().execute("INSERT INTO clicks VALUES ('/py1'), ('/py2')")
rows = cur.fetchmany(2)
out = {'columns': [d[0] for d in cur.description], 'pages': [r[0] for r in rows], 'diffs': [r[2] for r in rows]}
cur.close()
conn.commit()
conn.close()
writer.close()
print(json.dumps(out))
`;
    const r = spawnSync(DEBIAN_PYTHON, ['-c', script, server.host, String(server.port)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `python failed: ${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
    assert.deepEqual(JSON.parse(r.stdout), { columns: ['page', 'sluice_epoch', 'sluice_diff'], pages: ['/py1', '/py2'], diffs: [1, 1] });
  });
});

/** A statement node-postgres sends with Parse / Bind / Execute though it has no parameters (queryMode is untyped). */
function extended(text: string): QueryConfig {
  const config = { text, queryMode: 'extended' };
  return config;
}

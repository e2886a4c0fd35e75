// What cursors hold, and for how long: the rows of all cursors together stay under --max-cursor-memory (past it a
// DECLARE fails with 53200 and the server goes on), CLOSE and a session's end give the memory back, and a
// CancelRequest stops a DECLARE whose query is still running with 57014, failing the transaction block as PostgreSQL does.
// A cursor over SUBSCRIBE holds one epoch's rows at a time, under the same limit, and one nobody fetches from ends
// with 53200 once it is more than --max-subscription-lag epochs behind.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import type { Client, DatabaseError } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';
import { waitFor, waitForValue } from '../helpers/wait';

const MAX_LAG = 3;
let server: TestServer;
before(async () => {
  server = await startServer({ args: ['--max-cursor-memory', '1', '--max-subscription-lag', String(MAX_LAG)] });
  const pg = await connectPg(server);
  await pg.query('CREATE TABLE big (id INT PRIMARY KEY, payload TEXT)');
  // About 0.65 MB of rows as cursors account them: one such cursor fits in 1 MB, two do not.
  const rows = Array.from({ length: 1000 }, (_, i) => `(${i}, '${'x'.repeat(300)}')`);
  await pg.query(`INSERT INTO big VALUES ${rows.join(', ')}`);
  await pg.query('CREATE STREAM blobs (payload TEXT)');
  await pg.end();
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

const DECLARE_BIG = (name: string): string => `DECLARE ${name} CURSOR WITH HOLD FOR SELECT * FROM big`;

async function outcome(client: Client, sql: string): Promise<string> {
  return client.query(sql).then(() => 'ok', (e: DatabaseError) => e.code ?? e.message);
}

describe('cursor memory', () => {
  test('past the limit DECLARE fails with 53200; CLOSE and a session end give the memory back', async () => {
    const a = await connectPg(server);
    const b = await connectPg(server);
    await a.query(DECLARE_BIG('first'));
    const refused = await a.query(DECLARE_BIG('second')).then(() => null, (e: DatabaseError) => e);
    assert.equal(refused?.code, '53200');
    assert.match(refused!.message, /out of memory for cursors/);
    assert.equal(await outcome(b, DECLARE_BIG('other')), '53200', 'the limit is the server\'s, over all sessions');
    assert.equal((await a.query('FETCH 2 first')).rowCount, 2, 'the first cursor is intact');

    await a.query('CLOSE first');
    await b.query(DECLARE_BIG('other'));
    await b.end(); // the session's end closes its cursors
    await waitForValue(() => outcome(a, DECLARE_BIG('again')), (o) => o === 'ok', 'the memory of the ended session\'s cursor to be free');
    assert.equal((await a.query('FETCH ALL again')).rowCount, 1000);
    await a.end();
  });
});

describe('cursors over SUBSCRIBE', () => {
  const live = async (client: Client): Promise<number> =>
    Number((await client.query("SELECT count(*) AS n FROM sluice.subscriptions WHERE relation = 'blobs'")).rows[0].n);

  test('an epoch whose rows do not fit in the cursor memory fails the FETCH with 53200 and ends the subscription', async () => {
    const a = await connectPg(server);
    await a.query('DECLARE s CURSOR WITH HOLD FOR SUBSCRIBE TO blobs');
    // About 1.3 MB as cursors account rows, in one INSERT: one epoch.
    await a.query(`INSERT INTO blobs VALUES ${Array.from({ length: 2000 }, () => `('${'y'.repeat(300)}')`).join(', ')}`);
    const refused = await a.query('FETCH 1 s').then(() => null, (e: DatabaseError) => e);
    assert.equal(refused?.code, '53200');
    assert.match(refused!.message, /out of memory for cursors/);
    assert.equal(await live(a), 0, 'the subscription ended');
    assert.equal(await outcome(a, 'FETCH 1 s'), '53200', 'and stays ended');
    await a.query('CLOSE s');
    assert.equal(await outcome(a, DECLARE_BIG('fits')), 'ok', 'the refused epoch holds no memory');
    await a.query('CLOSE fits');
    await a.end();
  });

  test(`a cursor more than ${MAX_LAG} epochs behind ends with 53200; the rows it held still come first`, async () => {
    const a = await connectPg(server);
    await a.query('DECLARE lagging CURSOR WITH HOLD FOR SUBSCRIBE TO blobs WITH (snapshot = false)');
    for (let i = 0; i < MAX_LAG + 2; i++) await a.query(`INSERT INTO blobs VALUES ('${i}')`);
    await waitFor(async () => (await live(a)) === 0, 'the lagging subscription to end by itself');
    const held = await a.query('FETCH ALL lagging');
    assert.deepEqual(held.rows.map((r) => [r.payload, r.sluice_diff]), [['0', 1]], 'the first epoch, asked for at DECLARE');
    const ended = await a.query('FETCH 1 lagging').then(() => null, (e: DatabaseError) => e);
    assert.equal(ended?.code, '53200');
    assert.match(ended!.message, /subscription to "blobs" ended: the client fell \d+ epochs behind/);
    await a.end();
  });
});

describe('cancel', () => {
  test('a CancelRequest stops a running DECLARE with 57014 and fails the block', async () => {
    const { client, startup } = await RawClient.session(server);
    const key = startup.find((m) => m.type === 'K')!;
    const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');
    client.send(serialize.query('BEGIN'));
    await client.readUntil('Z');
    await client.startStatement(serialize.query('DECLARE slow CURSOR FOR SELECT pg_sleep(30)'));
    const cancel = await RawClient.connect(server);
    cancel.send(serialize.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
    const canceled = await client.readUntil('Z', 5000);
    assert.equal(types(canceled), 'EZ');
    assert.equal(errorFields(canceled[0]).C, '57014');
    assert.equal(canceled[1].body.toString(), 'E', 'the block has failed');
    client.send(serialize.query('FETCH slow'));
    const refused = await client.readUntil('Z');
    assert.equal(errorFields(refused[0]).C, '25P02');
    client.send(serialize.query('ROLLBACK; BEGIN; FETCH slow'));
    const after = await client.readUntil('Z');
    assert.equal(types(after), 'CCEZ');
    assert.equal(errorFields(after[2]).C, '34000', 'the canceled DECLARE left no cursor');
    client.close();
    cancel.close();
  });
});

// What cursors hold, and for how long: the rows of all cursors together stay under --max-cursor-memory (past it a
// DECLARE fails with 53200 and the server goes on), CLOSE and a session's end give the memory back, and a
// CancelRequest stops a DECLARE whose query is still running with 57014, failing the transaction block as PostgreSQL does.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import type { Client, DatabaseError } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';
import { waitForValue } from '../helpers/wait';

let server: TestServer;
before(async () => {
  server = await startServer({ args: ['--max-cursor-memory', '1'] });
  const pg = await connectPg(server);
  await pg.query('CREATE TABLE big (id INT PRIMARY KEY, payload TEXT)');
  // About 0.65 MB of rows as cursors account them: one such cursor fits in 1 MB, two do not.
  const rows = Array.from({ length: 1000 }, (_, i) => `(${i}, '${'x'.repeat(300)}')`);
  await pg.query(`INSERT INTO big VALUES ${rows.join(', ')}`);
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

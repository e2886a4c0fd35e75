// CancelRequest: the right key cancels the running statement of that session with 57014 and nothing else; a wrong
// key cancels nothing; the cancel connection is closed without a reply.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import postgres from 'postgres';
import { startServer, type TestServer } from '../helpers/server';
import { admittedSession, errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

interface Session {
  client: RawClient;
  processId: number;
  secret: number;
}

async function session(): Promise<Session> {
  const { client, startup } = await RawClient.session(server);
  const key = startup.find((m) => m.type === 'K')!;
  return { client, processId: key.body.readInt32BE(0), secret: key.body.readInt32BE(4) };
}

async function sendCancel(processId: number, secret: number): Promise<void> {
  const c = await RawClient.connect(server);
  c.send(serialize.cancel(processId, secret));
  assert.ok(await c.waitClosed(), 'the cancel connection is closed');
  assert.equal(await c.quietFor(0), true, 'and gets no reply');
}

const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');

describe('cancel', () => {
  test('the right key cancels the running statement with 57014; the session goes on', async () => {
    const a = await session();
    const started = Date.now();
    await a.client.startStatement(serialize.query('SELECT pg_sleep(20)'));
    await sendCancel(a.processId, a.secret);
    const ms = await a.client.readUntil('Z', 5000);
    assert.ok(Date.now() - started < 5000);
    assert.equal(types(ms), 'EZ');
    assert.equal(errorFields(ms[0]).C, '57014');
    assert.equal(errorFields(ms[0]).M, 'canceling statement due to user request');
    a.client.send(serialize.query('SHOW TimeZone'));
    assert.equal(types(await a.client.readUntil('Z')), 'TDCZ');
    a.client.close();
  });

  test('a wrong key, or another session key, cancels nothing', async () => {
    const a = await session();
    const b = await session();
    await a.client.startStatement(serialize.query('SELECT pg_sleep(1)'));
    await sendCancel(a.processId, a.secret ^ 1);
    await sendCancel(a.processId + 1, a.secret);
    await sendCancel(b.processId, b.secret); // b is idle: nothing to cancel, and not a's statement
    assert.equal(await a.client.quietFor(0), true, 'the cancels reached the server while pg_sleep still ran');
    const ms = await a.client.readUntil('Z', 3000);
    assert.equal(types(ms), 'TDCZ', 'pg_sleep finished normally');
    b.client.send(serialize.query('SHOW TimeZone'));
    assert.equal(types(await b.client.readUntil('Z')), 'TDCZ');
    a.client.close();
    b.client.close();
  });

  test('a cancel inside a transaction block leaves it failed (E)', async () => {
    const a = await session();
    a.client.send(serialize.query('BEGIN'));
    await a.client.readUntil('Z');
    await a.client.startStatement(serialize.parse({ text: 'SELECT pg_sleep($1)' }), serialize.bind({ values: ['30'] }), serialize.execute({}), serialize.sync());
    await sendCancel(a.processId, a.secret);
    const ms = await a.client.readUntil('Z', 5000);
    assert.equal(types(ms), '12EZ');
    assert.equal(ms.at(-1)!.body.toString(), 'E');
    a.client.close();
  });

  test('postgres.js query.cancel() works end to end', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false, max: 1 });
    try {
      // Connected, and pg_sleep($1) prepared: postgres.js sends a statement with parameters it has not prepared in
      // two round trips (Describe, then Execute), so a cancel could land between them, where nothing runs.
      await sql`SELECT pg_sleep(${0})`;
      // The next two go out together, pipelined. As RawClient.startStatement does: once the statement ahead is
      // answered, the server is running pg_sleep. postgres.js fails a statement it has not sent yet at once, without
      // the server, with 57014 too: so the error must come from the server.
      const ahead = sql`SHOW TimeZone`.execute();
      const q = sql`SELECT pg_sleep(${20})`;
      const outcome = q.then(
        () => 'finished',
        (e: Error) => (e instanceof postgres.PostgresError ? e.code : `an error not from the server: ${e.message}`),
      );
      await ahead;
      q.cancel();
      assert.equal(await outcome, '57014');
      const r = await sql`SHOW TimeZone`;
      assert.equal(r[0].TimeZone, 'UTC');
    } finally {
      await sql.end();
    }
  });

  test('a client whose connection breaks mid-statement stops it (the server stays healthy)', async () => {
    // With one connection slot, which the broken session holds until its statement ends, a new session getting in
    // long before pg_sleep(30) would end shows the statement was stopped. (The connection is reset: after a plain
    // close, FIN rather than RST, the statement runs to its end today.)
    const oneSlot = await startServer({ args: ['--max-connections', '1'] });
    try {
      const { client } = await RawClient.session(oneSlot);
      await client.startStatement(serialize.query('SELECT pg_sleep(30)'));
      client.socket.resetAndDestroy();
      const b = await admittedSession(oneSlot, 5000);
      b.client.send(serialize.query('SHOW TimeZone'));
      assert.equal(types(await b.client.readUntil('Z')), 'TDCZ');
      b.client.close();
    } finally {
      assert.equal(await oneSlot.stop(), 0, oneSlot.stderr());
    }
  });
});

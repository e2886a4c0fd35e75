// idle_in_transaction_session_timeout as PostgreSQL enforces it: a session that waits for its next command inside a
// transaction block (failed or not) longer than that is ended with FATAL 25P03 "terminating connection due to
// idle-in-transaction timeout", and its transaction is rolled back. Time spent running a statement does not count,
// nor does idling outside a block. Set with SET or at startup; SHOW prints it as PostgreSQL does.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

let server: TestServer;
const clients: Client[] = [];

before(async () => {
  server = await startServer();
});

after(async () => {
  for (const c of clients) await c.end().catch(() => {});
  assert.equal(await server.stop(), 0, server.stderr());
});

async function connect(options?: string): Promise<Client> {
  const c = new Client({ host: server.host, port: server.port, user: 'test', database: 'sluice', options });
  await c.connect();
  clients.push(c);
  return c;
}

/**
 * What ends `c` on the server's side: the error it reports and its end, waited for with a deadline. Call it before
 * the end can come: node-postgres throws an error nobody listens for.
 */
function termination(c: Client, deadlineMs = 10_000): Promise<{ code: string; message: string }> {
  let error: { code: string; message: string } | null = null;
  let ended = false;
  c.on('error', (e: Error & { code?: string }) => (error ??= { code: e.code ?? '', message: e.message }));
  c.on('end', () => (ended = true));
  return waitFor(() => error !== null && ended, 'the server to end the idle session', deadlineMs).then(() => error!);
}

const TERMINATED = { code: '25P03', message: 'terminating connection due to idle-in-transaction timeout' };

test('a session idle in a transaction block past the timeout is ended with 25P03 and its writes roll back', async () => {
  const setup = await connect();
  await setup.query('CREATE TABLE idle_writes (id int PRIMARY KEY)');
  const c = await connect();
  await c.query("SET idle_in_transaction_session_timeout = '300ms'");
  await c.query('BEGIN');
  await c.query('INSERT INTO idle_writes VALUES (1)');
  const started = Date.now();
  assert.deepEqual(await termination(c), TERMINATED);
  assert.ok(Date.now() - started >= 250, `ended after ${Date.now() - started} ms`);
  assert.deepEqual((await setup.query('SELECT count(*)::int AS n FROM idle_writes')).rows, [{ n: 0 }]);
});

test('a failed transaction block times out too; idling outside a block and running a statement do not', async () => {
  const outside = await connect();
  await outside.query('SET idle_in_transaction_session_timeout = 200');
  const failed = await connect();
  await failed.query('SET idle_in_transaction_session_timeout = 200');
  await failed.query('BEGIN');
  await assert.rejects(failed.query('SELECT 1/0'), { code: '22012' });
  const failedEnd = termination(failed);
  const running = await connect();
  await running.query('SET idle_in_transaction_session_timeout = 400');
  await running.query('BEGIN');
  // Longer than the timeout, but running: the session is not idle.
  await running.query('SELECT pg_sleep(0.6)');
  assert.deepEqual(await failedEnd, TERMINATED);
  // Idle outside a block for longer than `failed` was: still here.
  assert.deepEqual((await outside.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  await running.query('COMMIT');
  assert.deepEqual((await running.query('SELECT 2 AS two')).rows, [{ two: 2 }]);
});

test('idle_in_transaction_session_timeout from the startup options, and SHOW prints it as PostgreSQL does', async () => {
  const c = await connect('-c idle_in_transaction_session_timeout=250');
  assert.deepEqual((await c.query('SHOW idle_in_transaction_session_timeout')).rows,
    [{ idle_in_transaction_session_timeout: '250ms' }]);
  for (const [value, expected] of [['0', '0'], ["'1s'", '1s'], ['1500', '1500ms'], ["'2min'", '2min']]) {
    await c.query(`SET idle_in_transaction_session_timeout = ${value}`);
    assert.deepEqual((await c.query('SHOW idle_in_transaction_session_timeout')).rows,
      [{ idle_in_transaction_session_timeout: expected }], value);
  }
  await c.query('RESET idle_in_transaction_session_timeout');
  await c.query('BEGIN');
  assert.deepEqual(await termination(c), TERMINATED);
});

// statement_timeout as PostgreSQL enforces it: a statement that runs longer fails with 57014 "canceling statement
// due to statement timeout", the session goes on, and nothing of the statement stays applied. Set with SET (in
// milliseconds or with a unit; 0 is off), or at startup (libpq's PGOPTIONS / the options startup parameter); SHOW
// prints it as PostgreSQL does.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { psql } from '../helpers/psql';
import { startServer, type TestServer } from '../helpers/server';

let server: TestServer;
const clients: Client[] = [];

before(async () => {
  server = await startServer();
});

after(async () => {
  for (const c of clients) await c.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

async function connect(options?: string): Promise<Client> {
  const c = new Client({ host: server.host, port: server.port, user: 'test', database: 'sluice', options });
  await c.connect();
  clients.push(c);
  return c;
}

/** The SQLSTATE and message `sql` fails with, and how long it took to fail. */
async function failure(c: Client, sql: string): Promise<{ code: string; message: string; ms: number }> {
  const started = Date.now();
  try {
    await c.query(sql);
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message, ms: Date.now() - started };
  }
  assert.fail(`${sql} succeeded; it should have timed out`);
}

const TIMED_OUT = { code: '57014', message: 'canceling statement due to statement timeout' };

test('a statement running past statement_timeout fails 57014 and the session goes on; 0 turns it off', async () => {
  const c = await connect();
  await c.query("SET statement_timeout = '200ms'");
  const { ms, ...error } = await failure(c, 'SELECT pg_sleep(20)');
  assert.deepEqual(error, TIMED_OUT);
  assert.ok(ms >= 150 && ms < 5000, `timed out after ${ms} ms`);
  assert.deepEqual((await c.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  // A statement shorter than the timeout runs to its end; the timer of one statement does not reach the next.
  await c.query('SET statement_timeout = 400');
  await c.query('SELECT pg_sleep(0.25)');
  await c.query('SELECT pg_sleep(0.25)');
  await c.query('SET statement_timeout = 0');
  await c.query('SELECT pg_sleep(0.5)');
});

test('an idle FETCH from a SUBSCRIBE cursor times out; the transaction fails and rolls back as in PostgreSQL', async () => {
  const c = await connect();
  await c.query('CREATE TABLE quiet (id int PRIMARY KEY, v text)');
  await c.query('CREATE TABLE written (id int PRIMARY KEY)');
  await c.query('BEGIN');
  await c.query('INSERT INTO written VALUES (1)');
  await c.query('DECLARE sub CURSOR FOR SUBSCRIBE TO quiet WITH (snapshot = false)');
  await c.query('SET statement_timeout = 300');
  const { ms, ...error } = await failure(c, 'FETCH 1 FROM sub');
  assert.deepEqual(error, TIMED_OUT);
  assert.ok(ms >= 250 && ms < 5000, `timed out after ${ms} ms`);
  assert.deepEqual(await failure(c, 'SELECT 1').then(({ code }) => code), '25P02');
  await c.query('ROLLBACK');
  assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM written')).rows, [{ n: 0 }]);
});

test('statement_timeout from the startup options, and SHOW prints it as PostgreSQL does', async () => {
  const c = await connect('-c statement_timeout=150');
  assert.deepEqual((await c.query('SHOW statement_timeout')).rows, [{ statement_timeout: '150ms' }]);
  assert.deepEqual(await failure(c, 'SELECT pg_sleep(20)').then(({ ms: _ms, ...e }) => e), TIMED_OUT);
  const shown: Record<string, string> = {
    '0': '0', '100': '100ms', '1000': '1s', "'1s'": '1s', "'1500us'": '2ms', "'2500us'": '2ms', "'60000'": '1min',
    "'86400s'": '1d', "'0.5s'": '500ms', "'1.5s'": '1500ms',
  };
  for (const [value, expected] of Object.entries(shown)) {
    await c.query(`SET statement_timeout = ${value}`);
    assert.deepEqual((await c.query('SHOW statement_timeout')).rows, [{ statement_timeout: expected }], value);
  }
});

test('psql: SET statement_timeout, then a long statement fails 57014', async () => {
  const r = await psql(server, ['SET statement_timeout = 100', 'SELECT pg_sleep(20)'], '', { verbose: true });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ERROR: {2}57014: canceling statement due to statement timeout/);
});

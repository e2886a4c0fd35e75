// Privileges through the wire (pg, psql) and the HTTP API: a role reads, writes and creates only what it was
// granted, a REVOKE takes effect at the next statement of a session already connected, a non-owner cannot DROP,
// \dp shows the grants as aclitems, and they survive a restart. The messages are PostgreSQL 15's
// (grants-vs-postgres.test.ts compares them with it).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Client, DatabaseError } from 'pg';
import { apiBase, call } from '../http/client';
import { connectPg, startServer, type TestServer } from '../helpers/server';

const ROOT = { user: 'root', password: 'root pw' };
const ANA = { user: 'ana', password: 'ana pw' };
const BOB = { user: 'bob', password: 'bob pw' };

function psqlAs(server: TestServer, who: { user: string; password: string }, command: string, input = '') {
  const r = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-X', '-w', '-v', 'ON_ERROR_STOP=1',
    '-U', who.user, '-c', command, 'sluice'], {
    input, encoding: 'utf8', env: { ...process.env, PGPASSWORD: who.password, PGCONNECT_TIMEOUT: '10' }, timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const denied = (message: string) => (e: DatabaseError) => {
  assert.equal(e.code, '42501', e.message);
  assert.equal(e.message, message);
  return true;
};

async function rows(pg: Client, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return (await pg.query({ text: sql, values: params, rowMode: 'array' })).rows;
}

/** An HTTP request with a role's Basic credentials; its status and JSON body. */
async function http(server: TestServer, who: { user: string; password: string }, method: string, path: string,
  body?: string, contentType?: string): Promise<{ status: number; body: { error?: { sqlstate: string; message: string } } }> {
  const controller = new AbortController();
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`,
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
  };
  const response = await fetch(`${apiBase(server)}${path}`, { method, headers, body, signal: controller.signal });
  // A stream of changes that was allowed never ends by itself: its status is all this needs.
  if (response.headers.get('content-type')?.startsWith('text/event-stream') === true) {
    controller.abort();
    return { status: response.status, body: {} };
  }
  return { status: response.status, body: await response.json() as { error?: { sqlstate: string; message: string } } };
}

describe('privileges', () => {
  let server: TestServer;
  let root: Client;
  let ana: Client;
  let bob: Client;
  before(async () => {
    server = await startServer();
    const trusted = await connectPg(server, { user: 'first' });
    await trusted.query(`CREATE ROLE root SUPERUSER LOGIN PASSWORD '${ROOT.password}'`);
    await trusted.end();
    root = await connectPg(server, ROOT);
    await root.query("CREATE STREAM clicks (user_id int, n int) WITH (retention = '1 hour')");
    await root.query('CREATE TABLE prices (item text PRIMARY KEY, price int)');
    await root.query("CREATE STREAM hits (path text) WITH (retention = '1 hour', connector = 'http')");
    await root.query('CREATE CONTINUOUS QUERY per_user AS SELECT user_id, count(*) AS c FROM clicks GROUP BY user_id');
    await root.query(`CREATE USER ana PASSWORD '${ANA.password}'`);
    await root.query(`CREATE USER bob PASSWORD '${BOB.password}'`);
    ana = await connectPg(server, ANA);
    bob = await connectPg(server, BOB);
  });
  after(async () => {
    await Promise.all([root, ana, bob].map((c) => c?.end()));
    assert.equal(await server.stop(), 0, server.stderr());
  });

  test('without SELECT: 42501 on SELECT, SUBSCRIBE and COPY TO; GRANT gives it, REVOKE takes it back mid-session', async () => {
    const lookup = 'SELECT n FROM clicks WHERE user_id = $1';
    await assert.rejects(ana.query('SELECT * FROM clicks'), denied('permission denied for stream clicks'));
    await assert.rejects(ana.query('SUBSCRIBE TO clicks'), denied('permission denied for stream clicks'));
    await assert.rejects(ana.query('SELECT * FROM per_user'), denied('permission denied for continuous query per_user'));
    await assert.rejects(ana.query(lookup, [1]), denied('permission denied for stream clicks'));
    await assert.rejects(ana.query('EXPLAIN SELECT * FROM clicks'), denied('permission denied for stream clicks'));
    await assert.rejects(ana.query('EXPLAIN CONTINUOUS QUERY per_user'), denied('permission denied for continuous query per_user'));
    await ana.query('BEGIN');
    await assert.rejects(ana.query('DECLARE c CURSOR FOR SELECT * FROM clicks'), denied('permission denied for stream clicks'));
    await ana.query('ROLLBACK');
    const copyOut = psqlAs(server, ANA, 'COPY clicks TO STDOUT');
    assert.notEqual(copyOut.status, 0);
    assert.match(copyOut.stderr, /permission denied for stream clicks/);

    await root.query('GRANT SELECT ON STREAM clicks TO ana');
    await root.query(`INSERT INTO clicks VALUES (1, 10)`);
    assert.deepEqual(await rows(ana, lookup, [1]), [[10]]);
    assert.deepEqual(psqlAs(server, ANA, 'COPY clicks (user_id, n) TO STDOUT').stdout, '1\t10\n');
    // A continuous query's result is its own relation, like a view: SELECT on what it reads is not SELECT on it.
    await assert.rejects(ana.query('SELECT * FROM per_user'), denied('permission denied for continuous query per_user'));

    await root.query('BEGIN');
    await assert.rejects(root.query('REVOKE SELECT ON clicks FROM ana'), (e: DatabaseError) => e.code === '25001');
    await root.query('ROLLBACK');
    await root.query('REVOKE SELECT ON clicks FROM ana');
    // The same session, the same (prepared, cached) statement: checked again.
    await assert.rejects(ana.query(lookup, [1]), denied('permission denied for stream clicks'));
  });

  test('INSERT and COPY FROM into a stream need INSERT', async () => {
    await assert.rejects(ana.query('INSERT INTO clicks VALUES (2, 20)'), denied('permission denied for stream clicks'));
    const refused = psqlAs(server, ANA, 'COPY clicks FROM STDIN', '2\t20\n');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /permission denied for stream clicks/);
    await root.query('GRANT INSERT ON clicks TO ana');
    await ana.query('INSERT INTO clicks VALUES (2, 20)');
    const copied = psqlAs(server, ANA, 'COPY clicks FROM STDIN', '3\t30\n');
    assert.equal(copied.status, 0, copied.stderr);
    assert.deepEqual(await rows(root, 'SELECT user_id, n FROM clicks ORDER BY user_id'), [[1, 10], [2, 20], [3, 30]]);
    // INSERT without SELECT: writing is not reading.
    await assert.rejects(ana.query('SELECT * FROM clicks'), denied('permission denied for stream clicks'));
  });

  test('CREATE needs CREATE on schema public, and a continuous query SELECT on what it reads; the creator owns it', async () => {
    await assert.rejects(ana.query('CREATE STREAM mine (x int)'), denied('permission denied for schema public'));
    await root.query('GRANT CREATE ON SCHEMA public TO ana');
    await ana.query('CREATE STREAM mine (x int)');
    await assert.rejects(ana.query('CREATE CONTINUOUS QUERY costly AS SELECT item, price FROM prices'),
      denied('permission denied for table prices'));
    await root.query('GRANT SELECT ON clicks TO ana');
    await ana.query('CREATE CONTINUOUS QUERY ana_counts AS SELECT user_id, count(*) AS c FROM clicks GROUP BY user_id');
    await root.query('REVOKE SELECT ON clicks FROM ana');
    // Her own query's result she may read, though no longer what it reads.
    await ana.query('SELECT * FROM ana_counts');
    await assert.rejects(bob.query('SELECT * FROM ana_counts'), denied('permission denied for continuous query ana_counts'));
    await ana.query('GRANT SELECT ON CONTINUOUS QUERY ana_counts TO bob');
    await bob.query('SELECT * FROM ana_counts');
    await assert.rejects(bob.query('GRANT SELECT ON ana_counts TO bob'), denied('permission denied for continuous query ana_counts'));
  });

  test('DROP needs ownership', async () => {
    await assert.rejects(ana.query('DROP TABLE prices'), denied('must be owner of table prices'));
    await assert.rejects(bob.query('DROP STREAM mine'), denied('must be owner of stream mine'));
    await assert.rejects(bob.query('ALTER CONTINUOUS QUERY ana_counts PAUSE'), denied('must be owner of continuous query ana_counts'));
    await ana.query('DROP STREAM mine');
  });

  test('the HTTP API checks the same privileges: 403 with the 42501 body', async () => {
    const select = JSON.stringify({ sql: 'SELECT * FROM hits' });
    let answer = await http(server, ANA, 'POST', '/api/v1/sql', select, 'application/json');
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.deepEqual([answer.body.error?.sqlstate, answer.body.error?.message], ['42501', 'permission denied for stream hits']);
    answer = await http(server, ANA, 'POST', '/api/v1/streams/hits/rows', '{"path": "/a"}\n', 'application/x-ndjson');
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.equal(answer.body.error?.sqlstate, '42501');
    answer = await http(server, ANA, 'GET', '/api/v1/streams/hits/changes');
    assert.equal(answer.status, 403, JSON.stringify(answer.body));

    await root.query('GRANT SELECT, INSERT ON hits TO ana');
    answer = await http(server, ANA, 'POST', '/api/v1/streams/hits/rows', '{"path": "/a"}\n', 'application/x-ndjson');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    answer = await http(server, ANA, 'POST', '/api/v1/sql', select, 'application/json');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((await http(server, ANA, 'GET', '/api/v1/streams/hits/changes')).status, 200);
    // A role that logs in over HTTP has no superuser's trust: bob still may not.
    const bobs = await call(server, 'POST', '/api/v1/sql', { ...BOB, body: { sql: 'SELECT * FROM hits' } });
    assert.equal(bobs.status, 403);
    const pause = await call(server, 'POST', '/api/v1/queries/ana_counts/pause', BOB);
    assert.equal(pause.status, 403, JSON.stringify(pause.body));
    assert.equal(pause.body.error.message, 'must be owner of continuous query ana_counts');
  });

  test('\\dp and information_schema.table_privileges show the grants as PostgreSQL does', async () => {
    const dp = psqlAs(server, ROOT, '\\dp hits');
    assert.equal(dp.status, 0, dp.stderr);
    assert.match(dp.stdout, /root=arwd\/root/);
    assert.match(dp.stdout, /ana=ar\/root/);
    assert.deepEqual(await rows(root, `SELECT grantee, privilege_type FROM information_schema.table_privileges
      WHERE table_name = 'hits' AND grantee = 'ana' ORDER BY privilege_type`), [['ana', 'INSERT'], ['ana', 'SELECT']]);
    assert.deepEqual(await rows(ana, `SELECT grantor, privilege_type FROM information_schema.role_table_grants
      WHERE table_name = 'hits' AND grantee = 'ana' ORDER BY privilege_type`), [['root', 'INSERT'], ['root', 'SELECT']]);
    const owners = await rows(root, `SELECT tableowner FROM pg_catalog.pg_tables WHERE tablename = 'hits'`);
    assert.deepEqual(owners, [['root']]);
  });

  test('PUBLIC stands for every role; what Sluice does not take is refused with its SQLSTATE', async () => {
    await assert.rejects(bob.query('SELECT * FROM prices'), denied('permission denied for table prices'));
    await root.query('GRANT SELECT ON TABLE prices TO PUBLIC');
    await bob.query('SELECT * FROM prices');
    assert.match(psqlAs(server, ROOT, '\\z prices').stdout, /=r\/root/);
    await root.query('REVOKE ALL PRIVILEGES ON prices FROM PUBLIC');
    await assert.rejects(bob.query('SELECT * FROM prices'), denied('permission denied for table prices'));
    const refused = async (sql: string, code: string) =>
      assert.rejects(root.query(sql), (e: DatabaseError) => { assert.equal(e.code, code, e.message); return true; });
    await refused('GRANT TRUNCATE ON prices TO bob', '0A000');
    await refused('GRANT SELECT (item) ON prices TO bob', '0A000');
    await refused('GRANT SELECT ON prices TO bob WITH GRANT OPTION', '0A000');
    await refused('GRANT SELECT ON STREAM prices TO bob', '42809');
    await refused('GRANT SELECT ON nothing TO bob', '42P01');
    await refused('GRANT SELECT ON prices TO nobody', '42704');
    await refused('GRANT CREATE ON SCHEMA elsewhere TO bob', '3F000');
    await refused('GRANT CREATE ON SCHEMA public TO PUBLIC', '0A000');
    await assert.rejects(ana.query('GRANT CREATE ON SCHEMA public TO bob'), denied('permission denied for schema public'));
  });

  test('a role that owns objects or holds privileges cannot be dropped (2BP01)', async () => {
    await assert.rejects(root.query('DROP ROLE ana'), (e: DatabaseError) => {
      assert.equal(e.code, '2BP01');
      assert.equal(e.message, 'role "ana" cannot be dropped because some objects depend on it');
      assert.match(String(e.detail), /owner of continuous query ana_counts/);
      return true;
    });
  });

  test('a renamed role keeps what it owns and was granted', async () => {
    await root.query(`CREATE USER carl PASSWORD 'carl pw'`);
    await root.query('GRANT CREATE ON SCHEMA public TO carl');
    await root.query('GRANT SELECT ON hits TO carl');
    const carl = await connectPg(server, { user: 'carl', password: 'carl pw' });
    await carl.query('CREATE TABLE carls (k int PRIMARY KEY)');
    await carl.end();
    await root.query('ALTER ROLE carl RENAME TO karl');
    // PostgreSQL clears an MD5 password on rename; a SCRAM verifier keeps working.
    const karl = await connectPg(server, { user: 'karl', password: 'carl pw' });
    try {
      await karl.query('SELECT * FROM hits');
      await karl.query('DROP TABLE carls');
    } finally {
      await karl.end();
    }
    // A new role under the old name inherits nothing.
    await root.query(`CREATE USER carl PASSWORD 'new pw'`);
    const impostor = await connectPg(server, { user: 'carl', password: 'new pw' });
    try {
      await assert.rejects(impostor.query('SELECT * FROM hits'), denied('permission denied for stream hits'));
    } finally {
      await impostor.end();
    }
  });

  test('grants and owners survive a restart', async () => {
    await Promise.all([root, ana, bob].map((c) => c.end()));
    assert.equal(await server.stop(), 0, server.stderr());
    server = await startServer({ dataDir: server.dataDir });
    root = await connectPg(server, ROOT);
    ana = await connectPg(server, ANA);
    bob = await connectPg(server, BOB);
    assert.deepEqual(await rows(ana, 'SELECT path FROM hits'), [['/a']]);
    await assert.rejects(ana.query('SELECT * FROM clicks'), denied('permission denied for stream clicks'));
    await bob.query('SELECT * FROM ana_counts');
    await assert.rejects(bob.query('DROP CONTINUOUS QUERY ana_counts'), denied('must be owner of continuous query ana_counts'));
    await ana.query('CREATE STREAM again (x int)');
    assert.match(psqlAs(server, ROOT, '\\dp hits').stdout, /ana=ar\/root/);
  });
});

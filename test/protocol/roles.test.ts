// Roles through the wire, as PostgreSQL 15 answers (each message and SQLSTATE checked against it): CREATE / ALTER /
// DROP ROLE by a superuser, SCRAM logins with the passwords they set, NOLOGIN and wrong passwords refused, 42501 for
// a role without CREATEROLE, per-role settings at login over the server's defaults, psql's \du, and roles that
// survive a restart with only a SCRAM verifier on disk.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Client, DatabaseError } from 'pg';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../storage';
import { call } from '../http/client';
import { connectPg, freshDataDir, startServer, type TestServer } from '../helpers/server';

const ROOT = { user: 'root', password: 'root pw' };

function psqlAs(server: TestServer, user: string, password: string, command: string) {
  const r = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-X', '-w', '-U', user, '-c', command, 'sluice'], {
    encoding: 'utf8', env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' }, timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sqlError = (code: string, message: string) => (e: DatabaseError) => {
  assert.equal(e.code, code, e.message);
  assert.equal(e.message, message);
  return true;
};

async function show(pg: Client, setting: string): Promise<string> {
  return (await pg.query(`SHOW ${setting}`)).rows[0][setting];
}

describe('roles', () => {
  let server: TestServer;
  let root: Client;
  before(async () => {
    server = await startServer({ args: ['--statement-timeout', '5000'] });
    // Trust: no role has a password yet, so this session's user (no role) acts as a superuser.
    const trusted = await connectPg(server, { user: 'first' });
    await trusted.query(`CREATE ROLE root WITH SUPERUSER LOGIN PASSWORD '${ROOT.password}'`);
    await trusted.end();
    root = await connectPg(server, ROOT);
  });
  after(async () => {
    await root.end();
    assert.equal(await server.stop(), 0, server.stderr());
  });

  test('once a role has a password, every login needs one: trust is over', async () => {
    await assert.rejects(connectPg(server, { user: 'first', password: 'anything' }), sqlError('28P01', 'password authentication failed for user "first"'));
    await assert.rejects(connectPg(server, { user: 'root', password: 'wrong' }), sqlError('28P01', 'password authentication failed for user "root"'));
  });

  test('CREATE USER logs in with its password (SCRAM); a duplicate is 42710', async () => {
    await root.query(`CREATE USER alice PASSWORD 'a1'`);
    const alice = await connectPg(server, { user: 'alice', password: 'a1' });
    assert.equal(await show(alice, 'session_authorization'), 'alice');
    await alice.end();
    await assert.rejects(root.query('CREATE ROLE alice'), sqlError('42710', 'role "alice" already exists'));
    await assert.rejects(root.query('CREATE ROLE pg_mine'), sqlError('42939', 'role name "pg_mine" is reserved'));
  });

  test('a NOLOGIN role is refused with 28000 even with the right password', async () => {
    await root.query(`CREATE ROLE batch NOLOGIN PASSWORD 'b1'`);
    await assert.rejects(connectPg(server, { user: 'batch', password: 'b1' }), sqlError('28000', 'role "batch" is not permitted to log in'));
    await root.query('ALTER ROLE batch LOGIN');
    const batch = await connectPg(server, { user: 'batch', password: 'b1' });
    await batch.end();
  });

  test('a role without CREATEROLE gets 42501; with it, it manages roles but not superusers', async () => {
    await root.query(`CREATE ROLE carol LOGIN PASSWORD 'c1'`);
    const carol = await connectPg(server, { user: 'carol', password: 'c1' });
    try {
      await assert.rejects(carol.query('CREATE ROLE x'), sqlError('42501', 'permission denied to create role'));
      await assert.rejects(carol.query('DROP ROLE alice'), sqlError('42501', 'permission denied to drop role'));
      await assert.rejects(carol.query('ALTER ROLE alice LOGIN'), sqlError('42501', 'permission denied'));
      // Her own password she may change.
      await carol.query(`ALTER ROLE carol PASSWORD 'c2'`);
      await root.query('ALTER ROLE carol CREATEROLE');
      await carol.query('CREATE ROLE helper');
      await assert.rejects(carol.query('CREATE ROLE boss SUPERUSER'), sqlError('42501', 'must be superuser to create superusers'));
      await assert.rejects(carol.query('ALTER ROLE root NOLOGIN'),
        sqlError('42501', 'must be superuser to alter superuser roles or change superuser attribute'));
    } finally {
      await carol.end();
    }
    await (await connectPg(server, { user: 'carol', password: 'c2' })).end();
    await assert.rejects(connectPg(server, { user: 'carol', password: 'c1' }), sqlError('28P01', 'password authentication failed for user "carol"'));
  });

  test('ALTER ROLE ... PASSWORD changes the password; RENAME and DROP ROLE take effect at the next login', async () => {
    await root.query(`CREATE ROLE dave LOGIN PASSWORD 'd1'`);
    // psql's \password asks this, hashes the password itself and sends ALTER USER ... PASSWORD 'SCRAM-SHA-256$...'.
    assert.equal(await show(root, 'password_encryption'), 'scram-sha-256');
    await root.query(`ALTER ROLE dave WITH PASSWORD 'd2'`);
    await assert.rejects(connectPg(server, { user: 'dave', password: 'd1' }), sqlError('28P01', 'password authentication failed for user "dave"'));
    await (await connectPg(server, { user: 'dave', password: 'd2' })).end();
    await root.query('ALTER ROLE dave RENAME TO david');
    await (await connectPg(server, { user: 'david', password: 'd2' })).end();
    await root.query('DROP ROLE david');
    await assert.rejects(connectPg(server, { user: 'david', password: 'd2' }), sqlError('28P01', 'password authentication failed for user "david"'));
    await assert.rejects(root.query('DROP ROLE david'), sqlError('42704', 'role "david" does not exist'));
    await assert.rejects(root.query('ALTER ROLE david LOGIN'), sqlError('42704', 'role "david" does not exist'));
    await root.query('DROP ROLE IF EXISTS david');
  });

  test('a role\'s statement_timeout applies at login, over the server default; SET overrides it, RESET returns to it', async () => {
    await root.query(`CREATE ROLE erin LOGIN PASSWORD 'e1'`);
    await root.query(`ALTER ROLE erin SET statement_timeout = '3s'`);
    await root.query(`ALTER ROLE erin SET idle_in_transaction_session_timeout = 60000`);
    // Checked as SET checks it (PostgreSQL's message also names the parameter; SET's does not yet).
    await assert.rejects(root.query(`ALTER ROLE erin SET statement_timeout = 'soon'`),
      (e: DatabaseError) => e.code === '22023' && e.message.includes('"soon"'));
    const erin = await connectPg(server, { user: 'erin', password: 'e1' });
    try {
      assert.equal(await show(erin, 'statement_timeout'), '3s');
      assert.equal(await show(erin, 'idle_in_transaction_session_timeout'), '1min');
      await erin.query('SET statement_timeout = 100');
      assert.equal(await show(erin, 'statement_timeout'), '100ms');
      await erin.query('RESET statement_timeout');
      assert.equal(await show(erin, 'statement_timeout'), '3s');
    } finally {
      await erin.end();
    }
    // And it stops what runs longer: a cross join of 3,000 x 3,000 rows runs far past 300 ms, and is cut off then.
    await root.query('CREATE TABLE pairs (k INT PRIMARY KEY)');
    await root.query(`INSERT INTO pairs VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i})`).join(', ')}`);
    // erin is no superuser: reading root's table needs the privilege (docs/security.md, Privileges).
    await root.query('GRANT SELECT ON pairs TO erin');
    await root.query(`ALTER ROLE erin SET statement_timeout = 300`);
    const timed = await connectPg(server, { user: 'erin', password: 'e1' });
    try {
      await assert.rejects(timed.query('SELECT count(*) FROM pairs a, pairs b, pairs c'),
        sqlError('57014', 'canceling statement due to statement timeout'));
    } finally {
      await timed.end();
    }
    // Without a setting of its own a role starts with the server's --statement-timeout.
    assert.equal(await show(root, 'statement_timeout'), '5s');
    await root.query('ALTER ROLE erin RESET ALL');
    const again = await connectPg(server, { user: 'erin', password: 'e1' });
    assert.equal(await show(again, 'statement_timeout'), '5s');
    await again.end();
  });

  test('psql\'s \\du and \\dg list the roles; pg_roles, pg_user and information_schema show them', async () => {
    await root.query(`CREATE ROLE frank CREATEDB NOLOGIN`);
    await root.query(`ALTER ROLE frank SET statement_timeout = '2s'`);
    // The catalog queries first: the first one starts the catalog mirror, which takes seconds on a busy machine.
    const roles = await root.query(`SELECT rolname, rolsuper, rolcanlogin, rolconfig, rolpassword FROM pg_roles WHERE rolname = 'frank'`);
    assert.deepEqual(roles.rows, [{ rolname: 'frank', rolsuper: false, rolcanlogin: false, rolconfig: ['statement_timeout=2s'], rolpassword: '********' }]);
    const users = await root.query(`SELECT usename FROM pg_user WHERE usename IN ('alice', 'frank') ORDER BY 1`);
    assert.deepEqual(users.rows, [{ usename: 'alice' }]);
    const r = psqlAs(server, ROOT.user, ROOT.password, '\\du');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ frank +\| Create DB, Cannot login +\| \{\}$/m);
    assert.match(r.stdout, /^ root +\| Superuser +\| \{\}$/m);
    assert.match(r.stdout, /^ alice +\| +\| \{\}$/m);
    const dg = psqlAs(server, ROOT.user, ROOT.password, '\\dg frank');
    assert.equal(dg.status, 0, dg.stderr);
    assert.match(dg.stdout, /^ frank +\| Create DB, Cannot login +\| \{\}$/m);
    const enabled = await root.query(`SELECT role_name FROM information_schema.enabled_roles WHERE role_name IN ('alice', 'frank') ORDER BY 1`);
    assert.deepEqual(enabled.rows, [{ role_name: 'alice' }, { role_name: 'frank' }]);
  });
});

describe('server defaults of the timeouts', () => {
  test('--statement-timeout and --idle-in-transaction-session-timeout take milliseconds; anything else exits 2', async () => {
    const main = join(__dirname, '..', '..', 'server', 'main.js');
    for (const args of [['--statement-timeout', '5s'], ['--idle-in-transaction-session-timeout', '2147483648']]) {
      const r = spawnSync(process.execPath, [main, ...args, '--data-dir', freshDataDir()], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, new RegExp(`^sluice: ${args[0]} must be an integer from 0 to 2147483647`));
    }
    const server = await startServer({ args: ['--idle-in-transaction-session-timeout', '90000'] });
    try {
      const pg = await connectPg(server);
      assert.equal(await show(pg, 'idle_in_transaction_session_timeout'), '90s');
      assert.equal(await show(pg, 'statement_timeout'), '0');
      await pg.end();
    } finally {
      assert.equal(await server.stop(), 0, server.stderr());
    }
  });
});

describe('roles over HTTP Basic', () => {
  test('a role logs in with its password; a NOLOGIN role with the right one gets 403 28000', async () => {
    const server = await startServer();
    try {
      const trusted = await connectPg(server, { user: 'first' });
      await trusted.query(`CREATE ROLE web LOGIN PASSWORD 'w1'`);
      await trusted.query(`CREATE ROLE ghost NOLOGIN PASSWORD 'g1'`);
      await trusted.end();
      const ok = await call(server, 'POST', '/api/v1/sql', { user: 'web', password: 'w1', body: { sql: 'SELECT 1 AS one' } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const wrong = await call(server, 'POST', '/api/v1/sql', { user: 'web', password: 'nope', body: { sql: 'SELECT 1' } });
      assert.equal(wrong.status, 401);
      const ghost = await call(server, 'POST', '/api/v1/sql', { user: 'ghost', password: 'g1', body: { sql: 'SELECT 1' } });
      assert.equal(ghost.status, 403);
      assert.equal(ghost.body.error.sqlstate, '28000');
      assert.equal(ghost.body.error.message, 'role "ghost" is not permitted to log in');
    } finally {
      assert.equal(await server.stop(), 0, server.stderr());
    }
  });
});

describe('roles seeded from --users', () => {
  test('file users become LOGIN SUPERUSER roles; at restart the file resets their password, not their attributes', async () => {
    const file = join(freshDataDir(), 'users');
    writeFileSync(file, 'ann:from-file\n');
    let server = await startServer({ args: ['--users', file] });
    const ann = await connectPg(server, { user: 'ann', password: 'from-file' });
    const seeded = await ann.query(`SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = 'ann'`);
    assert.deepEqual(seeded.rows, [{ rolsuper: true, rolcanlogin: true }]);
    await ann.query(`CREATE ROLE second SUPERUSER LOGIN PASSWORD 's1'`);
    const second = await connectPg(server, { user: 'second', password: 's1' });
    await second.query(`ALTER ROLE ann NOSUPERUSER PASSWORD 'changed'`);
    await second.end();
    await ann.end();
    assert.equal(await server.stop(), 0, server.stderr());

    server = await startServer({ dataDir: server.dataDir, args: ['--users', file] });
    try {
      await assert.rejects(connectPg(server, { user: 'ann', password: 'changed' }), sqlError('28P01', 'password authentication failed for user "ann"'));
      const again = await connectPg(server, { user: 'ann', password: 'from-file' });
      const after = await again.query(`SELECT rolsuper FROM pg_roles WHERE rolname = 'ann'`);
      assert.deepEqual(after.rows, [{ rolsuper: false }]);
      await assert.rejects(again.query('CREATE ROLE x'), sqlError('42501', 'permission denied to create role'));
      await again.end();
    } finally {
      assert.equal(await server.stop(), 0, server.stderr());
    }
  });
});

describe('roles across a restart', () => {
  test('roles, passwords and settings survive; storage holds a SCRAM verifier, never the password', async () => {
    let server = await startServer();
    const trusted = await connectPg(server, { user: 'first' });
    await trusted.query(`CREATE ROLE keeper LOGIN SUPERUSER PASSWORD 'k-secret'`);
    await trusted.query(`ALTER ROLE keeper SET statement_timeout = '7s'`);
    await trusted.end();
    assert.equal(await server.stop(), 0, server.stderr());

    const store = await Store.open(server.dataDir);
    try {
      const [role] = store.listRoles();
      assert.equal(role.name, 'keeper');
      assert.match(String(role.password), /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      assert.ok(!JSON.stringify(role).includes('k-secret'));
    } finally {
      await store.close();
    }

    server = await startServer({ dataDir: server.dataDir });
    try {
      await assert.rejects(connectPg(server, { user: 'first', password: 'anything' }), sqlError('28P01', 'password authentication failed for user "first"'));
      const keeper = await connectPg(server, { user: 'keeper', password: 'k-secret' });
      assert.equal(await show(keeper, 'statement_timeout'), '7s');
      await keeper.end();
    } finally {
      assert.equal(await server.stop(), 0, server.stderr());
    }
  });
});

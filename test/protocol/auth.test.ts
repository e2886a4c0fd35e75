// Password authentication with --users FILE: SCRAM-SHA-256 by default (node-postgres, postgres.js, psql), cleartext
// with SLUICE_AUTH_METHOD=password; wrong passwords and unknown users get FATAL 28P01.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseError } from 'pg';
import postgres from 'postgres';
import { serialize } from 'pg-protocol';
import { connectPg, freshDataDir, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, startupMessage } from '../helpers/raw-client';

function usersFile(): string {
  const path = join(freshDataDir(), 'users');
  // carol's password holds a soft hyphen, which SASLprep maps to nothing.
  writeFileSync(path, '# Sluice users\n\nalice:wonder:land\nbob:s3cret\ncarol:pass\u00ADword\n');
  return path;
}

function psql(server: TestServer, user: string, password: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-X', '-A', '-t', '-w', '-U', user, '-c', 'SHOW session_authorization', 'sluice'], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
    timeout: 15_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const failedFor = (user: string) => (e: DatabaseError) =>
  e.code === '28P01' && e.message === `password authentication failed for user "${user}"`;

describe('SCRAM-SHA-256', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--users', usersFile()] });
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
  });

  test('node-postgres logs in with the right password (a password may contain colons)', async () => {
    const pg = await connectPg(server, { user: 'alice', password: 'wonder:land' });
    assert.equal((await pg.query('SHOW session_authorization')).rows[0].session_authorization, 'alice');
    await pg.end();
  });

  test('a wrong password and an unknown user both get 28P01', async () => {
    await assert.rejects(connectPg(server, { user: 'alice', password: 'wrong' }), failedFor('alice'));
    await assert.rejects(connectPg(server, { user: 'mallory', password: 'wonder:land' }), failedFor('mallory'));
  });

  test('postgres.js logs in', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'bob', password: 's3cret', database: 'sluice', fetch_types: false });
    try {
      const [r] = await sql`SHOW session_authorization`;
      assert.equal(r.session_authorization, 'bob');
    } finally {
      await sql.end();
    }
  });

  test('psql logs in with PGPASSWORD, and fails cleanly without the right one', () => {
    const ok = psql(server, 'bob', 's3cret');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'bob');
    const bad = psql(server, 'bob', 'nope');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /password authentication failed for user "bob"/);
  });

  test('passwords are SASLprepped as PostgreSQL 15 and libpq do: a soft hyphen is nothing', async () => {
    // Checked against PostgreSQL 15 with a role whose SCRAM password is E'pass\u00ADword': psql logs in with that
    // password and with 'password', not with 'passwor'.
    for (const password of ['pass\u00ADword', 'password']) {
      const r = psql(server, 'carol', password);
      assert.equal(r.status, 0, `${JSON.stringify(password)}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), 'carol');
    }
    assert.equal(psql(server, 'carol', 'passwor').status, 2);
    const pg = await connectPg(server, { user: 'carol', password: 'pass\u00ADword' });
    await pg.end();
  });

  test('the server offers SCRAM-SHA-256 only, and refuses another mechanism', async () => {
    const c = await RawClient.connect(server);
    c.send(startupMessage({ user: 'bob', database: 'sluice' }));
    const sasl = await c.readMessage();
    assert.equal(sasl.type, 'R');
    assert.equal(sasl.body.readInt32BE(0), 10);
    assert.equal(sasl.body.toString('utf8', 4), 'SCRAM-SHA-256\0\0');
    c.send(serialize.sendSASLInitialResponseMessage('PLAIN', 'n,,n=bob,r=abc'));
    const e = await c.readMessage();
    assert.equal(errorFields(e).C, '08P01');
    assert.ok(await c.waitClosed());
  });

  test('a client that hangs up at the password prompt leaves no trace', async () => {
    const c = await RawClient.connect(server);
    c.send(startupMessage({ user: 'bob', database: 'sluice' }));
    await c.readMessage();
    c.close();
    const pg = await connectPg(server, { user: 'bob', password: 's3cret' });
    await pg.end();
  });
});

describe('cleartext password (SLUICE_AUTH_METHOD=password)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--users', usersFile()], env: { SLUICE_AUTH_METHOD: 'password' } });
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
  });

  test('node-postgres and psql log in; a wrong password gets 28P01', async () => {
    const pg = await connectPg(server, { user: 'bob', password: 's3cret' });
    assert.equal((await pg.query('SHOW session_authorization')).rows[0].session_authorization, 'bob');
    await pg.end();
    await assert.rejects(connectPg(server, { user: 'bob', password: 'S3CRET' }), failedFor('bob'));
    const ok = psql(server, 'alice', 'wonder:land');
    assert.equal(ok.status, 0, ok.stderr);
    const prepped = psql(server, 'carol', 'password');
    assert.equal(prepped.status, 0, `a cleartext password is SASLprepped as the stored one: ${prepped.stderr}`);
  });

  test('the server asks for a cleartext password', async () => {
    const c = await RawClient.connect(server);
    c.send(startupMessage({ user: 'bob', database: 'sluice' }));
    const m = await c.readMessage();
    assert.equal(m.type, 'R');
    assert.equal(m.body.readInt32BE(0), 3);
    c.send(serialize.password(''));
    const e = await c.readMessage();
    assert.equal(errorFields(e).C, '28P01');
    c.close();
  });
});

// Role statements against the real PostgreSQL 15: the same statements, as a superuser and as a role without
// privileges, answer with the same command tags, SQLSTATEs and messages; and a SCRAM verifier PostgreSQL made
// (pg_authid.rolpassword) works as a Sluice password, since both store the same format.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { assertSameAnswers, withPostgresOracle } from '../helpers/postgres-oracle';
import { connectPg } from '../helpers/server';

describe('role statements, Sluice and PostgreSQL 15', () => {
  const fx = withPostgresOracle();


  test('as a superuser: tags and errors', async () => {
    await assertSameAnswers([
      `CREATE ROLE boss SUPERUSER LOGIN PASSWORD 'boss pw'`,
      `CREATE USER plain PASSWORD 'plain pw'`,
      'CREATE ROLE plain',
      'CREATE ROLE keep NOLOGIN',
      'CREATE ROLE twice LOGIN NOLOGIN',
      'CREATE ROLE pg_mine',
      'CREATE ROLE public',
      'ALTER ROLE nobody LOGIN',
      'ALTER ROLE keep RENAME TO plain',
      'ALTER ROLE keep RENAME TO kept',
      `ALTER ROLE kept SET statement_timeout = '2s'`,
      'ALTER ROLE kept RESET ALL',
      'ALTER ROLE kept WITH CREATEDB NOSUPERUSER',
      'DROP ROLE nobody',
      'DROP ROLE IF EXISTS nobody',
      // All or nothing: kept is still there after the failed DROP.
      'DROP ROLE kept, nobody',
      'ALTER ROLE kept NOLOGIN',
    ], fx.client, fx.oracle);
  });

  test('as a role without CREATEROLE: 42501 with PostgreSQL\'s messages; its own password it may change', async () => {
    const sluice = await connectPg(fx.sluice, { user: 'plain', password: 'plain pw' });
    const oracle = new Client({ host: '127.0.0.1', port: fx.pg.port, user: 'plain', password: 'plain pw', database: 'postgres' });
    await oracle.connect();
    try {
      await assertSameAnswers([
        'CREATE ROLE x',
        'DROP ROLE kept',
        'ALTER ROLE kept LOGIN',
        'ALTER ROLE boss NOLOGIN',
        'ALTER ROLE kept RENAME TO k2',
        `ALTER ROLE plain PASSWORD 'new plain pw'`,
        `ALTER ROLE plain SET statement_timeout = '1s'`,
      ], sluice, oracle);
    } finally {
      await sluice.end();
      await oracle.end();
    }
  });

  test('a verifier PostgreSQL computed logs in to Sluice with the password it was made from', async () => {
    await fx.oracle.query(`CREATE ROLE portable LOGIN PASSWORD 'carried over'`);
    const { rows } = await fx.oracle.query(`SELECT rolpassword FROM pg_authid WHERE rolname = 'portable'`);
    const verifier = String(rows[0].rolpassword);
    assert.match(verifier, /^SCRAM-SHA-256\$/);
    await fx.client.query(`CREATE ROLE portable LOGIN PASSWORD '${verifier}'`);
    const portable = await connectPg(fx.sluice, { user: 'portable', password: 'carried over' });
    assert.equal((await portable.query('SHOW session_authorization')).rows[0].session_authorization, 'portable');
    await portable.end();
  });
});

// SET / SHOW / RESET / BEGIN / COMMIT / ROLLBACK / DISCARD through node-postgres, checking PostgreSQL's rules:
// case-insensitive names, value normalization, SET LOCAL and rollback of SET, errors with the right SQLSTATE.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, DatabaseError } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let pg: Client;
before(async () => {
  server = await startServer();
  pg = await connectPg(server);
});
after(async () => {
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

async function show(name: string, client = pg): Promise<string> {
  const r = await client.query(`SHOW ${name}`);
  return String(Object.values(r.rows[0])[0]);
}

async function sqlState(sql: string, client = pg): Promise<string> {
  try {
    await client.query(sql);
  } catch (e) {
    return (e as DatabaseError).code ?? 'no code';
  }
  return 'no error';
}

describe('session statements', () => {
  test('SHOW reports the session parameters under PostgreSQL names', async () => {
    assert.equal(await show('server_version'), '15.0 (Sluice 0.1.0)');
    assert.equal(await show('SERVER_ENCODING'), 'UTF8');
    assert.equal(await show('client_encoding'), 'UTF8');
    assert.equal(await show('datestyle'), 'ISO, MDY');
    assert.equal(await show('TIME ZONE'), 'UTC');
    assert.equal(await show('integer_datetimes'), 'on');
    assert.equal(await show('standard_conforming_strings'), 'on');
    assert.equal(await show('is_superuser'), 'on');
    assert.equal(await show('session_authorization'), 'test');
    assert.equal(await show('search_path'), '"$user", public');
    assert.equal(await show('transaction_isolation'), 'read committed');
    assert.equal(await show('TRANSACTION ISOLATION LEVEL'), 'read committed');
    const r = await pg.query('show DateStyle');
    assert.equal(r.fields[0].name, 'DateStyle');
    assert.equal(r.fields[0].dataTypeID, 25);
    assert.equal(r.command, 'SHOW');
  });

  test('SET forms: TO / =, SESSION, lists, quoted values, TIME ZONE, NAMES, SCHEMA, DEFAULT, RESET', async () => {
    await pg.query("SET application_name TO 'My App'");
    assert.equal(await show('application_name'), 'My App');
    await pg.query('set SESSION application_name = plain_Word');
    assert.equal(await show('application_name'), 'plain_word');
    await pg.query('SET search_path = sluice, "Mixed", public');
    assert.equal(await show('search_path'), 'sluice, "Mixed", public');
    await pg.query("SET SCHEMA 'other'");
    assert.equal(await show('search_path'), 'other');
    await pg.query('SET search_path TO DEFAULT');
    assert.equal(await show('search_path'), '"$user", public');
    await pg.query("SET TIME ZONE 'Etc/UTC'");
    assert.equal(await show('timezone'), 'Etc/UTC'); // PostgreSQL 15 shows the zone's name as the database spells it
    await pg.query("SET NAMES 'utf8'");
    assert.equal(await show('client_encoding'), 'UTF8');
    await pg.query('SET extra_float_digits = 3');
    assert.equal(await show('extra_float_digits'), '3');
    await pg.query('SET statement_timeout = \'5s\'');
    assert.equal(await show('statement_timeout'), '5s');
    await pg.query('SET myext.flag = on');
    assert.equal(await show('myext.flag'), 'on');
    await pg.query('RESET extra_float_digits');
    assert.equal(await show('extra_float_digits'), '1');
    await pg.query('RESET ALL');
    assert.equal(await show('application_name'), '');
    assert.equal(await show('statement_timeout'), '0');
    assert.equal(await sqlState('SHOW myext.flag'), '42704');
  });

  test('bad names and values get PostgreSQL SQLSTATEs and keep the session', async () => {
    assert.equal(await sqlState('SET no_such_thing = 1'), '42704');
    assert.equal(await sqlState('SHOW no_such_thing'), '42704');
    assert.equal(await sqlState('RESET no_such_thing'), '42704');
    assert.equal(await sqlState('SET server_version = 1'), '55P02');
    assert.equal(await sqlState('SET extra_float_digits = 9'), '22023');
    assert.equal(await sqlState('SET extra_float_digits = abc'), '22023');
    assert.equal(await sqlState("SET TimeZone = 'Not/AZone'"), '22023');
    assert.equal(await sqlState('SET default_transaction_read_only = maybe'), '22023');
    assert.equal(await sqlState("SET client_encoding = 'LATIN1'"), '0A000');
    assert.equal(await show('TimeZone'), 'UTC');
  });

  test('ROLLBACK undoes SET; COMMIT keeps SET and drops SET LOCAL', async () => {
    await pg.query('BEGIN');
    await pg.query("SET application_name = 'rolled back'");
    assert.equal(await show('application_name'), 'rolled back');
    await pg.query('ROLLBACK');
    assert.equal(await show('application_name'), '');

    await pg.query('BEGIN');
    await pg.query("SET application_name = 'kept'");
    await pg.query("SET LOCAL search_path = 'local_only'");
    assert.equal(await show('search_path'), 'local_only');
    await pg.query('COMMIT');
    assert.equal(await show('application_name'), 'kept');
    assert.equal(await show('search_path'), '"$user", public');

    // SET LOCAL outside a block has no effect (PostgreSQL warns).
    const notices: string[] = [];
    pg.on('notice', (n) => notices.push(n.message ?? ''));
    await pg.query("SET LOCAL search_path = 'nowhere'");
    assert.equal(await show('search_path'), '"$user", public');
    assert.deepEqual(notices, ['SET LOCAL can only be used in transaction blocks']);
    pg.removeAllListeners('notice');
    await pg.query('RESET application_name');
  });

  test('a failed block: 25P02 for everything but COMMIT / ROLLBACK; COMMIT rolls back', async () => {
    await pg.query('BEGIN');
    await pg.query("SET application_name = 'doomed'");
    assert.equal(await sqlState('SET nonsense = 1'), '42704');
    assert.equal(await sqlState('SHOW TimeZone'), '25P02');
    assert.equal(await sqlState('SET TimeZone = UTC'), '25P02');
    const r = await pg.query('COMMIT');
    assert.equal(r.command, 'ROLLBACK');
    assert.equal(await show('application_name'), '');
  });

  test('transaction modes and characteristics', async () => {
    await pg.query('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    assert.equal(await show('default_transaction_isolation'), 'repeatable read');
    await pg.query('BEGIN READ ONLY');
    assert.equal(await show('transaction_isolation'), 'repeatable read');
    assert.equal(await show('transaction_read_only'), 'on');
    await pg.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
    assert.equal(await show('transaction_isolation'), 'serializable');
    await pg.query('END');
    assert.equal(await show('transaction_read_only'), 'off');
    await pg.query('RESET default_transaction_isolation');
    assert.equal(await show('transaction_isolation'), 'read committed');
  });

  test('SHOW ALL lists settings with descriptions', async () => {
    const r = await pg.query({ text: 'SHOW ALL', rowMode: 'array' });
    assert.deepEqual(r.fields.map((f) => f.name), ['name', 'setting', 'description']);
    const names = r.rows.map((x: string[]) => x[0]);
    assert.ok(names.includes('TimeZone') && names.includes('search_path') && names.includes('server_version'));
    assert.deepEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())), names);
  });

  test('DISCARD ALL resets settings and drops prepared statements; refused inside a block', async () => {
    const other = await connectPg(server);
    await other.query("SET application_name = 'to discard'");
    await other.query({ name: 'prep', text: 'SHOW TimeZone' });
    const r = await other.query('DISCARD ALL');
    assert.equal(r.command, 'DISCARD');
    assert.equal(await show('application_name', other), '');
    await other.query('BEGIN');
    assert.equal(await sqlState('DISCARD ALL', other), '25001');
    await other.query('ROLLBACK');
    await other.end();
  });

  test('SELECT pg_sleep(n) sleeps and returns one void row', async () => {
    const started = Date.now();
    const r = await pg.query('select pg_sleep(0.2)');
    assert.ok(Date.now() - started >= 190);
    assert.equal(r.rows.length, 1);
    assert.equal(r.fields[0].dataTypeID, 2278);
    assert.equal(r.rows[0].pg_sleep, '');
    const p = await pg.query('SELECT pg_catalog.pg_sleep($1)', [0.05]);
    assert.equal(p.rowCount, 1);
  });

  test('SELECT set_config(name, value, is_local) sets the session\'s own setting (pg_dump sends it) and returns it', async () => {
    const set = await pg.query("SELECT pg_catalog.set_config('application_name', 'dumper', false)");
    assert.deepEqual(set.rows, [{ set_config: 'dumper' }]);
    assert.deepEqual((await pg.query('SHOW application_name')).rows, [{ application_name: 'dumper' }]);
    await pg.query('BEGIN');
    await pg.query("SELECT set_config('application_name', 'for-now', true)");
    assert.deepEqual((await pg.query('SHOW application_name')).rows, [{ application_name: 'for-now' }]);
    await pg.query('COMMIT');
    assert.deepEqual((await pg.query('SHOW application_name')).rows, [{ application_name: 'dumper' }]);
  });

  test('pg_dump 17\'s set_config(name, ...) FROM pg_settings WHERE name = x sets x only where the server has it', async () => {
    const known = await pg.query("SELECT set_config(name, 'dumper 17', false) FROM pg_settings WHERE name = 'application_name'");
    assert.deepEqual(known.rows, [{ set_config: 'dumper 17' }]);
    assert.deepEqual((await pg.query('SHOW application_name')).rows, [{ application_name: 'dumper 17' }]);
    const unknown = await pg.query(
      "SELECT set_config(name, 'view, foreign-table', false) FROM pg_settings WHERE name = 'restrict_nonsystem_relation_kind'");
    assert.deepEqual(unknown.rows, []);
  });
});

// Which statements prepareSessionStatement takes: session statements in their many spellings, and nothing else (so
// the planner gets SHOW STREAMS, SELECT ..., savepoints and the rest).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSessionStatement } from '../../server/session/statements';

describe('prepareSessionStatement', () => {
  test('takes session statements, case-insensitively, with comments', () => {
    const taken = [
      'SET x.y = 1', 'set application_name to \'a\'', 'SET SESSION TimeZone = UTC', 'SET LOCAL search_path = a, b',
      'SET TIME ZONE LOCAL', "SET NAMES 'UTF8'", "SET SCHEMA 'x'", 'SET extra_float_digits TO DEFAULT',
      'SET TRANSACTION ISOLATION LEVEL READ COMMITTED', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
      'RESET ALL', 'reset timezone', 'RESET TIME ZONE', 'SHOW ALL', 'show server_version', 'SHOW TIME ZONE',
      'SHOW TRANSACTION ISOLATION LEVEL', 'SHOW nonsense', 'BEGIN', 'begin work', 'BEGIN TRANSACTION READ WRITE',
      'START TRANSACTION ISOLATION LEVEL REPEATABLE READ, NOT DEFERRABLE', 'COMMIT', 'END TRANSACTION',
      'COMMIT AND NO CHAIN', 'ROLLBACK', 'ABORT', 'rollback work', 'DISCARD ALL', 'DISCARD TEMP',
      'SELECT pg_sleep(1)', "select pg_sleep('0.5')", 'SELECT pg_catalog.pg_sleep($1)', '/* hi */ SET a.b = 2 -- bye',
      'SET statement_timeout = 0;',
    ];
    for (const sql of taken) assert.notEqual(prepareSessionStatement(sql), null, sql);
  });

  test('leaves everything else to the planner', () => {
    const left = [
      'SELECT 1', 'SELECT pg_sleep(1) + 1', 'SHOW STREAMS', 'SHOW CONTINUOUS QUERIES', 'SHOW TABLES', 'SHOW SINKS',
      'SAVEPOINT a', 'ROLLBACK TO SAVEPOINT a', 'RELEASE SAVEPOINT a', 'COMMIT AND CHAIN', 'SET ROLE admin',
      'SET SESSION AUTHORIZATION bob', 'CREATE STREAM s (a int)', 'BEGIN; SELECT 1', "SET x = E'\\n'",
      'INSERT INTO s VALUES (1)', 'DISCARD', 'START', '', '   ', 'SHOW',
    ];
    for (const sql of left) assert.equal(prepareSessionStatement(sql), null, sql);
  });

  test('transaction kinds and parameter types', () => {
    assert.equal(prepareSessionStatement('BEGIN')!.transaction, 'begin');
    assert.equal(prepareSessionStatement('START TRANSACTION')!.transaction, 'begin');
    assert.equal(prepareSessionStatement('END')!.transaction, 'commit');
    assert.equal(prepareSessionStatement('ABORT')!.transaction, 'rollback');
    assert.equal(prepareSessionStatement('SET a.b = 1')!.transaction, null);
    assert.deepEqual(prepareSessionStatement('SELECT pg_sleep($1)')!.paramTypeOids, [701]);
    assert.deepEqual(prepareSessionStatement('SHOW ALL')!.paramTypeOids, []);
  });
});

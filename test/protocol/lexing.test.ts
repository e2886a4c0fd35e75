// What one lexer fixed, through node-postgres against the real server: the splitter, the session statements, the
// catalog routing and the parser read a query string the same way, so a nested comment or a dollar quote with a
// non-ASCII tag works wherever it appears, and what PostgreSQL's lexer refuses is a 42601 where PostgreSQL puts it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, DatabaseError, QueryResult } from 'pg';
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

async function show(name: string): Promise<string> {
  const r = await pg.query(`SHOW ${name}`);
  return String(Object.values(r.rows[0])[0]);
}

async function failure(sql: string): Promise<{ code?: string; message: string; position?: string }> {
  try {
    await pg.query(sql);
  } catch (e) {
    const err = e as DatabaseError;
    return { code: err.code, message: err.message, position: err.position };
  }
  assert.fail(`${sql} succeeded`);
}

/** The single text value of a one-row, one-column result. */
function value(r: QueryResult): unknown {
  assert.equal(r.rows.length, 1);
  return Object.values(r.rows[0])[0];
}

describe('nested block comments', () => {
  test('a session statement with a nested comment is one (simple query)', async () => {
    await pg.query("SET /* a /* nested */ c */ application_name = 'x'");
    assert.equal(await show('application_name'), 'x');
  });

  test('the same through the extended protocol', async () => {
    await pg.query({ name: 'nested-set', text: "SET /* a /* nested */ c */ application_name = 'y'" });
    assert.equal(await show('application_name'), 'y');
  });

  test('an unterminated comment is an error, as in PostgreSQL, not silently cut off', async () => {
    assert.deepEqual(await failure('SELECT 1 /* x'), { code: '42601', message: 'unterminated /* comment', position: '10' });
  });
});

describe('dollar quotes with a non-ASCII tag', () => {
  test('one statement, one row a;b (simple query)', async () => {
    assert.equal(value(await pg.query('SELECT $é$a;b$é$')), 'a;b');
  });

  test('the same through the extended protocol', async () => {
    assert.equal(value(await pg.query({ name: 'dollar-tag', text: 'SELECT $é$a;b$é$' })), 'a;b');
  });

  test('in a string of several statements, it splits where the statements end', async () => {
    const results = (await pg.query('SELECT $é$a;b$é$; SELECT $€1$c;d$€1$ AS two')) as unknown as QueryResult[];
    assert.deepEqual(results.map(value), ['a;b', 'c;d']);
  });
});

describe('literals PostgreSQL reads', () => {
  test("U&'...' with Unicode escapes", async () => {
    assert.equal(value(await pg.query("SELECT U&'d\\0061t\\+000061'")), 'data');
  });

  test("an unterminated E'...' is reported at the E, as PostgreSQL does", async () => {
    assert.deepEqual(await failure("SELECT 1, E'abc"), { code: '42601', message: 'unterminated quoted string', position: '11' });
  });
});

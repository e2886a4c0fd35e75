// The simple and extended query protocols at the byte level, using session statements (the only SQL the server
// answers without the engine): multi-statement strings, empty queries, errors, transaction states, Parse / Bind /
// Describe / Execute with row limits, Close, Sync, Flush, lifetimes of statements and portals.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

const types = (ms: BackendMessage[]): string => ms.map((m) => m.type).join('');
const text = (m: BackendMessage): string => m.body.toString('utf8').replace(/\0$/, '');
const status = (ms: BackendMessage[]): string => ms.at(-1)!.body.toString();

/** The column values of a DataRow, as text (null for NULL). */
function row(m: BackendMessage): (string | null)[] {
  const n = m.body.readInt16BE(0);
  const out: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    const len = m.body.readInt32BE(at);
    at += 4;
    out.push(len < 0 ? null : m.body.toString('utf8', at, at + len));
    if (len > 0) at += len;
  }
  return out;
}

async function session(): Promise<RawClient> {
  return (await RawClient.session(server)).client;
}

async function query(client: RawClient, sql: string): Promise<BackendMessage[]> {
  client.send(serialize.query(sql));
  return client.readUntil('Z');
}

describe('simple query', () => {
  test('several statements: each result, then one ReadyForQuery', async () => {
    const c = await session();
    const ms = await query(c, "SET application_name = 'multi'; SHOW application_name; SHOW TimeZone");
    assert.equal(types(ms), 'SCCTDCTDCZ'.replace('SCC', 'SC')); // ParameterStatus, SET, two SHOWs
    assert.equal(text(ms[1]), 'SET');
    assert.deepEqual(row(ms[3]), ['multi']);
    assert.equal(text(ms[4]), 'SHOW');
    assert.deepEqual(row(ms[6]), ['UTC']);
    c.close();
  });

  test('an empty query gets EmptyQueryResponse', async () => {
    const c = await session();
    assert.equal(types(await query(c, '')), 'IZ');
    assert.equal(types(await query(c, '  ;  ; -- nothing\n')), 'IZ');
    c.close();
  });

  test('an error while running stops the rest of the string', async () => {
    const c = await session();
    const ms = await query(c, "SET application_name = 'a'; SHOW no_such_setting; SET application_name = 'b'");
    assert.equal(types(ms), 'SCEZ');
    assert.equal(errorFields(ms[2]).C, '42704');
    assert.equal(errorFields(ms[2]).M, 'unrecognized configuration parameter "no_such_setting"');
    const show = await query(c, 'SHOW application_name');
    assert.deepEqual(row(show[1]), ['a']);
    c.close();
  });

  test('transaction states: BEGIN → T, an error → E with 25P02 after, COMMIT reports ROLLBACK → I', async () => {
    const c = await session();
    let ms = await query(c, 'BEGIN');
    assert.equal(text(ms[0]), 'BEGIN');
    assert.equal(status(ms), 'T');
    ms = await query(c, 'NOT SQL');
    assert.equal(status(ms), 'E');
    ms = await query(c, 'SHOW TimeZone');
    assert.equal(errorFields(ms[0]).C, '25P02');
    assert.equal(errorFields(ms[0]).M, 'current transaction is aborted, commands ignored until end of transaction block');
    assert.equal(status(ms), 'E');
    ms = await query(c, 'COMMIT');
    assert.equal(text(ms[0]), 'ROLLBACK');
    assert.equal(status(ms), 'I');
    ms = await query(c, 'START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY; SHOW transaction_isolation; COMMIT');
    assert.equal(types(ms), 'CTDCCZ');
    assert.deepEqual(row(ms[2]), ['serializable']);
    assert.equal(text(ms[4]), 'COMMIT');
    assert.equal(status(ms), 'I');
    ms = await query(c, 'BEGIN; ROLLBACK');
    assert.equal(status(ms), 'I');
    c.close();
  });

  test('an error found before running (a statement the server cannot prepare) runs nothing', async () => {
    const c = await session();
    const ms = await query(c, "SET application_name = 'x'; NOT SQL AT ALL");
    assert.equal(types(ms), 'EZ');
    assert.equal(errorFields(ms[0]).S, 'ERROR');
    c.close();
  });

  test('COMMIT outside a block warns and stays idle', async () => {
    const c = await session();
    const ms = await query(c, 'COMMIT');
    assert.equal(types(ms), 'NCZ');
    assert.match(errorFields(ms[0]).M, /no transaction in progress/);
    c.close();
  });
});

describe('extended query', () => {
  test('Parse / Bind / Describe / Execute / Sync with a named statement', async () => {
    const c = await session();
    c.send(
      serialize.parse({ name: 'tz', text: 'SHOW TimeZone' }),
      serialize.describe({ type: 'S', name: 'tz' }),
      serialize.bind({ statement: 'tz', portal: 'p1' }),
      serialize.describe({ type: 'P', name: 'p1' }),
      serialize.execute({ portal: 'p1' }),
      serialize.sync(),
    );
    const ms = await c.readUntil('Z');
    assert.equal(types(ms), '1tT2TDCZ');
    assert.equal(ms[1].body.readInt16BE(0), 0); // no parameters
    assert.deepEqual(row(ms[5]), ['UTC']);
    assert.equal(text(ms[6]), 'SHOW');
    // The named statement survives Sync and runs again.
    c.send(serialize.bind({ statement: 'tz' }), serialize.execute({}), serialize.sync());
    assert.equal(types(await c.readUntil('Z')), '2DCZ');
    c.close();
  });

  test('Describe of a parameterized statement: ParameterDescription with the OIDs', async () => {
    const c = await session();
    c.send(serialize.parse({ text: 'SELECT pg_sleep($1)' }), serialize.describe({ type: 'S' }), serialize.sync());
    const ms = await c.readUntil('Z');
    assert.equal(types(ms), '1tTZ');
    assert.equal(ms[1].body.readInt16BE(0), 1);
    assert.equal(ms[1].body.readInt32BE(2), 701);
    c.send(serialize.parse({ text: 'SET TimeZone = UTC' }), serialize.describe({ type: 'S' }), serialize.sync());
    assert.equal(types(await c.readUntil('Z')), '1tnZ'); // NoData
    c.close();
  });

  test('Execute with a row limit: PortalSuspended, then the next Execute continues', async () => {
    const c = await session();
    c.send(serialize.query('BEGIN'));
    await c.readUntil('Z');
    c.send(serialize.parse({ text: 'SHOW ALL' }), serialize.bind({ portal: 'all' }), serialize.execute({ portal: 'all', rows: 2 }), serialize.sync());
    let ms = await c.readUntil('Z');
    assert.equal(types(ms), '12DDsZ');
    const first = row(ms[2])[0];
    // Inside a transaction block the portal survives Sync.
    c.send(serialize.execute({ portal: 'all', rows: 3 }), serialize.flush());
    ms = [await c.readMessage(), await c.readMessage(), await c.readMessage(), await c.readMessage()];
    assert.equal(types(ms), 'DDDs');
    assert.notEqual(row(ms[0])[0], first);
    c.send(serialize.execute({ portal: 'all' }), serialize.sync());
    ms = await c.readUntil('Z');
    assert.equal(ms.at(-2)!.type, 'C');
    assert.equal(text(ms.at(-2)!), 'SHOW');
    const total = 5 + ms.filter((m) => m.type === 'D').length;
    assert.ok(total > 40, `SHOW ALL rows: ${total}`);
    // Portals end with the transaction.
    c.send(serialize.query('COMMIT'));
    await c.readUntil('Z');
    c.send(serialize.execute({ portal: 'all' }), serialize.sync());
    ms = await c.readUntil('Z');
    assert.equal(errorFields(ms[0]).C, '34000');
    c.close();
  });

  test('outside a transaction block, portals are dropped at Sync', async () => {
    const c = await session();
    c.send(serialize.parse({ text: 'SHOW ALL' }), serialize.bind({ portal: 'p' }), serialize.execute({ portal: 'p', rows: 1 }), serialize.sync());
    assert.equal(types(await c.readUntil('Z')), '12DsZ');
    c.send(serialize.execute({ portal: 'p', rows: 1 }), serialize.sync());
    const ms = await c.readUntil('Z');
    assert.equal(errorFields(ms[0]).C, '34000');
    assert.equal(errorFields(ms[0]).M, 'portal "p" does not exist');
    c.close();
  });

  test('after an error, messages are skipped until Sync', async () => {
    const c = await session();
    c.send(
      serialize.parse({ text: 'NOT SQL' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.parse({ name: 'never', text: 'SHOW ALL' }),
      serialize.sync(),
      serialize.parse({ name: 'after', text: 'SHOW TimeZone' }),
      serialize.sync(),
    );
    const ms = await c.readUntil('Z');
    assert.equal(types(ms), 'EZ');
    assert.equal(types(await c.readUntil('Z')), '1Z');
    // 'never' was skipped, so binding it fails; 'after' exists.
    c.send(serialize.bind({ statement: 'never' }), serialize.sync(), serialize.bind({ statement: 'after' }), serialize.execute({}), serialize.sync());
    const e = await c.readUntil('Z');
    assert.equal(errorFields(e[0]).C, '26000');
    assert.equal(types(await c.readUntil('Z')), '2DCZ');
    c.close();
  });

  test('the unnamed statement is replaced by the next Parse; named ones must be unique', async () => {
    const c = await session();
    c.send(
      serialize.parse({ text: 'SHOW TimeZone' }),
      serialize.parse({ text: 'SHOW DateStyle' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.parse({ name: 's', text: 'SHOW TimeZone' }),
      serialize.sync(),
    );
    let ms = await c.readUntil('Z');
    assert.equal(types(ms), '112DC1Z');
    assert.deepEqual(row(ms[3]), ['ISO, MDY']);
    c.send(serialize.parse({ name: 's', text: 'SHOW ALL' }), serialize.sync());
    ms = await c.readUntil('Z');
    assert.equal(errorFields(ms[0]).C, '42P05');
    // Close, then the name is free again; closing what does not exist is fine.
    c.send(serialize.close({ type: 'S', name: 's' }), serialize.close({ type: 'P', name: 'nope' }), serialize.parse({ name: 's', text: 'SHOW ALL' }), serialize.sync());
    assert.equal(types(await c.readUntil('Z')), '331Z');
    c.close();
  });

  test('Bind checks: parameter count (08P01, not fatal), unknown statement (26000), format codes', async () => {
    const c = await session();
    c.send(serialize.parse({ name: 'sleep', text: 'SELECT pg_sleep($1)' }), serialize.bind({ statement: 'sleep', values: [] }), serialize.sync());
    let ms = await c.readUntil('Z');
    assert.equal(types(ms), '1EZ');
    assert.equal(errorFields(ms[1]).C, '08P01');
    assert.equal(errorFields(ms[1]).S, 'ERROR');
    assert.match(errorFields(ms[1]).M, /bind message supplies 0 parameters, but prepared statement "sleep" requires 1/);
    c.send(serialize.bind({ statement: 'missing' }), serialize.sync());
    ms = await c.readUntil('Z');
    assert.equal(errorFields(ms[0]).M, 'prepared statement "missing" does not exist');
    c.send(serialize.bind({ statement: 'sleep', values: ['0'] }), serialize.execute({}), serialize.sync());
    ms = await c.readUntil('Z');
    assert.equal(types(ms), '2DCZ');
    assert.equal(text(ms[2]), 'SELECT 1');
    c.close();
  });

  test('an empty statement executes to EmptyQueryResponse', async () => {
    const c = await session();
    c.send(serialize.parse({ text: '' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    assert.equal(types(await c.readUntil('Z')), '12nIZ');
    c.close();
  });

  test('a failed transaction refuses Parse and Bind with 25P02 but accepts ROLLBACK', async () => {
    const c = await session();
    await query(c, 'BEGIN');
    await query(c, 'NOT SQL');
    c.send(serialize.parse({ text: 'SHOW ALL' }), serialize.sync());
    let ms = await c.readUntil('Z');
    assert.equal(errorFields(ms[0]).C, '25P02');
    assert.equal(status(ms), 'E');
    c.send(serialize.parse({ text: 'ROLLBACK' }), serialize.bind({}), serialize.execute({}), serialize.sync());
    ms = await c.readUntil('Z');
    assert.equal(types(ms), '12CZ');
    assert.equal(status(ms), 'I');
    c.close();
  });

  test('Flush sends what is pending without ending the batch', async () => {
    const c = await session();
    c.send(serialize.parse({ text: 'SHOW TimeZone' }), serialize.flush());
    assert.equal((await c.readMessage()).type, '1');
    c.send(serialize.sync());
    assert.equal((await c.readMessage()).type, 'Z');
    c.close();
  });

  test('Terminate closes the connection', async () => {
    const c = await session();
    c.send(serialize.end());
    assert.ok(await c.waitClosed());
  });

  test('binary results are chosen per column by Bind', async () => {
    const c = await session();
    c.send(serialize.parse({ text: 'SHOW ALL' }), serialize.bind({ binary: true }), serialize.describe({ type: 'P' }), serialize.execute({ rows: 1 }), serialize.sync());
    const ms = await c.readUntil('Z');
    assert.equal(types(ms), '12TDsZ');
    // RowDescription: format code of the first column is 1 (the last int16 of the first field).
    const desc = ms[2].body;
    const nameEnd = desc.indexOf(0, 2);
    assert.equal(desc.readInt16BE(nameEnd + 1 + 16), 1);
    c.close();
  });
});

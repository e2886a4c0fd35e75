// The session's TimeZone through the wire, as clients meet it: the startup parameter and `options=-c timezone=...`,
// the ParameterStatus PostgreSQL sends when TimeZone changes, COPY in and out through psql in the session's zone,
// and a continuous query, which computes in UTC whatever its creator's zone, read from a Paris session in Paris time.
// The expected texts are what PostgreSQL 15 answers to the same statements (see
// test/differential/session-timezone-vs-postgres.test.ts for the side-by-side comparisons).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import type { Client } from 'pg';
import { psql } from '../helpers/psql';
import { RawClient, startupMessage, type BackendMessage } from '../helpers/raw-client';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

let server: TestServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

const raw = { getTypeParser: () => (v: string) => v };

async function rows(c: Client, sql: string): Promise<(string | null)[][]> {
  return (await c.query({ text: sql, rowMode: 'array', types: raw })).rows as (string | null)[][];
}

/** The TimeZone values a run of backend messages reports with ParameterStatus. */
function reportedZones(messages: readonly BackendMessage[]): string[] {
  return messages.filter((m) => m.type === 'S').map((m) => m.body.toString('utf8').split('\0'))
    .filter(([name]) => name === 'TimeZone').map(([, value]) => value);
}

test('the TimeZone startup parameter and -c timezone= in options set the session zone', async () => {
  const byParameter = await connectPg(server, { options: '-c timezone=America/New_York' });
  try {
    assert.deepEqual(await rows(byParameter, 'SHOW TimeZone'), [['America/New_York']]);
    assert.deepEqual(await rows(byParameter, "SELECT '2026-11-01 05:30+00'::timestamptz, '2026-11-01 06:30+00'::timestamptz"),
      [['2026-11-01 01:30:00-04', '2026-11-01 01:30:00-05']]);
  } finally {
    await byParameter.end();
  }
  const client = await RawClient.connect(server);
  try {
    client.send(startupMessage({ user: 'test', database: 'sluice', TimeZone: 'europe/paris' }));
    assert.deepEqual(reportedZones(await client.readUntil('Z')), ['Europe/Paris']);
    client.send(serialize.query("SELECT '2026-03-29 01:30+00'::timestamptz::text"));
    const answer = (await client.readUntil('Z')).find((m) => m.type === 'D');
    assert.ok(answer?.body.includes('2026-03-29 03:30:00+02'), 'the startup zone governs the first statement');
  } finally {
    client.close();
  }
});

test('SET TIME ZONE reports the new TimeZone with ParameterStatus, as PostgreSQL does; a bad zone changes nothing', async () => {
  const { client } = await RawClient.session(server);
  try {
    client.send(serialize.query("SET TIME ZONE 'Europe/Paris'"));
    assert.deepEqual(reportedZones(await client.readUntil('Z')), ['Europe/Paris']);
    client.send(serialize.query('SET TIME ZONE -3.5'));
    assert.deepEqual(reportedZones(await client.readUntil('Z')), ['<-03:30>+03:30']);
    client.send(serialize.query("SET TIME ZONE 'Mars/Olympus'"));
    const refused = await client.readUntil('Z');
    assert.deepEqual(reportedZones(refused), []);
    assert.ok(refused.some((m) => m.type === 'E' && m.body.includes('invalid value for parameter "TimeZone": "Mars/Olympus"')));
    client.send(serialize.query('RESET TimeZone'));
    assert.deepEqual(reportedZones(await client.readUntil('Z')), ['UTC']);
  } finally {
    client.close();
  }
});

test('psql: COPY FROM reads text without an offset in the session zone, COPY TO prints in it', async () => {
  const c = await connectPg(server);
  try {
    await c.query('CREATE TABLE copied (id int PRIMARY KEY, ts timestamptz)');
    const data = '1\t2026-10-25 02:30\n2\t2026-03-29 02:30\n3\t2026-07-01 12:00+00\n';
    const load = await psql(server, ["SET TIME ZONE 'Europe/Paris'", 'COPY copied FROM STDIN'], data);
    assert.equal(load.code, 0, load.stderr);
    const out = await psql(server, ["SET TIME ZONE 'Europe/Paris'", 'COPY copied TO STDOUT',
      'COPY (SELECT * FROM copied ORDER BY id) TO STDOUT (FORMAT csv)']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'SET\n' +
      '1\t2026-10-25 02:30:00+01\n2\t2026-03-29 03:30:00+02\n3\t2026-07-01 14:00:00+02\n' +
      '1,2026-10-25 02:30:00+01\n2,2026-03-29 03:30:00+02\n3,2026-07-01 14:00:00+02\n');
    assert.deepEqual(await rows(c, 'SELECT id, ts FROM copied ORDER BY id'), [
      ['1', '2026-10-25 01:30:00+00'], ['2', '2026-03-29 01:30:00+00'], ['3', '2026-07-01 12:00:00+00'],
    ]);
  } finally {
    await c.end();
  }
});

test('a continuous query computes in UTC whatever its creator\'s zone; a Paris session reads its result in Paris time', async () => {
  const paris = await connectPg(server);
  try {
    await paris.query("SET TIME ZONE 'Europe/Paris'");
    await paris.query('CREATE STREAM arrivals (id int, ts timestamptz NOT NULL)');
    await paris.query("CREATE CONTINUOUS QUERY arrival_days AS SELECT id, ts, date_trunc('day', ts) AS day, ts::date AS d, " +
      'EXTRACT(hour FROM ts) AS h FROM arrivals');
    await paris.query("INSERT INTO arrivals VALUES (1, '2026-03-28 23:30+00')");
    const expected = [['1', '2026-03-29 00:30:00+01', '2026-03-28 01:00:00+01', '2026-03-28', '23']];
    await waitForValue(() => rows(paris, 'SELECT * FROM arrival_days'), (r) => r.length === 1, 'the continuous query\'s row');
    assert.deepEqual(await rows(paris, 'SELECT * FROM arrival_days'), expected);
    await paris.query('BEGIN');
    await paris.query('DECLARE days CURSOR FOR SUBSCRIBE TO arrival_days');
    const fetched = await rows(paris, 'FETCH 1 FROM days');
    assert.deepEqual(fetched.map((r) => r.slice(0, 5)), expected);
    await paris.query('ROLLBACK');
  } finally {
    await paris.end();
  }
});

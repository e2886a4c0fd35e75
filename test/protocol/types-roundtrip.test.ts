// Every SQL type through the real server and real clients: `SELECT $1::type` with text and binary parameters and
// results (node-postgres, raw sockets for binary, postgres.js). Needs the SQL engine (casts of parameters), so these
// fail until the planner and engine answer SELECT.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import postgres from 'postgres';
import type { Client } from 'pg';
import { TYPE_OID, T, type TypeName } from '../../engine/types';
import { parseValue } from '../../engine/text';
import { BINARY_DECODERS, BINARY_ENCODERS } from '../../server/protocol/codec-binary';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';

/** [type, SQL type name, a value as PostgreSQL prints it]: printing is canonical, so text must come back identical. */
const CASES: [TypeName, string, string][] = [
  ['bool', 'boolean', 't'],
  ['int2', 'smallint', '-12'],
  ['int4', 'integer', '123456'],
  ['int8', 'bigint', '9007199254740993'],
  ['float4', 'real', '1.5'],
  ['float8', 'double precision', '-2.25'],
  ['numeric', 'numeric', '12345.678'],
  ['text', 'text', 'héllo, wörld'],
  ['varchar', 'varchar', 'v'],
  ['date', 'date', '2000-01-02'],
  ['timestamp', 'timestamp', '2000-01-01 01:02:03.000001'],
  ['timestamptz', 'timestamptz', '2023-11-14 22:13:20+00'],
  ['interval', 'interval', '1 year 2 mons 3 days 01:00:00'],
  ['jsonb', 'jsonb', '{"a": [1, 2]}'],
];

let server: TestServer;
let pg: Client;
before(async () => {
  server = await startServer();
  pg = await connectPg(server, { types: { getTypeParser: () => (v: string) => v } });
});
after(async () => {
  await pg.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

function firstColumn(m: BackendMessage): Buffer | null {
  const len = m.body.readInt32BE(2);
  return len < 0 ? null : m.body.subarray(6, 6 + len);
}

describe('types round trip', () => {
  for (const [type, sqlName, text] of CASES) {
    test(`${sqlName}: text parameter, text result (node-postgres)`, async () => {
      const r = await pg.query({ text: `SELECT $1::${sqlName} AS v`, values: [text] });
      assert.equal(r.rows[0].v, text);
      assert.equal(r.fields[0].dataTypeID, TYPE_OID[type]);
      const nul = await pg.query({ text: `SELECT $1::${sqlName} AS v`, values: [null] });
      assert.equal(nul.rows[0].v, null);
    });

    test(`${sqlName}: binary parameter, binary result (raw)`, async () => {
      const { client } = await RawClient.session(server);
      const value = parseValue(text, T[type]);
      const bytes = BINARY_ENCODERS[type](value as never);
      client.send(
        serialize.parse({ text: `SELECT $1::${sqlName} AS v`, types: [TYPE_OID[type]] }),
        serialize.bind({ values: [bytes], binary: true }),
        serialize.execute({}),
        serialize.sync(),
      );
      const ms = await client.readUntil('Z');
      const e = ms.find((m) => m.type === 'E');
      assert.equal(e, undefined, e && errorFields(e).M);
      const d = ms.find((m) => m.type === 'D')!;
      assert.deepEqual(BINARY_DECODERS[type](firstColumn(d)!), value);
      client.close();
    });
  }

  test('postgres.js: parameters and results of common types', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false });
    try {
      const [r] = await sql`SELECT ${42}::int4 AS i, ${'x'}::text AS t, ${true}::boolean AS b, ${2.5}::float8 AS f`;
      assert.deepEqual({ ...r }, { i: 42, t: 'x', b: true, f: 2.5 });
      const at = new Date('2024-02-29T12:34:56.789Z');
      const [d] = await sql`SELECT ${at}::timestamptz AS at`;
      assert.equal((d.at as Date).getTime(), at.getTime());
    } finally {
      await sql.end();
    }
  });

  test('literals of every type in text (simple query)', async () => {
    const r = await pg.query(`SELECT ${CASES.map(([, sqlName, text], i) => `'${text}'::${sqlName} AS c${i}`).join(', ')}`);
    assert.deepEqual(Object.values(r.rows[0]), CASES.map(([, , text]) => text));
  });
});

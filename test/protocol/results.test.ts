// Results of every type, parameters, COPY and internal errors, through real clients (node-postgres, postgres.js,
// psql, raw sockets) against an in-process protocol server whose backend gives canned answers (stub-backend.ts):
// the SQL engine that will produce such results is built separately.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { serialize } from 'pg-protocol';
import postgres from 'postgres';
import type { DatabaseError } from 'pg';
import { createLogger } from '../../server/log';
import { startProtocolServer, type ProtocolServer } from '../../server/protocol/server';
import { BINARY_DECODERS, BINARY_ENCODERS } from '../../server/protocol/codec-binary';
import { encodeNumericText } from '../../server/protocol/numeric-binary';
import { connectPg } from '../helpers/server';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';
import { waitFor } from '../helpers/wait';
import { StubBackend, TYPED_COLUMNS } from './stub-backend';

let server: ProtocolServer;
let backend: StubBackend;
const logLines: string[] = [];

before(async () => {
  backend = new StubBackend();
  server = await startProtocolServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 20,
    backend,
    auth: { method: 'trust' },
    log: createLogger('info', {}, (line) => logLines.push(line)),
    serverVersion: '15.0 (Sluice test)',
  });
});
after(async () => {
  await server.close();
});

const rawText = { getTypeParser: () => (v: string) => v };

/** Runs psql with `stdin`, resolving its exit status and output. */
function psql(command: string, stdin = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('psql', ['-h', server.host, '-p', String(server.port), '-X', '-A', '-t', '-U', 'test', '-c', command, 'sluice']);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function columns(m: BackendMessage): (Buffer | null)[] {
  const out: (Buffer | null)[] = [];
  let at = 2;
  for (let i = 0; i < m.body.readInt16BE(0); i++) {
    const len = m.body.readInt32BE(at);
    at += 4;
    out.push(len < 0 ? null : m.body.subarray(at, at + len));
    if (len > 0) at += len;
  }
  return out;
}

describe('typed results', () => {
  test('text format, every type, as PostgreSQL prints it (node-postgres, raw strings)', async () => {
    const pg = await connectPg(server, { types: rawText });
    const r = await pg.query({ text: 'TYPED', rowMode: 'array' });
    assert.deepEqual(r.rows[0], [
      't', '-12', '123456', '9007199254740993', '1.5', '-2.25', '12345.678', 'héllo\twörld', 'v', '2000-01-02',
      '2000-01-01 01:02:03.000001', '2023-11-14 22:13:20+00', '1 year 2 mons 3 days 01:00:00', '{"a": [1, 2]}',
    ]);
    assert.deepEqual(r.rows[1], TYPED_COLUMNS.map(() => null));
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [16, 21, 23, 20, 700, 701, 1700, 25, 1043, 1082, 1114, 1184, 1186, 3802]);
    await pg.end();
  });

  test('binary format, every type, decodes back to the canonical values (raw Bind with format 1)', async () => {
    const { client } = await RawClient.session(server);
    client.send(serialize.parse({ text: 'TYPED' }), serialize.bind({ binary: true }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    const ms = await client.readUntil('Z');
    assert.deepEqual(ms.map((m) => m.type).join(''), '12TDDCZ');
    const values = columns(ms[3]);
    TYPED_COLUMNS.forEach(([type, value], i) => {
      const decoded = BINARY_DECODERS[type](values[i]!);
      assert.deepEqual(decoded, value, type);
    });
    assert.deepEqual(columns(ms[4]), TYPED_COLUMNS.map(() => null));
    client.close();
  });

  test('node-postgres in binary mode parses ints, floats, bools and timestamps', async () => {
    const pg = await connectPg(server, { binary: true } as never);
    const r = await pg.query({ text: 'TYPED', rowMode: 'array' });
    const row = r.rows[0] as unknown[];
    assert.equal(row[0], true);
    assert.equal(row[1], -12);
    assert.equal(row[2], 123456);
    assert.equal(row[5], -2.25);
    assert.equal((row[11] as Date).getTime(), 1_700_000_000_000);
    await pg.end();
  });

  test('postgres.js reads every type in text format', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false });
    try {
      const [row] = await sql.unsafe('TYPED');
      assert.equal(row.c_bool, true);
      assert.equal(row.c_int4, 123456);
      assert.equal(row.c_float8, -2.25);
      assert.equal(row.c_text, 'héllo\twörld');
      assert.equal((row.c_timestamptz as Date).getTime(), 1_700_000_000_000);
      assert.deepEqual(row.c_jsonb, { a: [1, 2] });
    } finally {
      await sql.end();
    }
  });

  test('Execute with a row limit over many rows; a slow reader is fine', async () => {
    const { client } = await RawClient.session(server);
    client.send(serialize.query('BEGIN'));
    await client.readUntil('Z');
    client.send(serialize.parse({ text: 'MANY 50000' }), serialize.bind({ portal: 'c' }), serialize.execute({ portal: 'c', rows: 3 }), serialize.sync());
    let ms = await client.readUntil('Z');
    assert.equal(ms.map((m) => m.type).join(''), '12DDDsZ');
    client.socket.pause();
    client.send(serialize.execute({ portal: 'c' }), serialize.sync());
    // A slow reader: rows come in until the client's buffer is full and it stops taking them off the socket.
    // (Whether the server then has to wait depends on the sockets' buffers; limits.test.ts shows it holds back.)
    await waitFor(() => client.socket.readableLength >= client.socket.readableHighWaterMark, 'the rows to fill the client\'s buffer');
    client.socket.resume();
    ms = await client.readUntil('Z', 10_000);
    assert.equal(ms.filter((m) => m.type === 'D').length, 49_997);
    assert.equal(ms.at(-2)!.body.toString('utf8'), 'SELECT 50000\0');
    client.close();
  });
});

describe('parameters', () => {
  test('binary parameters of declared types come back identical', async () => {
    const { client } = await RawClient.session(server);
    const values: [number, Buffer][] = [
      [20, BINARY_ENCODERS.int8(-5n)],
      [1700, encodeNumericText('-12.5')],
      [1184, BINARY_ENCODERS.timestamptz(1_700_000_000_000_001n)],
      [16, BINARY_ENCODERS.bool(true)],
      [1082, BINARY_ENCODERS.date(-1)],
      [1186, BINARY_ENCODERS.interval({ months: 0, days: -1, micros: 5 })],
    ];
    client.send(
      serialize.parse({ text: 'ECHO $1 $2 $3 $4 $5 $6', types: values.map(([oid]) => oid) }),
      serialize.bind({ values: values.map(([, b]) => b), binary: true }),
      serialize.execute({}),
      serialize.sync(),
    );
    const ms = await client.readUntil('Z');
    assert.equal(ms.map((m) => m.type).join(''), '12DCZ');
    assert.deepEqual(columns(ms[2]).map((b) => b!.toString('hex')), values.map(([, b]) => b.toString('hex')));
    client.close();
  });

  test('text parameters are parsed by their declared type; bad ones are 22P02', async () => {
    const pg = await connectPg(server, { types: rawText });
    const declared = await pg.query({ text: 'ECHO $1 $2', values: ['42', 'x'] });
    assert.deepEqual(Object.values(declared.rows[0]), ['42', 'x']);
    await pg.end();
    const { client } = await RawClient.session(server);
    client.send(serialize.parse({ text: 'ECHO $1 $2', types: [23, 1082] }), serialize.bind({ values: ['0012', '2000-1-2'] }), serialize.execute({}), serialize.sync());
    let ms = await client.readUntil('Z');
    assert.deepEqual(columns(ms[2]).map((b) => b!.toString()), ['12', '2000-01-02']);
    client.send(serialize.parse({ text: 'ECHO $1', types: [23] }), serialize.bind({ values: ['twelve'] }), serialize.execute({}), serialize.sync());
    ms = await client.readUntil('Z');
    assert.equal(errorFields(ms[1]).C, '22P02');
    client.close();
  });

  test('postgres.js parameters round-trip', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false });
    try {
      const [row] = await sql.unsafe('ECHO $1 $2', [7, 'seven'], { prepare: true });
      assert.deepEqual(Object.values(row), ['7', 'seven']);
    } finally {
      await sql.end();
    }
  });
});

describe('COPY', () => {
  test('COPY FROM STDIN through psql', async () => {
    const r = await psql('COPY IN', '1\tone\n2\ttwo\n\\.\n');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'COPY 2');
    assert.deepEqual(backend.copied.slice(-2), ['1\tone', '2\ttwo']);
  });

  test('COPY TO STDOUT through psql, with escapes and \\N', async () => {
    const r = await psql('COPY OUT');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '1\ttab\\there\t1970-01-01 00:00:00+00\n2\tline\\nbreak \\\\ slash\t\\N\n3\t\\N\t1970-01-01 00:00:01+00\n');
  });

  test('a bad row fails the COPY (22P04); the rest of the data is ignored; the session goes on', async () => {
    const { client } = await RawClient.session(server);
    client.send(serialize.query('COPY IN'));
    const g = await client.readMessage();
    assert.equal(g.type, 'G');
    client.send(serialize.copyData(Buffer.from('1\tBAD\n')), serialize.copyData(Buffer.from('2\tok\n')), serialize.copyDone());
    const ms = await client.readUntil('Z');
    assert.equal(ms.map((m) => m.type).join(''), 'EZ');
    assert.equal(errorFields(ms[0]).C, '22P04');
    assert.ok(await client.quietFor(100), 'the trailing CopyData/CopyDone get no answer');
    client.send(serialize.query('SHOW TimeZone'));
    assert.equal((await client.readUntil('Z')).map((m) => m.type).join(''), 'TDCZ');
    client.close();
  });

  test('CopyFail aborts with 57014 and the reason', async () => {
    const { client } = await RawClient.session(server);
    client.send(serialize.query('COPY IN'));
    await client.readMessage();
    client.send(serialize.copyData(Buffer.from('1\tx\n')), serialize.copyFail('changed my mind'));
    const ms = await client.readUntil('Z');
    assert.equal(errorFields(ms[0]).C, '57014');
    assert.equal(errorFields(ms[0]).M, 'COPY from stdin failed: changed my mind');
    assert.equal(backend.aborted.at(-1), 'changed my mind');
    client.close();
  });

  test('another message during COPY FROM STDIN is an error (08P01), not a hang', async () => {
    const { client } = await RawClient.session(server);
    client.send(serialize.query('COPY IN'));
    await client.readMessage();
    client.send(serialize.flush(), serialize.query('SHOW TimeZone'));
    const ms = await client.readUntil('Z');
    assert.equal(errorFields(ms[0]).C, '08P01');
    assert.match(errorFields(ms[0]).M, /unexpected message type 0x51 during COPY from stdin/);
    client.close();
  });

  test('an endless COPY TO STDOUT stops on CancelRequest with 57014', async () => {
    const { client, startup } = await RawClient.session(server);
    const key = startup.find((m) => m.type === 'K')!;
    client.send(serialize.query('SUBSCRIBE'));
    const h = await client.readMessage();
    assert.equal(h.type, 'H');
    const first = await client.readMessage();
    assert.equal(first.type, 'd');
    assert.equal(first.body.toString(), '0\ttick\t\\N\n');
    const cancel = await RawClient.connect(server);
    cancel.send(serialize.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
    const rest = await client.readUntil('Z');
    const e = rest.find((m) => m.type === 'E')!;
    assert.equal(errorFields(e).C, '57014');
    assert.ok(rest.slice(0, -2).every((m) => m.type === 'd'));
    cancel.close();
    client.close();
  });
});

describe('errors', () => {
  test('a thrown non-SqlError is XX000 with a hint, logged as a bug; the session goes on', async () => {
    const pg = await connectPg(server);
    await assert.rejects(pg.query('BUG'), (e: DatabaseError) => e.code === 'XX000' && /bug in Sluice/.test(e.hint ?? ''));
    assert.ok(logLines.some((l) => l.includes('a bug') && l.includes('something is undefined')));
    assert.equal((await pg.query('SHOW TimeZone')).rows[0].TimeZone, 'UTC');
    await pg.end();
  });

  test('SqlError fields reach the client: code, message, position', async () => {
    const pg = await connectPg(server);
    await assert.rejects(pg.query('FROB'), (e: DatabaseError) => e.code === '42601' && e.position === '1' && /unknown statement/.test(e.message));
    await pg.end();
  });

  test('the backend hears of every closed session', async () => {
    const before = backend.closedSessions;
    const pg = await connectPg(server);
    await pg.end();
    await waitFor(() => backend.closedSessions > before, 'the backend to hear of the closed session');
    assert.equal(backend.closedSessions, before + 1);
  });
});

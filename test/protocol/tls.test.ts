// TLS on the wire port, against certificates made with openssl for this run (test/helpers/tls-certs.ts): psql with
// sslmode=require and verify-full, node-postgres, postgres.js and psycopg2 verifying the server, client
// certificates checked against --tls-ca, --tls-required refusing plaintext with PostgreSQL's 28000, a certificate
// for another host failing verify-full on the client side, COPY and SUBSCRIBE streaming over TLS, HTTPS on the HTTP
// port, and bad TLS settings stopping the server at start (exit 2).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { Client } from 'pg';
import postgres from 'postgres';
import { psql as runPsql, type PsqlResult } from '../helpers/psql';
import { startServer, type TestServer } from '../helpers/server';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { DEBIAN_PYTHON, ensurePythonModule } from '../helpers/python';
import { waitFor } from '../helpers/wait';
import { errorFields, int32, RawClient } from '../helpers/raw-client';

const MAIN = join(__dirname, '..', '..', 'server', 'main.js');

let certs: TestCertificates;
/** --tls-required, with --tls-ca: the server most tests talk to. */
let server: TestServer;
/** A certificate for other.example only, TLS optional, two connections at most (and so two starting sockets). */
let otherHost: TestServer;
const OTHER_HOST_MAX_CONNECTIONS = 2;

before(async () => {
  certs = makeTestCertificates();
  [server, otherHost] = await Promise.all([
    startServer({ args: ['--tls-cert', certs.serverCert, '--tls-key', certs.serverKey, '--tls-ca', certs.caCert, '--tls-required'] }),
    startServer({ args: ['--tls-cert', certs.otherHostCert, '--tls-key', certs.otherHostKey,
      '--max-connections', String(OTHER_HOST_MAX_CONNECTIONS)] }),
  ]);
});

after(async () => {
  for (const s of [server, otherHost]) if (s) assert.equal(await s.stop(), 0, s.stderr());
});

/** psql 15 with libpq connection parameters (the port, user and database filled in), rows only, unaligned. */
function psql(target: TestServer, conninfo: string, commands: readonly string[], input = ''): Promise<PsqlResult> {
  return runPsql(target, commands, input, { conninfo, tuplesOnly: true });
}

const verifyFull = (): string => `host=localhost sslmode=verify-full sslrootcert=${certs.caCert}`;

test('psql with sslmode=require connects over TLS and runs queries', async () => {
  const r = await psql(server, 'host=127.0.0.1 sslmode=require', ['\\conninfo', 'SELECT 40 + 2']);
  assert.equal(r.code, 0, r.stderr + server.stderr().slice(-2000));
  assert.match(r.stdout, /SSL connection \(protocol: TLSv1\.[23]/);
  assert.match(r.stdout, /^42$/m);
});

test('psql with sslmode=verify-full checks the certificate against the CA and the host name', async () => {
  const r = await psql(server, verifyFull(), ['\\conninfo', "SELECT 'verified'"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /SSL connection/);
  assert.match(r.stdout, /^verified$/m);
});

test('node-postgres verifies the server (ca, servername) and queries', async () => {
  const client = new Client({
    host: '127.0.0.1', port: server.port, user: 'test', database: 'sluice',
    ssl: { ca: readFileSync(certs.caCert), servername: 'localhost' },
  });
  await client.connect();
  try {
    assert.deepEqual((await client.query('SELECT $1::int * 2 AS n', [21])).rows, [{ n: 42 }]);
  } finally {
    await client.end();
  }
});

test('postgres.js verifies the server (ca, servername) and queries', async () => {
  const sql = postgres({
    host: '127.0.0.1', port: server.port, user: 'test', database: 'sluice', max: 1,
    ssl: { ca: readFileSync(certs.caCert), servername: 'localhost' },
  });
  try {
    const rows = await sql`SELECT ${'tls'}::text AS word`;
    assert.deepEqual([...rows], [{ word: 'tls' }]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});

test('psycopg2 connects with sslmode=verify-full', () => {
  ensurePythonModule('psycopg2', 'python3-psycopg2');
  const script = `
import sys, psycopg2
conn = psycopg2.connect(host='localhost', port=int(sys.argv[1]), user='test', dbname='sluice',
                        sslmode='verify-full', sslrootcert=sys.argv[2])
cur = conn.cursor()
cur.execute('SELECT 6 * 7')
print(cur.fetchone()[0])
conn.close()
`;
  const r = spawnSync(DEBIAN_PYTHON, ['-c', script, String(server.port), certs.caCert], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  assert.equal(r.stdout.trim(), '42');
});

test('--tls-required refuses a plaintext session with 28000, in PostgreSQL 15 words', async () => {
  const client = new Client({ host: '127.0.0.1', port: server.port, user: 'test', database: 'sluice', ssl: false });
  const error = await client.connect().then(() => null, (e: unknown) => e as { code?: string; message: string });
  await client.end().catch(() => undefined);
  assert.ok(error !== null, 'a plaintext connection was let in');
  assert.equal(error.code, '28000');
  assert.equal(error.message, 'no pg_hba.conf entry for host "127.0.0.1", user "test", database "sluice", no encryption');
  const r = await psql(server, 'host=127.0.0.1 sslmode=disable', ['SELECT 1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /FATAL: {2}no pg_hba.conf entry for host "127.0.0.1", user "test", database "sluice", no encryption/);
});

test('without --tls-required plaintext still works next to TLS', async () => {
  const r = await psql(otherHost, 'host=127.0.0.1 sslmode=disable', ['\\conninfo', 'SELECT 1']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /SSL connection/);
});

test('verify-full against a certificate for another host fails on the client side', async () => {
  const r = await psql(otherHost, verifyFull(), ['SELECT 1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /server certificate for "other\.example" does not match host name "localhost"/);
  const client = new Client({
    host: '127.0.0.1', port: otherHost.port, user: 'test', database: 'sluice',
    ssl: { ca: readFileSync(certs.caCert), servername: 'localhost' },
  });
  await assert.rejects(client.connect(), /Hostname\/IP does not match certificate's altnames/);
  await client.end().catch(() => undefined);
});

test('a client certificate signed by --tls-ca is accepted; one from an unknown CA is refused with 28000', async () => {
  const good = await psql(server, `${verifyFull()} sslcert=${certs.clientCert} sslkey=${certs.clientKey}`, ["SELECT 'with cert'"]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^with cert$/m);
  const client = new Client({
    host: '127.0.0.1', port: server.port, user: 'test', database: 'sluice',
    ssl: { ca: readFileSync(certs.caCert), servername: 'localhost', cert: readFileSync(certs.strangerCert), key: readFileSync(certs.strangerKey) },
  });
  const error = await client.connect().then(() => null, (e: unknown) => e as { code?: string; message: string });
  await client.end().catch(() => undefined);
  assert.ok(error !== null, 'a certificate from an unknown CA was accepted');
  assert.equal(error.code, '28000');
  assert.match(error.message, /could not verify the client certificate/);
});

test('COPY FROM STDIN streams over TLS', async () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `${i},row ${i}`).join('\n') + '\n';
  const r = await psql(server, verifyFull(), [
    'CREATE TABLE tls_copy (id INT PRIMARY KEY, label TEXT)',
    'COPY tls_copy FROM STDIN WITH (FORMAT csv)',
    'SELECT count(*), sum(id) FROM tls_copy',
  ], rows);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^5000\|12497500$/m);
});

test('SUBSCRIBE streams over TLS as rows arrive', async () => {
  const sql = postgres({
    host: '127.0.0.1', port: server.port, user: 'test', database: 'sluice', max: 2,
    ssl: { ca: readFileSync(certs.caCert), servername: 'localhost' },
  });
  try {
    await sql`CREATE STREAM tls_events (kind TEXT)`;
    const stream = await sql`COPY (SUBSCRIBE TO tls_events WITH (snapshot = false)) TO STDOUT (FORMAT csv)`.readable();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const writer = postgres({
      host: '127.0.0.1', port: server.port, user: 'test', database: 'sluice', max: 1,
      ssl: { ca: readFileSync(certs.caCert), servername: 'localhost' },
    });
    try {
      // The subscription may start after an insert; insert until one is seen rather than assume when it began.
      await waitFor(async () => {
        await writer`INSERT INTO tls_events VALUES ('ping')`;
        return text.includes('ping');
      }, () => `a row through the TLS subscription (so far: ${JSON.stringify(text)})`);
    } finally {
      await writer.end({ timeout: 1 });
    }
    assert.match(text, /^ping,/m);
    stream.destroy();
  } finally {
    await sql.end({ timeout: 1 });
  }
});

test('the HTTP API serves HTTPS with the same certificate', async () => {
  const body = await new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.httpPort!, path: '/health', ca: readFileSync(certs.caCert), servername: 'localhost' }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s)).on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.deepEqual(JSON.parse(body), { status: 'ok' });
});

const SSL_REQUEST = Buffer.concat([int32(8), int32(80877103)]);
const GSSENC_REQUEST = Buffer.concat([int32(8), int32(80877104)]);

test('with TLS configured, GSSENCRequest is answered N and SSLRequest S; plaintext sent after it is still refused', async () => {
  const client = await RawClient.connect(server);
  client.send(GSSENC_REQUEST);
  assert.equal((await client.readBytes(1)).toString(), 'N');
  client.send(SSL_REQUEST);
  assert.equal((await client.readBytes(1)).toString(), 'S');
  client.close();
  const pipelined = await RawClient.connect(server);
  pipelined.send(SSL_REQUEST, Buffer.from('plaintext'));
  const e = await pipelined.readMessage();
  assert.equal(e.type, 'E');
  assert.equal(errorFields(e).C, '08P01');
  assert.match(errorFields(e).M, /received unencrypted data after SSL request/);
  assert.ok(await pipelined.waitClosed());
});

test('sockets stalled in the TLS handshake hold only startup slots and are pushed out under pressure', async () => {
  const stalled: RawClient[] = [];
  for (let i = 0; i < OTHER_HOST_MAX_CONNECTIONS; i++) {
    const c = await RawClient.connect(otherHost);
    c.send(SSL_REQUEST);
    assert.equal((await c.readBytes(1)).toString(), 'S');
    stalled.push(c); // and never sends its ClientHello
  }
  // Newcomers are refused (53300) until the stalled sockets have had their grace; then the oldest is pushed out.
  await waitFor(async () => (await psql(otherHost, 'host=127.0.0.1 sslmode=require', ['SELECT 1'])).code === 0,
    'a TLS session admitted past the stalled handshakes');
  assert.ok(await stalled[0].waitClosed(), 'the oldest stalled handshake was not closed');
  for (const c of stalled) c.close();
});

/** Runs `sluice` with `args` expecting it to refuse them: exit 2 and the message on stderr. */
function refusedAtStart(args: readonly string[], message: RegExp): void {
  const r = spawnSync(process.execPath, [MAIN, '--port', '0', '--http-port', '0', '--data-dir', certs.dir, ...args],
    { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
  assert.match(r.stderr, message);
}

test('bad TLS settings stop the server at start with exit 2 and say why', () => {
  refusedAtStart(['--tls-required'], /--tls-required needs --tls-cert and --tls-key/);
  refusedAtStart(['--tls-cert', certs.serverCert], /--tls-cert and --tls-key go together/);
  refusedAtStart(['--tls-ca', certs.caCert], /--tls-ca needs --tls-cert and --tls-key/);
  refusedAtStart(['--tls-cert', join(certs.dir, 'missing.pem'), '--tls-key', certs.serverKey], /cannot read --tls-cert .*missing\.pem/);
  refusedAtStart(['--tls-cert', certs.serverCert, '--tls-key', join(certs.dir, 'server.ext')], /--tls-key .*server\.ext is not a PEM file/);
  refusedAtStart(['--tls-cert', certs.serverCert, '--tls-key', certs.clientKey], /cannot use the TLS files .*key values mismatch/);
});

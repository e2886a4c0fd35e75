// Startup through raw sockets: parameters reported, keys, the database notice, SSL/GSS negotiation, protocol versions
// and the connection limit.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server';
import { admittedSession, errorFields, int32, RawClient, startupMessage, type BackendMessage } from '../helpers/raw-client';

let server: TestServer;
before(async () => {
  server = await startServer({ args: ['--max-connections', '3'] });
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

function statuses(messages: BackendMessage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of messages.filter((x) => x.type === 'S')) {
    const [name, value] = m.body.toString('utf8').split('\0');
    out.set(name, value);
  }
  return out;
}

const SSL_REQUEST = Buffer.concat([int32(8), int32(80877103)]);
const GSSENC_REQUEST = Buffer.concat([int32(8), int32(80877104)]);

describe('startup', () => {
  test('reports parameters, a random key and ReadyForQuery idle', async () => {
    const { client, startup } = await RawClient.session(server, { user: 'alice', database: 'sluice', application_name: 'startup-test' });
    assert.deepEqual(startup[0], { type: 'R', body: int32(0) }); // AuthenticationOk under trust
    const s = statuses(startup);
    assert.equal(s.get('server_version'), '15.0 (Sluice 0.1.0)');
    assert.equal(s.get('server_encoding'), 'UTF8');
    assert.equal(s.get('client_encoding'), 'UTF8');
    assert.equal(s.get('DateStyle'), 'ISO, MDY');
    assert.equal(s.get('TimeZone'), 'UTC');
    assert.equal(s.get('integer_datetimes'), 'on');
    assert.equal(s.get('standard_conforming_strings'), 'on');
    assert.equal(s.get('application_name'), 'startup-test');
    assert.equal(s.get('is_superuser'), 'on');
    assert.equal(s.get('session_authorization'), 'alice');
    const key = startup.find((m) => m.type === 'K')!;
    assert.equal(key.body.length, 8);
    assert.ok(key.body.readInt32BE(0) > 0);
    assert.equal(startup.some((m) => m.type === 'N'), false, 'no notice for database sluice');
    assert.deepEqual(startup.at(-1), { type: 'Z', body: Buffer.from('I') });
    const second = await RawClient.session(server);
    const key2 = second.startup.find((m) => m.type === 'K')!;
    assert.notDeepEqual(key2.body, key.body);
    client.close();
    second.client.close();
  });

  test('another database name is accepted with a NOTICE', async () => {
    const { client, startup } = await RawClient.session(server, { user: 'bob', database: 'postgres' });
    const notice = startup.find((m) => m.type === 'N');
    assert.ok(notice, 'a notice');
    assert.match(errorFields(notice).M, /one database, "sluice"/);
    assert.equal(startup.at(-1)!.type, 'Z');
    client.close();
  });

  test('a missing user name is refused with 28000', async () => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ database: 'sluice' }));
    const e = await client.readMessage();
    assert.equal(e.type, 'E');
    assert.equal(errorFields(e).C, '28000');
    assert.equal(errorFields(e).S, 'FATAL');
    assert.ok(await client.waitClosed());
  });

  test('SSLRequest and GSSENCRequest are answered N, then startup proceeds', async () => {
    const client = await RawClient.connect(server);
    client.send(GSSENC_REQUEST);
    assert.equal((await client.readBytes(1)).toString(), 'N');
    client.send(SSL_REQUEST);
    assert.equal((await client.readBytes(1)).toString(), 'N');
    client.send(startupMessage({ user: 'test', database: 'sluice' }));
    const messages = await client.readUntil('Z');
    assert.equal(messages[0].type, 'R');
    client.close();
  });

  test('plaintext pipelined right after an SSLRequest is refused with 08P01', async () => {
    const client = await RawClient.connect(server);
    client.send(SSL_REQUEST, startupMessage({ user: 'test', database: 'sluice' }));
    const e = await client.readMessage();
    assert.equal(e.type, 'E');
    assert.equal(errorFields(e).C, '08P01');
    assert.match(errorFields(e).M, /received unencrypted data after SSL request/);
    assert.ok(await client.waitClosed());
  });

  test('an unknown protocol version gets 0A000 and a closed connection', async () => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ user: 'test' }, (2 << 16) | 0));
    const e = await client.readMessage();
    assert.equal(errorFields(e).C, '0A000');
    assert.match(errorFields(e).M, /unsupported frontend protocol 2\.0: server supports 3\.0 to 3\.0/);
    assert.ok(await client.waitClosed());
  });

  test('protocol 3.2 and _pq_ options get NegotiateProtocolVersion, then the session works', async () => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ user: 'test', database: 'sluice', '_pq_.something': 'x' }, (3 << 16) | 2));
    const messages = await client.readUntil('Z');
    const v = messages[0];
    assert.equal(v.type, 'v');
    assert.equal(v.body.readInt32BE(0), 0);
    assert.equal(v.body.readInt32BE(4), 1);
    assert.equal(v.body.toString('utf8', 8), '_pq_.something\0');
    client.close();
  });

  test('a startup packet over 10,000 bytes is refused', async () => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ user: 'test', application_name: 'x'.repeat(10_000) }));
    const e = await client.readMessage();
    assert.equal(errorFields(e).C, '08P01');
    assert.match(errorFields(e).M, /invalid length of startup packet/);
    assert.ok(await client.waitClosed());
  });

  test('impossible startup lengths (negative, < 8) are refused', async () => {
    for (const length of [-1, 0, 4, 7, 0x7fffffff]) {
      const client = await RawClient.connect(server);
      client.send(int32(length), int32(196608));
      const e = await client.readMessage();
      assert.equal(errorFields(e).C, '08P01', `length ${length}`);
      assert.ok(await client.waitClosed());
    }
  });

  test('a startup packet without its terminator is refused', async () => {
    const client = await RawClient.connect(server);
    const body = Buffer.from('user\0test\0'); // missing the final \0
    client.send(int32(8 + body.length), int32(196608), body);
    const e = await client.readMessage();
    assert.equal(errorFields(e).C, '08P01');
    assert.ok(await client.waitClosed());
  });

  test('-c options in the startup packet set session settings', async () => {
    const { client, startup } = await RawClient.session(server, { user: 'test', database: 'sluice', options: '-c application_name=from\\ options --extra-float-digits=2' });
    assert.equal(statuses(startup).get('application_name'), 'from options');
    client.close();
  });

  test('a bad setting in the startup packet is FATAL 22023', async () => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ user: 'test', DateStyle: 'SQL, DMY' }));
    const messages = await client.readUntil('E');
    const e = messages.at(-1)!;
    assert.equal(errorFields(e).S, 'FATAL');
    assert.equal(errorFields(e).C, '22023');
    assert.ok(await client.waitClosed());
  });

  test('--max-connections: the next connection gets 53300 and is closed; a slot frees on close', async () => {
    const sessions = await Promise.all([1, 2, 3].map(() => RawClient.session(server)));
    const extra = await RawClient.connect(server);
    extra.send(startupMessage({ user: 'test', database: 'sluice' }));
    const e = await extra.readMessage();
    assert.equal(errorFields(e).C, '53300');
    assert.equal(errorFields(e).M, 'sorry, too many clients already');
    assert.ok(await extra.waitClosed());
    sessions[0].client.close();
    const again = await admittedSession(server);
    assert.equal(again.startup.at(-1)!.type, 'Z');
    again.client.close();
    for (const s of sessions.slice(1)) s.client.close();
  });
});

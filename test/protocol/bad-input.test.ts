// Bad bytes after startup: each gets an ErrorResponse (08P01) and a closed connection, never a crash or a hang, and
// never an effect on another session.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { serialize } from 'pg-protocol';
import { startServer, type TestServer } from '../helpers/server';
import { errorFields, frame, int32, RawClient, startupMessage } from '../helpers/raw-client';

let server: TestServer;
/** A session opened first and checked last: whatever the others did must not have touched it. */
let bystander: RawClient;

before(async () => {
  server = await startServer();
  bystander = (await RawClient.session(server)).client;
});
after(async () => {
  bystander.send(serialize.query('SHOW application_name'));
  const replies = await bystander.readUntil('Z');
  assert.deepEqual(replies.map((m) => m.type), ['T', 'D', 'C', 'Z']);
  bystander.close();
  assert.equal(await server.stop(), 0, server.stderr());
  assert.doesNotMatch(server.stderr(), /a bug/);
});

async function expectFatal(send: Buffer[], code = '08P01', message?: RegExp): Promise<void> {
  const { client } = await RawClient.session(server);
  client.send(...send);
  const replies = await client.readUntil('E');
  const e = errorFields(replies.at(-1)!);
  assert.equal(e.C, code, JSON.stringify(e));
  assert.equal(e.S, 'FATAL');
  if (message) assert.match(e.M, message);
  assert.ok(await client.waitClosed(), 'connection closed');
}

describe('bad input after startup', () => {
  test('an unknown message type', () => expectFatal([frame('?', Buffer.from('abc'))], '08P01', /invalid frontend message type 63/));

  test('a message length below 4', () => expectFatal([frame('Q', Buffer.alloc(0), 3)], '08P01', /invalid message length/));

  test('a negative message length', () => expectFatal([frame('Q', Buffer.alloc(0), -5)], '08P01', /invalid message length/));

  test('a length over the cap is refused before the body arrives', () =>
    expectFatal([frame('Q', Buffer.alloc(0), 0x7ffffff0)], '08P01', /messages are limited to 67108864 bytes/));

  test('a query string without its terminator', () => expectFatal([frame('Q', Buffer.from('SHOW ALL'))], '08P01', /invalid string/));

  test('a Bind whose parameter length runs past the message', async () => {
    const body = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 1]), int32(100), Buffer.from('abc')]);
    await expectFatal([frame('B', body)], '08P01', /insufficient data left in message/);
  });

  test('a message with bytes left over', () => expectFatal([frame('S', Buffer.from('junk'))], '08P01', /invalid message format/));

  test('a Describe with a bad subtype', () => expectFatal([frame('D', Buffer.from('X\0'))], '08P01'));

  test('a password message after authentication', () => expectFatal([serialize.password('secret')], '08P01'));

  test('a message cut off by the client hanging up', async () => {
    const { client } = await RawClient.session(server);
    client.send(frame('Q', Buffer.from('SHOW ALL;\0')).subarray(0, 8));
    client.socket.end();
    // The server answers what it can and closes; it must not wait for the rest forever.
    assert.ok(await client.waitClosed());
  });

  test('a truncated startup packet followed by hang-up', async () => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ user: 'test' }).subarray(0, 10));
    client.socket.end();
    assert.ok(await client.waitClosed());
  });

  test('random garbage, 40 connections (during startup and after)', async () => {
    for (let i = 0; i < 40; i++) {
      const afterStartup = i % 2 === 0;
      const client = afterStartup ? (await RawClient.session(server)).client : await RawClient.connect(server);
      client.send(randomBytes(1 + (i * 37) % 300));
      client.socket.end();
      assert.ok(await client.waitClosed(5000), `connection ${i} closed`);
    }
  });

  test('an error in a statement does not close the session', async () => {
    const { client } = await RawClient.session(server);
    client.send(serialize.query('THIS IS NOT SQL'));
    const replies = await client.readUntil('Z');
    assert.deepEqual(replies.map((m) => m.type), ['E', 'Z']);
    assert.equal(errorFields(replies[0]).S, 'ERROR');
    client.send(serialize.query('SHOW TimeZone'));
    assert.deepEqual((await client.readUntil('Z')).map((m) => m.type), ['T', 'D', 'C', 'Z']);
    client.close();
  });
});

// Limits, with small values on an in-process server: the startup timeout, the per-message cap after
// authentication, pipelined floods, and the connection count with cancel requests not counted.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { silentLogger } from '../../server/log';
import { startProtocolServer, type ProtocolServer } from '../../server/protocol/server';
import { errorFields, RawClient, startupMessage } from '../helpers/raw-client';
import { waitFor, waitForSteady } from '../helpers/wait';
import { StubBackend } from './stub-backend';

let server: ProtocolServer;
let backend: StubBackend;
before(async () => {
  backend = new StubBackend();
  server = await startProtocolServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 2,
    backend,
    auth: { method: 'trust' },
    log: silentLogger,
    serverVersion: '15.0 (Sluice test)',
    maxMessageBytes: 4096,
    startupTimeoutMs: 300,
  });
});
after(async () => {
  await server.close();
});

describe('limits', () => {
  test('a client that never finishes startup is cut off after the startup timeout', async () => {
    const silent = await RawClient.connect(server);
    const partial = await RawClient.connect(server);
    partial.send(startupMessage({ user: 'x' }).subarray(0, 6));
    const started = Date.now();
    assert.ok(await silent.waitClosed(3000));
    assert.ok(await partial.waitClosed(3000));
    assert.ok(Date.now() - started < 2000);
  });

  test('a message over the cap after authentication is FATAL 08P01; at the cap it is fine', async () => {
    const { client } = await RawClient.session(server);
    const atCap = 'SHOW TimeZone;' + ' '.repeat(4096 - 'SHOW TimeZone;'.length - 1);
    client.send(serialize.query(atCap));
    assert.equal((await client.readUntil('Z')).map((m) => m.type).join(''), 'TDCZ');
    client.send(serialize.query(atCap + ' '));
    const e = await client.readMessage();
    assert.equal(errorFields(e).C, '08P01');
    assert.ok(await client.waitClosed());
  });

  test('a pipelined flood of queries from a client not reading yet is held back, then answered in order', async () => {
    const { client } = await RawClient.session(server);
    // About 20 MB of answers: more than the sockets' buffers take, so the server has to wait for the client.
    const n = 2_000;
    const flood = Buffer.concat(Array.from({ length: n }, (_, i) => serialize.query(i % 2 ? 'SHOW TimeZone' : 'WIDE 20')));
    const before = backend.prepared;
    client.socket.pause(); // the server must hold back (stop running queries) rather than buffer every answer
    client.send(flood);
    await waitFor(() => backend.prepared > before, 'the server to start on the flood');
    // The server runs on this process's event loop, so its count stands still only when it has nothing it may do.
    const taken = await waitForSteady(() => backend.prepared - before, 300, 'the server to stop taking queries');
    assert.ok(taken < n, `the server ran all ${n} queries while the client read none of the answers`);
    client.socket.resume();
    const rowsPerAnswer: number[] = [];
    let rows = 0;
    while (rowsPerAnswer.length < n) {
      const m = await client.readMessage(10_000);
      if (m.type === 'D') rows++;
      if (m.type === 'Z') {
        rowsPerAnswer.push(rows);
        rows = 0;
      }
    }
    assert.deepEqual(rowsPerAnswer, Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 20)), 'every answer, in order');
    client.close();
  });

  test('cancel requests do not take a connection slot', async () => {
    const a = await RawClient.session(server);
    const b = await RawClient.session(server);
    const key = a.startup.find((m) => m.type === 'K')!;
    a.client.send(serialize.query('SUBSCRIBE'));
    await a.client.readMessage(); // CopyOutResponse
    const cancel = await RawClient.connect(server);
    cancel.send(serialize.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
    const rest = await a.client.readUntil('Z');
    assert.equal(errorFields(rest.find((m) => m.type === 'E')!).C, '57014');
    const third = await RawClient.connect(server);
    third.send(startupMessage({ user: 'test', database: 'sluice' }));
    assert.equal(errorFields(await third.readMessage()).C, '53300');
    for (const c of [a.client, b.client, cancel, third]) c.close();
  });
});

// What a subscription costs and how it ends: a CancelRequest ends it with 57014 and the session goes on; a
// disconnect (closed socket, or only a FIN) frees it; a subscriber that stops reading holds no more than a bounded
// amount of memory and is ended with 53200 once it is more than --max-subscription-lag epochs behind, while other
// sessions go on; 100 subscribers of one query all get each change.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Client } from 'pg';
import { serialize } from 'pg-protocol';
import { startServer, connectPg, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { CopySubscriber, SubscribeError } from './copy-subscriber';

const MAX_LAG = 20;
let server: TestServer;
let sql: Client;

before(async () => {
  server = await startServer({ args: ['--max-subscription-lag', String(MAX_LAG), '--max-connections', '150'] });
  sql = await connectPg(server);
  await sql.query('CREATE STREAM events (body TEXT)');
  await sql.query("CREATE CONTINUOUS QUERY totals WITH (trigger_interval = '30ms') AS SELECT count(*) AS n FROM events");
});

after(async () => {
  await sql?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

async function live(relation: string): Promise<number> {
  const r = await sql.query('SELECT count(*) AS n FROM sluice.subscriptions WHERE relation = $1', [relation]);
  return Number(r.rows[0].n);
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

describe('ending a subscription', () => {
  test('a CancelRequest ends it with 57014; the session goes on', async () => {
    const s = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO totals) TO STDOUT');
    await s.lines(1);
    await s.cancel(server);
    await assert.rejects(s.line(), (e: SubscribeError) => e.code === '57014');
    await s.client.readUntil('Z');
    s.client.send(serialize.query('SELECT 1'));
    const answer = await s.client.readUntil('Z');
    assert.equal(answer.map((m) => m.type).join(''), 'TDCZ');
    s.close();
    await waitFor(async () => (await live('totals')) === 0, 'the subscription freed');
  });

  test('a closed connection, or only a FIN, frees it', async () => {
    const a = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO events) TO STDOUT');
    const b = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO events) TO STDOUT');
    await waitFor(async () => (await live('events')) === 2, 'two subscriptions');
    a.close();
    await waitFor(async () => (await live('events')) === 1, 'the closed one freed');
    b.client.socket.end(); // half-close: the server still could write, but the client has gone
    await waitFor(async () => (await live('events')) === 0, 'the half-closed one freed');
  });
});

describe('a slow subscriber', () => {
  test('costs the server no more than a bounded amount of memory while it reads nothing', async () => {
    // A server of its own whose lag limit the test stays under, and a stream only the subscriber reads.
    const roomy = await startServer({ args: ['--max-subscription-lag', '1000'] });
    const client = await connectPg(roomy);
    try {
      await client.query('CREATE STREAM blobs (body TEXT)');
      const s = await CopySubscriber.start(roomy, 'COPY (SUBSCRIBE TO blobs) TO STDOUT');
      s.client.socket.pause(); // reads nothing from now on: the server's writes back up
      const before = rssBytes(roomy.process.pid!);
      const megabyte = 'x'.repeat(1024 * 1024);
      const epochs = 300;
      for (let i = 0; i < epochs; i++) await client.query('INSERT INTO blobs VALUES ($1)', [megabyte]);
      const grown = rssBytes(roomy.process.pid!) - before;
      assert.ok(grown < (epochs * 1024 * 1024) / 2, `the server grew by ${grown} bytes for ${epochs} MB the subscriber did not read`);
      s.client.socket.resume();
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const line = await s.line();
        assert.ok(line.startsWith(megabyte) && line.slice(megabyte.length) === `\t${epoch}\t1`, `epoch ${epoch}, nothing lost`);
      }
      s.close();
    } finally {
      await client.end();
      assert.equal(await roomy.stop(), 0);
    }
  });

  test('is ended with 53200 once it is more than the lag limit behind; other sessions go on', async () => {
    await sql.query('CREATE STREAM pings (body TEXT)');
    const s = await CopySubscriber.start(server, 'COPY (SUBSCRIBE TO pings) TO STDOUT');
    await waitFor(async () => (await live('pings')) === 1, 'the subscription');
    s.client.socket.pause();
    // Rows big enough that the unread ones fill the socket's buffers and the subscription stops reading the log.
    const body = 'y'.repeat(256 * 1024);
    const epochs = MAX_LAG * 10;
    // This session's statements run the whole time: the slow subscriber holds back no one else.
    for (let i = 0; i < epochs; i++) await sql.query('INSERT INTO pings VALUES ($1)', [body]);
    await waitFor(async () => (await live('pings')) === 0, 'the slow subscription ended');
    s.client.socket.resume();
    let error: SubscribeError | null = null;
    let received = 0;
    while (error === null) {
      try {
        await s.line();
        received++;
      } catch (e) {
        error = e as SubscribeError;
      }
    }
    assert.equal(error.code, '53200');
    assert.match(error.message, new RegExp(`subscription to "pings" ended: the client fell \\d+ epochs behind \\(the limit is ${MAX_LAG}\\)`));
    assert.ok(received < epochs, `got ${received} of ${epochs} rows before the error`);
    s.close();
  });
});

describe('many subscribers', () => {
  test('100 subscribers of one query each get every change', async () => {
    const subscribers = await Promise.all(Array.from({ length: 100 }, () =>
      CopySubscriber.start(server, 'COPY (SUBSCRIBE TO totals WITH (snapshot = false)) TO STDOUT')));
    try {
      await waitFor(async () => (await live('totals')) === 100, '100 subscriptions');
      await sql.query("INSERT INTO events VALUES ('one')");
      const got = await Promise.all(subscribers.map((s) => s.lines(2)));
      for (const lines of got) {
        assert.equal(lines.length, 2);
        assert.deepEqual(lines.map((l) => l.split('\t')[2]).sort(), ['-1', '1']);
        assert.deepEqual(lines, got[0], 'the same epoch, the same rows, for everyone');
      }
    } finally {
      for (const s of subscribers) s.close();
    }
    await waitFor(async () => (await live('totals')) === 0, 'all freed');
  });
});

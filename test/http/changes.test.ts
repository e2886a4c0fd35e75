// GET /api/v1/{kind}/{name}/changes against a real server, read by a real HTTP client as an event stream: the
// snapshot, changes as rows are inserted over the wire, resuming with Last-Event-ID, a closed connection freeing its
// subscription at once, SUBSCRIBE's errors, and a client too slow ending with an error event (53200).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Client } from 'pg';
import { connectPg, startServer, withServerAndClient, type TestServer } from '../helpers/server';
import { waitFor, waitForValue } from '../helpers/wait';
import { apiBase, call } from './client';

interface SseEvent {
  readonly event: string;
  readonly id: string | null;
  readonly data: any;
}

/** An open event stream: its events as they are parsed, and comments counted. */
class EventStream {
  readonly events: SseEvent[] = [];
  comments = 0;
  ended = false;
  private buffer = '';

  private constructor(readonly request: ClientRequest, readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (text: string) => this.take(text));
    response.on('end', () => (this.ended = true));
  }

  static open(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const request = get(`${apiBase(server)}${path}`, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        assert.equal(response.statusCode, 200);
        assert.match(String(response.headers['content-type']), /^text\/event-stream/);
        resolve(new EventStream(request, response));
      });
      request.on('error', reject);
    });
  }

  /** Resolves once `count` events have come, and returns them all. */
  async waitForEvents(count: number, timeoutMs = 15_000): Promise<SseEvent[]> {
    await waitFor(() => this.events.length >= count, () => `${count} events; got ${JSON.stringify(this.events)}`, timeoutMs);
    return this.events;
  }

  close(): void {
    this.request.destroy();
  }

  private take(text: string): void {
    this.buffer += text;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.events.push({ event, id, data: JSON.parse(data.join('\n')) });
    }
  }
}

async function subscriptionsTo(pg: Client, relation: string): Promise<number> {
  const r = await pg.query('SELECT count(*)::int AS n FROM sluice.subscriptions WHERE relation = $1', [relation]);
  return r.rows[0].n;
}

describe('GET /api/v1/{kind}/{name}/changes', () => {
  const fx = withServerAndClient();

  test('a table: the snapshot first, then each change inserted over the wire, one event per epoch', async () => {
    await fx.pg.query('CREATE TABLE prices (item TEXT PRIMARY KEY, price NUMERIC, n BIGINT)');
    await fx.pg.query("INSERT INTO prices VALUES ('a', 1.50, 9007199254740993)");
    const stream = await EventStream.open(fx.server, '/api/v1/tables/prices/changes');
    try {
      const [snapshot] = await stream.waitForEvents(1);
      assert.equal(snapshot.id, snapshot.data.epoch);
      assert.deepEqual(snapshot.data.changes, [{ diff: 1, row: { item: 'a', price: '1.50', n: '9007199254740993' } }]);
      await fx.pg.query("INSERT INTO prices VALUES ('b', 2, 1)");
      await fx.pg.query("UPDATE prices SET price = 3 WHERE item = 'a'");
      const events = await stream.waitForEvents(3);
      assert.deepEqual(events[1].data.changes, [{ diff: 1, row: { item: 'b', price: '2', n: '1' } }]);
      assert.deepEqual(new Set(events[2].data.changes.map((c: any) => `${c.diff} ${c.row.price}`)), new Set(['-1 1.50', '1 3']));
      const epochs = events.map((e) => BigInt(e.id!));
      assert.ok(epochs[0] < epochs[1] && epochs[1] < epochs[2], `epochs in order: ${epochs}`);
      assert.ok(stream.comments >= 1, 'the stream opens with a comment');
    } finally {
      stream.close();
    }
  });

  test('a continuous query without its snapshot, with progress; Last-Event-ID resumes after the last epoch seen', async () => {
    await fx.pg.query("CREATE STREAM clicks (user_id INT, url TEXT) WITH (retention = '1 hour')");
    await fx.pg.query("CREATE CONTINUOUS QUERY per_user WITH (trigger_interval = '50 milliseconds') AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id");
    const first = await EventStream.open(fx.server, '/api/v1/queries/per_user/changes?snapshot=false&progress=true');
    let seen: string;
    try {
      await fx.pg.query("INSERT INTO clicks VALUES (1, '/a')");
      const [event] = await waitForValue(() => first.events.filter((e) => e.data.changes.length > 0), (e) => e.length >= 1, 'the first change');
      assert.deepEqual(event.data.changes, [{ diff: 1, row: { user_id: 1, n: '1' } }]);
      seen = event.id!;
    } finally {
      first.close();
    }
    await fx.pg.query("INSERT INTO clicks VALUES (1, '/b')");
    const resumed = await EventStream.open(fx.server, '/api/v1/queries/per_user/changes', { 'last-event-id': seen });
    try {
      const [event] = await resumed.waitForEvents(1);
      assert.ok(BigInt(event.id!) > BigInt(seen));
      assert.deepEqual(new Set(event.data.changes.map((c: any) => `${c.diff} ${c.row.n}`)), new Set(['-1 1', '1 2']));
    } finally {
      resumed.close();
    }
  });

  test('a closed connection frees its subscription at once', async () => {
    await fx.pg.query("CREATE STREAM pings (n INT) WITH (retention = '1 hour')");
    const stream = await EventStream.open(fx.server, '/api/v1/streams/pings/changes?from_epoch=0');
    await waitForValue(() => subscriptionsTo(fx.pg, 'pings'), (n) => n === 1, 'the subscription in sluice.subscriptions');
    await fx.pg.query('INSERT INTO pings VALUES (1)');
    const [event] = await stream.waitForEvents(1);
    assert.deepEqual(event.data.changes, [{ diff: 1, row: { n: 1 } }]);
    stream.close();
    await waitForValue(() => subscriptionsTo(fx.pg, 'pings'), (n) => n === 0, 'the subscription to go', 2_000);
  });

  test('SUBSCRIBE\'s errors as JSON errors before the stream starts', async () => {
    const missing = await call(fx.server, 'GET', '/api/v1/queries/nope/changes');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.sqlstate, '42P01');
    const both = await call(fx.server, 'GET', '/api/v1/streams/pings/changes?snapshot=true&from_epoch=1');
    assert.equal(both.status, 400);
    assert.equal(both.body.error.sqlstate, '22023');
    const badEpoch = await call(fx.server, 'GET', "/api/v1/streams/pings/changes?from_epoch=1')%3B%20DROP%20STREAM%20pings%3B--");
    assert.equal(badEpoch.status, 400);
    assert.equal(badEpoch.body.error.sqlstate, '22023');
    assert.equal(await subscriptionsTo(fx.pg, 'pings'), 0);
  });
});

test('a client too slow to read is ended with an error event carrying 53200, as a slow SUBSCRIBE is', async () => {
  const server = await startServer({ args: ['--max-subscription-lag', '5'] });
  const pg = await connectPg(server);
  try {
    await pg.query("CREATE STREAM blobs (body TEXT) WITH (retention = '1 hour')");
    const stream = await EventStream.open(server, '/api/v1/streams/blobs/changes');
    stream.response.pause();
    const big = 'x'.repeat(256 * 1024);
    // Each INSERT is an epoch of 256 KB: the socket fills within a few, and the subscription falls behind.
    for (let i = 0; i < 60; i++) await pg.query('INSERT INTO blobs VALUES ($1)', [big]);
    stream.response.resume();
    await waitFor(() => stream.ended, 'the event stream to end', 30_000);
    const last = stream.events[stream.events.length - 1];
    assert.equal(last.event, 'error');
    assert.equal(last.data.error.sqlstate, '53200');
    assert.ok(stream.events.length < 60, `${stream.events.length} events before the error`);
  } finally {
    await pg.end();
    assert.equal(await server.stop(), 0);
  }
});

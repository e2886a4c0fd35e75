// Exactly once through the real server, across crashes: the server ingests a topic (being written all the while) into
// two continuous queries (a GROUP BY and a TUMBLE over a WATERMARK), each shipped by a keyed sink. The server is
// killed with SIGKILL at random moments (while it recovers and starts, or while it ingests), again and again, and
// restarted on the same data directory. At the end every query's result equals the batch recomputation from all the
// messages in the topic (read back with kcat: each counted exactly once), every bad record is in
// sluice.dead_letters exactly once at its partition and offset, and each sink topic's last value per key equals the
// query's result, where a message sent twice (a re-send after a crash) carries the same sluice-* headers, key and
// value as the first copy.
//
// Seeded: the seed is printed (and in every failure message); SLUICE_TEST_SEED=n repeats a run's kill schedule.
// SLUICE_KAFKA_CRASH_KILLS=n kills n times instead of 10 (the long variant, e.g. 50).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { readWithKafkajs, readWithKcat, startKafka, type ReadMessage, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { connectPg, freshDataDir, startServer, type TestServer } from '../helpers/server';
import { freshTopic } from './fixtures';
import { checkSinkHeaders, lastValuePerKey, millis, queryRows, seededRandom, sourceRows } from './pipeline';

const KILLS = Number(process.env.SLUICE_KAFKA_CRASH_KILLS ?? 10);
const SEED = Number(process.env.SLUICE_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));
const POISON_EVERY = 173;
const KEYS = 13;
const BASE = Date.UTC(2026, 0, 1, 10, 0, 0);
const WINDOW_MS = 10_000;

interface Event { id: number; k: string; v: number; ts: number }
const event = (id: number): Event => ({ id, k: `k${id % KEYS}`, v: id % 100, ts: BASE + id * 7 });

async function quietConnect(server: TestServer): Promise<Client> {
  const c = await connectPg(server);
  c.on('error', () => undefined); // the server is killed under it
  return c;
}

describe('SIGKILL the server during Kafka ingest, many times', () => {
  let kafka: TestKafka;
  let server: TestServer | null = null;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    if (server) await server.stop();
    await kafka?.stop();
  });

  test(`${KILLS} kills: results equal the batch recomputation from the topic, sinks' last value per key right`, async (t) => {
    t.diagnostic(`seed ${SEED} (SLUICE_TEST_SEED=${SEED} repeats it), ${KILLS} kills`);
    process.stdout.write(`Kafka crash test: seed ${SEED}, ${KILLS} kills\n`);
    const random = seededRandom(SEED);
    const b = kafka.brokers;
    const topic = freshTopic('crash-events');
    const totalsOut = freshTopic('crash-totals');
    const windowsOut = freshTopic('crash-windows');
    const dataDir = freshDataDir();

    // The writer: 40 messages every 50 ms, in id (and so event-time) order per partition, one in POISON_EVERY bad.
    const producer = new Kafka({ clientId: 'crash-writer', brokers: [b], logLevel: logLevel.NOTHING })
      .producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let produced = 0;
    let producing = true;
    const writeSome = async (n: number): Promise<void> => {
      const messages = Array.from({ length: n }, (_, i) => {
        const id = produced + i;
        const value = id % POISON_EVERY === 0 ? `bad ${id}` : JSON.stringify({ ...event(id), ts: new Date(event(id).ts).toISOString() });
        return { partition: id % 4, value };
      });
      await producer.send({ topic, acks: -1, messages });
      produced += n;
    };
    await writeSome(400);
    const writer = (async () => {
      while (producing) {
        await writeSome(40);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const schedule: string[] = [];
    try {
      server = await startServer({ dataDir });
      const setup = await quietConnect(server);
      await setup.query(`CREATE STREAM events (id BIGINT NOT NULL, k TEXT NOT NULL, v INTEGER, ts TIMESTAMPTZ NOT NULL,
        WATERMARK FOR ts AS ts - INTERVAL '1 day') WITH (connector = 'kafka', topic = '${topic}', brokers = '${b}')`);
      await setup.query(`CREATE CONTINUOUS QUERY totals WITH (trigger_interval = '100 milliseconds') AS
        SELECT k, count(*) AS n, sum(id) AS ids, count(DISTINCT id) AS distinct_ids, max(v) AS top FROM events GROUP BY k`);
      await setup.query(`CREATE CONTINUOUS QUERY per_window WITH (trigger_interval = '150 milliseconds') AS
        SELECT window_start, count(*) AS n, sum(v) AS total FROM TUMBLE(events, ts, INTERVAL '10 seconds') GROUP BY window_start`);
      await setup.query(`CREATE SINK totals_out FROM totals
        WITH (connector = 'kafka', topic = '${totalsOut}', brokers = '${b}', key = 'k')`);
      await setup.query(`CREATE SINK windows_out FROM per_window
        WITH (connector = 'kafka', topic = '${windowsOut}', brokers = '${b}', key = 'window_start')`);
      await setup.end().catch(() => undefined);

      for (let kill = 0; kill < KILLS; kill++) {
        if (kill > 0) server = await startServer({ dataDir, startTimeoutMs: 30_000 });
        const s: TestServer = server!;
        let what: string;
        if (random() < 0.3) {
          // While it recovers and starts its sources.
          const ms = Math.floor(random() * 1500);
          what = `${ms} ms after listening`;
          await new Promise((r) => setTimeout(r, ms));
        } else {
          // While it ingests: once the source has read something since this start.
          const ms = Math.floor(random() * 1000);
          what = `${ms} ms into ingest`;
          const c = await quietConnect(s);
          try {
            await waitFor(async () => ((await sourceRows(c)).get('events')?.messages ?? 0) > 0, 'the source to ingest', 30_000);
          } finally {
            await c.end().catch(() => undefined);
          }
          await new Promise((r) => setTimeout(r, ms));
        }
        schedule.push(what);
        s.kill('SIGKILL');
        assert.equal(await s.exited(), 137, `the server died of SIGKILL (seed ${SEED}, kills: ${schedule.join('; ')})`);
        assert.doesNotMatch(s.stderr(), /"level":"error"/, `no error logged before kill ${kill + 1}: ${s.stderr().slice(-2000)}`);
      }
    } finally {
      producing = false;
      await writer;
      await producer.disconnect();
    }
    const ctx = `seed ${SEED}, kills: ${schedule.join('; ')}`;

    // The batch recomputation, from every message in the topic.
    const all = await readWithKcat(b, topic);
    assert.equal(all.length, produced, `the topic holds what was produced (${ctx})`);
    const totals = new Map<string, { n: number; ids: number; distinct_ids: number; top: number }>();
    const windows = new Map<number, { n: number; total: number }>();
    const poison: { partition: number; offset: string; raw: string }[] = [];
    for (const m of all) {
      if (m.value === null || m.value.startsWith('bad ')) {
        poison.push({ partition: m.partition, offset: String(m.offset), raw: m.value ?? '' });
        continue;
      }
      const e = JSON.parse(m.value) as { id: number; k: string; v: number; ts: string };
      const tot = totals.get(e.k) ?? { n: 0, ids: 0, distinct_ids: 0, top: -1 };
      tot.n++;
      tot.ids += e.id;
      tot.distinct_ids++;
      tot.top = Math.max(tot.top, e.v);
      totals.set(e.k, tot);
      const w = Math.floor(millis(e.ts) / WINDOW_MS) * WINDOW_MS;
      const win = windows.get(w) ?? { n: 0, total: 0 };
      win.n++;
      win.total += e.v;
      windows.set(w, win);
    }
    assert.equal(poison.length, Math.ceil(produced / POISON_EVERY));

    // The last run catches up: every message read, every query and sink at the end of its input.
    server = await startServer({ dataDir, startTimeoutMs: 30_000 });
    const client = await quietConnect(server);
    try {
      const valid = produced - poison.length;
      let last = '';
      await waitFor(async () => {
        const sources = await sourceRows(client);
        const queries = await queryRows(client);
        const counted = Number((await client.query('SELECT coalesce(sum(n), 0) AS n FROM totals')).rows[0].n);
        last = JSON.stringify({ counted, valid, sources: [...sources.values()], queries: [...queries.values()] });
        return counted >= valid && ['events', 'totals_out', 'windows_out'].every((n) => sources.get(n)?.state === 'running' && sources.get(n)?.lag === 0) &&
          ['totals', 'per_window'].every((n) => queries.get(n)?.lag === 0);
      }, `the last run to catch up (${ctx})`, 90_000).catch((e: Error) => {
        throw new Error(`${e.message}; last seen: ${last}`);
      });

      const got = new Map((await client.query('SELECT k, n, ids, distinct_ids, top FROM totals')).rows.map((r) =>
        [r.k, { n: Number(r.n), ids: Number(r.ids), distinct_ids: Number(r.distinct_ids), top: Number(r.top) }]));
      assert.deepEqual(got, totals, `totals equal the batch recomputation: each message counted once (${ctx})`);
      const gotWindows = new Map((await client.query('SELECT window_start, n, total FROM per_window')).rows.map((r) =>
        [millis(r.window_start), { n: Number(r.n), total: Number(r.total) }]));
      assert.deepEqual(gotWindows, windows, `per_window equals the batch recomputation (${ctx})`);
      const queries = await queryRows(client);
      for (const q of ['totals', 'per_window']) {
        assert.equal(queries.get(q)!.status, 'running', `${q} runs (${ctx})`);
        assert.equal(queries.get(q)!.late_rows, 0, `${q}: nothing late (${ctx})`);
        // Its counters are part of its epochs, so they too count each row once across the crashes.
        assert.equal(queries.get(q)!.rows_in, produced - poison.length, `${q}: rows_in (${ctx})`);
      }

      const dead = (await client.query(`SELECT partition, "offset", raw, reason FROM sluice.dead_letters WHERE source = 'events'`)).rows;
      const order = (a: { partition: number; offset: string }, b: { partition: number; offset: string }): number =>
        a.partition - b.partition || Number(a.offset) - Number(b.offset);
      assert.deepEqual(dead.map((d) => ({ partition: d.partition, offset: d.offset, raw: d.raw })).sort(order), poison.sort(order),
        `every bad record in the dead letters exactly once (${ctx})`);
      assert.ok(dead.every((d) => d.reason === 'parse'));

      // The sinks: last value per key equals the result; re-sent copies are identical to the first.
      const totalsMsgs = await readWithKcat(b, totalsOut);
      const copies = checkSinkHeaders(totalsMsgs, 'totals');
      const windowsMsgs = await readWithKcat(b, windowsOut);
      const windowCopies = checkSinkHeaders(windowsMsgs, 'per_window');
      t.diagnostic(`sink messages: totals ${totalsMsgs.length} (${copies} re-sent), per_window ${windowsMsgs.length} (${windowCopies} re-sent)`);
      const lastTotals = (msgs: readonly ReadMessage[]): Map<string, unknown> => new Map([...lastValuePerKey(msgs, (k) => String(k))]
        .map(([k, v]) => [k, { n: v.n, ids: v.ids, distinct_ids: v.distinct_ids, top: v.top }]));
      assert.deepEqual(lastTotals(totalsMsgs), totals, `totals_out's last value per key, read with kcat (${ctx})`);
      assert.deepEqual(lastTotals(await readWithKafkajs(b, totalsOut, totalsMsgs.length, 30_000)), totals,
        `totals_out's last value per key, read with kafkajs (${ctx})`);
      const lastWindows = new Map([...lastValuePerKey(windowsMsgs, (k) => String(millis(k)))]
        .map(([k, v]) => [Number(k), { n: v.n, total: v.total }]));
      assert.deepEqual(lastWindows, windows, `windows_out's last value per key (${ctx})`);
      assert.doesNotMatch(server.stderr(), /"level":"error"/, 'the last run logged no error');
    } finally {
      await client.end().catch(() => undefined);
      await server.stop();
      server = null;
    }
  });
});

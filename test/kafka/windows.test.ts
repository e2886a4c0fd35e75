// End to end through the real server: a JSON topic and a CSV topic, each with 4 partitions, produced with kafkajs
// (partitions 0 and 1) and kcat (partitions 2 and 3) in rounds while the pipeline runs, into windowed continuous
// queries (TUMBLE, HOP, and TUMBLE ... EMIT ON WINDOW CLOSE, over streams with a WATERMARK) and keyed sinks. Every
// result is checked against the batch result computed here from the messages produced, and each sink topic's last
// value per key (read back with kcat and with kafkajs) against the query's result.
//
// Event times rise by 0.5 s a message and every partition is produced in event-time order; a round spans 100 s and
// the next round is produced only once the last one is ingested, so the skew between partitions stays under 100 s,
// well inside the 5-minute WATERMARK delay: nothing is late, and late_rows must be 0.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { produceWithKafkajs, produceWithKcat, readWithKafkajs, readWithKcat } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { freshTopic } from './fixtures';
import { checkSinkHeaders, hopStarts, lastValuePerKey, millis, queryRows, sourceRows, waitCaughtUp, withKafkaServer } from './pipeline';

const ROUNDS = 6;
const PER_ROUND = 200;
const BASE = Date.UTC(2026, 0, 1, 10, 0, 0);
const STEP_MS = 500;
const DELAY_MS = 5 * 60_000;
const MINUTE = 60_000;

interface Order { order_id: number; customer: string; amount: number; ts: number }
interface Click { user_id: number; page: string | null; dwell: number; ts: number }

const order = (i: number): Order => ({ order_id: i, customer: `c${(i * 7) % 5}`, amount: (i % 13) + 0.5, ts: BASE + i * STEP_MS });
const PAGES = ['home', 'cart', 'a "quoted", page', null];
const click = (i: number): Click => ({ user_id: (i * 31) % 17, page: PAGES[i % 4 === 3 ? 3 : (i >> 2) % 3], dwell: (i % 7) * 0.25, ts: BASE + i * STEP_MS });

/** JSON with the time as ISO text for even ids and as epoch milliseconds for odd ones (both documented). */
const orderJson = (o: Order): string => JSON.stringify({ ...o, ts: o.order_id % 2 === 0 ? new Date(o.ts).toISOString() : o.ts });
/** CSV in column order; the page quoted (doubling quotes) unless NULL (an empty unquoted field); PostgreSQL time text. */
function clickCsv(c: Click): string {
  const page = c.page === null ? '' : `"${c.page.replace(/"/g, '""')}"`;
  const ts = new Date(c.ts).toISOString().replace('T', ' ').replace('Z', '+00');
  return `${c.user_id},${page},${c.dwell},${ts}`;
}

/** Produces messages [from, to) of a topic: partitions 0 and 1 with kafkajs, 2 and 3 with kcat, each in order. */
async function produceRound(brokers: string, topic: string, from: number, to: number, encode: (i: number) => string): Promise<void> {
  const byPartition: string[][] = [[], [], [], []];
  for (let i = from; i < to; i++) byPartition[i % 4].push(encode(i));
  await produceWithKafkajs(brokers, topic, [0, 1].flatMap((p) => byPartition[p].map((value) => ({ value, partition: p }))));
  for (const p of [2, 3]) await produceWithKcat(brokers, topic, byPartition[p], { partition: p });
}

function sumMap<K, V>(m: Map<K, V>, k: K, init: () => V, add: (v: V) => void): void {
  let v = m.get(k);
  if (!v) m.set(k, (v = init()));
  add(v);
}

describe('windowed continuous queries over JSON and CSV topics, through the server', () => {
  const fx = withKafkaServer();

  test('TUMBLE, HOP and EMIT ON WINDOW CLOSE equal the batch result; the sinks hold the last value per key', async () => {
    const b = fx.kafka.brokers;
    const ordersTopic = freshTopic('win-orders');
    const clicksTopic = freshTopic('win-clicks');
    const ordersOut = freshTopic('win-orders-out');
    const clicksOut = freshTopic('win-clicks-out');
    // The topics exist (with their 4 partitions) before the sources start, as they usually do.
    await produceRound(b, ordersTopic, 0, PER_ROUND, (i) => orderJson(order(i)));
    await produceRound(b, clicksTopic, 0, PER_ROUND, (i) => clickCsv(click(i)));

    await fx.client.query(`CREATE STREAM orders (
        order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL,
        WATERMARK FOR ts AS ts - INTERVAL '5 minutes'
      ) WITH (connector = 'kafka', topic = '${ordersTopic}', brokers = '${b}', format = 'json', start = 'earliest')`);
    await fx.client.query(`CREATE STREAM clicks (
        user_id BIGINT NOT NULL, page TEXT, dwell DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL,
        WATERMARK FOR ts AS ts - INTERVAL '5' MINUTE
      ) WITH (connector = 'kafka', topic = '${clicksTopic}', brokers = '${b}', format = 'csv')`);
    await fx.client.query(`CREATE CONTINUOUS QUERY orders_per_minute WITH (trigger_interval = '200 milliseconds') AS
      SELECT window_start, window_end, customer, count(*) AS n, sum(amount) AS total, max(order_id) AS last_id
      FROM TUMBLE(orders, ts, INTERVAL '1 minute') GROUP BY window_start, window_end, customer`);
    await fx.client.query(`CREATE CONTINUOUS QUERY clicks_hop WITH (trigger_interval = '200 milliseconds') AS
      SELECT window_start, page, count(*) AS n, sum(dwell) AS dwell, count(DISTINCT user_id) AS users
      FROM HOP(clicks, ts, INTERVAL '30 seconds', INTERVAL '2 minutes') GROUP BY window_start, page`);
    await fx.client.query(`CREATE MATERIALIZED VIEW orders_closed WITH (trigger_interval = '200 milliseconds') AS
      SELECT window_start, count(*) AS n, sum(amount) AS total
      FROM TUMBLE(orders, ts, INTERVAL '1 minute') GROUP BY window_start EMIT ON WINDOW CLOSE`);
    await fx.client.query(`CREATE SINK orders_out FROM orders_per_minute
      WITH (connector = 'kafka', topic = '${ordersOut}', brokers = '${b}', format = 'json', key = 'window_start,customer')`);
    await fx.client.query(`CREATE SINK clicks_out FROM clicks_hop
      WITH (connector = 'kafka', topic = '${clicksOut}', brokers = '${b}', key = 'window_start, page')`);

    await assert.rejects(fx.client.query(`CREATE SINK wrong_out FROM orders_per_minute
      WITH (connector = 'kafka', topic = 'x', brokers = '${b}', key = 'window_start, nope')`), { code: '42703', message: /"nope"/ });
    const queries = ['orders_per_minute', 'clicks_hop', 'orders_closed'];
    await waitCaughtUp(fx.client, { messages: { orders: PER_ROUND, clicks: PER_ROUND }, queries });
    for (let r = 1; r < ROUNDS; r++) {
      await produceRound(b, ordersTopic, r * PER_ROUND, (r + 1) * PER_ROUND, (i) => orderJson(order(i)));
      await produceRound(b, clicksTopic, r * PER_ROUND, (r + 1) * PER_ROUND, (i) => clickCsv(click(i)));
      await waitCaughtUp(fx.client, { messages: { orders: (r + 1) * PER_ROUND, clicks: (r + 1) * PER_ROUND }, queries });
    }
    const n = ROUNDS * PER_ROUND;

    // --- the batch results, from the messages produced ---
    const tumble = new Map<string, { n: number; total: number; last_id: number }>();
    const closed = new Map<number, { n: number; total: number }>();
    const hop = new Map<string, { n: number; dwell: number; users: Set<number> }>();
    // Message i went to partition i % 4 (produceRound).
    const latestByPartition = [-Infinity, -Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      const o = order(i);
      const w = Math.floor(o.ts / MINUTE) * MINUTE;
      sumMap(tumble, `${w}|${o.customer}`, () => ({ n: 0, total: 0, last_id: -1 }), (v) => {
        v.n++;
        v.total += o.amount;
        v.last_id = Math.max(v.last_id, o.order_id);
      });
      sumMap(closed, w, () => ({ n: 0, total: 0 }), (v) => {
        v.n++;
        v.total += o.amount;
      });
      latestByPartition[i % 4] = Math.max(latestByPartition[i % 4], o.ts);
      const c = click(i);
      for (const s of hopStarts(c.ts, 30_000, 120_000)) {
        sumMap(hop, `${s}|${c.page}`, () => ({ n: 0, dwell: 0, users: new Set<number>() }), (v) => {
          v.n++;
          v.dwell += c.dwell;
          v.users.add(c.user_id);
        });
      }
    }
    const watermark = Math.min(...latestByPartition) - DELAY_MS;
    const closedWant = new Map([...closed].filter(([w]) => w + MINUTE <= watermark));
    assert.ok(closedWant.size >= 4 && closedWant.size < closed.size, 'some windows closed, some still open');

    // --- the continuous queries' results ---
    const qs = await queryRows(fx.client);
    for (const q of queries) {
      assert.equal(qs.get(q)!.late_rows, 0, `${q}: no late rows`);
      assert.equal(qs.get(q)!.error_rows, 0, `${q}: no error rows`);
      assert.equal(qs.get(q)!.last_error, null);
    }
    assert.equal(millis(qs.get('orders_closed')!.watermark), watermark, 'the watermark is the least over the partitions of their largest time, minus the delay');
    assert.equal(qs.get('orders_per_minute')!.rows_in, n);

    const tumbleGot = new Map((await fx.client.query('SELECT * FROM orders_per_minute')).rows.map((r) => {
      assert.equal(millis(r.window_end) - millis(r.window_start), MINUTE);
      return [`${millis(r.window_start)}|${r.customer}`, { n: Number(r.n), total: r.total, last_id: Number(r.last_id) }];
    }));
    assert.equal(tumbleGot.size, tumble.size);
    assert.deepEqual(tumbleGot, tumble);

    const hopGot = new Map((await fx.client.query('SELECT window_start, page, n, dwell, users FROM clicks_hop')).rows.map((r) =>
      [`${millis(r.window_start)}|${r.page}`, { n: Number(r.n), dwell: r.dwell, users: Number(r.users) }]));
    const hopWant = new Map([...hop].map(([k, v]) => [k, { n: v.n, dwell: v.dwell, users: v.users.size }]));
    assert.equal(hopGot.size, hopWant.size);
    assert.deepEqual(hopGot, hopWant);
    assert.ok([...hopGot.keys()].some((k) => k.endsWith('|null')) && [...hopGot.keys()].some((k) => k.endsWith('|a "quoted", page')));

    const closedGot = new Map((await fx.client.query('SELECT window_start, n, total FROM orders_closed')).rows.map((r) =>
      [millis(r.window_start), { n: Number(r.n), total: r.total }]));
    assert.deepEqual(closedGot, closedWant);

    const sources = await sourceRows(fx.client);
    for (const [name, topic] of [['orders', ordersTopic], ['clicks', clicksTopic]]) {
      // n messages over 4 partitions, round robin: each partition's next offset is n / 4.
      const quarter = n / 4;
      assert.deepEqual(sources.get(name), {
        name, kind: 'source', topic, state: 'running', position: `0:${quarter},1:${quarter},2:${quarter},3:${quarter}`,
        lag: 0, messages: n, dead_letters: 0, last_error: null,
      });
    }
    assert.equal((await fx.client.query('SELECT count(*)::int AS c FROM sluice.dead_letters')).rows[0].c, 0);

    // --- the sinks: last value per key, read back with kcat and with kafkajs ---
    await waitCaughtUp(fx.client, { sinks: ['orders_out', 'clicks_out'] });
    const tumbleKey = (k: string): string => {
      const o = JSON.parse(k) as { window_start: string; customer: string };
      return `${millis(o.window_start)}|${o.customer}`;
    };
    const hopKey = (k: string): string => {
      const o = JSON.parse(k) as { window_start: string; page: string | null };
      return `${millis(o.window_start)}|${o.page}`;
    };
    const ordersMsgs = await readWithKcat(b, ordersOut);
    const clicksMsgs = await readWithKcat(b, clicksOut);
    assert.equal(checkSinkHeaders(ordersMsgs, 'orders_per_minute'), 0, 'no crash, so nothing was re-sent');
    assert.equal(checkSinkHeaders(clicksMsgs, 'clicks_hop'), 0);
    for (const [label, msgs] of [['kcat', ordersMsgs], ['kafkajs', await readWithKafkajs(b, ordersOut, ordersMsgs.length)]] as const) {
      assert.equal(msgs.length, ordersMsgs.length, `${label} reads every message`);
      const last = new Map([...lastValuePerKey(msgs, tumbleKey)].map(([k, v]) => {
        assert.equal(millis(v.window_end) - millis(v.window_start), MINUTE);
        return [k, { n: v.n, total: v.total, last_id: v.last_id }];
      }));
      assert.deepEqual(last, tumble, `orders_out's last value per key (read with ${label})`);
    }
    for (const [label, msgs] of [['kcat', clicksMsgs], ['kafkajs', await readWithKafkajs(b, clicksOut, clicksMsgs.length)]] as const) {
      assert.equal(msgs.length, clicksMsgs.length, `${label} reads every message`);
      const last = new Map([...lastValuePerKey(msgs, hopKey)].map(([k, v]) => [k, { n: v.n, dwell: v.dwell, users: v.users }]));
      assert.deepEqual(last, hopWant, `clicks_out's last value per key (read with ${label})`);
    }
    // A window's row changed as rounds came in, so a key has several messages; all in one partition, in order.
    assert.ok(ordersMsgs.length > tumble.size);
    await waitFor(async () => (await sourceRows(fx.client)).get('orders_out')!.messages === ordersMsgs.length, 'the sink counts what it sent');
  });
});

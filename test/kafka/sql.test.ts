// The Kafka pipeline as users write it, over the wire: CREATE STREAM ... WITH (connector = 'kafka'), a continuous
// query over it, a keyed topic as a table in a pull query, CREATE SINK, and the sink's topic read back with kcat.
// Runs the real server as a child process against the mock broker.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { produceWithKafkajs, readWithKcat, startKafka, waitFor, type TestKafka } from '../helpers/kafka';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { freshTopic } from './fixtures';

describe('Kafka through SQL', () => {
  let kafka: TestKafka;
  let server: TestServer;
  let client: Client;
  before(async () => {
    kafka = await startKafka();
    server = await startServer();
    client = await connectPg(server);
  });
  after(async () => {
    await client?.end().catch(() => undefined);
    await server?.stop();
    await kafka?.stop();
  });

  test('topic → stream → continuous query → sink, and a keyed topic as a table', async () => {
    const orders = freshTopic('sql-orders');
    const customers = freshTopic('sql-customers');
    const out = freshTopic('sql-out');
    await produceWithKafkajs(kafka.brokers, orders, Array.from({ length: 100 }, (_, i) => ({
      value: JSON.stringify({ order_id: i, customer: `c${i % 3}`, amount: 1 + (i % 5), ts: new Date(Date.UTC(2026, 0, 1, 10, 0, i % 60)).toISOString() }),
      partition: i % 4,
    })));
    await produceWithKafkajs(kafka.brokers, orders, [{ value: 'garbage', partition: 0 }]);
    await produceWithKafkajs(kafka.brokers, customers, [
      { key: '1', value: JSON.stringify({ id: 1, region: 'eu' }) },
      { key: '2', value: JSON.stringify({ id: 2, region: 'us' }) },
      { key: '1', value: JSON.stringify({ id: 1, region: 'apac' }) },
      { key: '2', value: null },
    ]);

    await client.query(`CREATE STREAM orders (order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION,
      ts TIMESTAMPTZ NOT NULL) WITH (connector = 'kafka', topic = '${orders}', brokers = '${kafka.brokers}', format = 'json')`);
    await client.query(`CREATE TABLE customers (id BIGINT PRIMARY KEY, region TEXT)
      WITH (connector = 'kafka', topic = '${customers}', brokers = '${kafka.brokers}', format = 'json')`);
    await client.query(`CREATE CONTINUOUS QUERY per_customer AS
      SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer`);
    await client.query(`CREATE SINK per_customer_out FROM per_customer
      WITH (connector = 'kafka', topic = '${out}', brokers = '${kafka.brokers}', format = 'json', key = 'customer')`);

    // Batch truth: order i has customer c(i % 3) and amount 1 + (i % 5).
    const expected = new Map<string, { n: number; total: number }>();
    for (let i = 0; i < 100; i++) {
      const e = expected.get(`c${i % 3}`) ?? { n: 0, total: 0 };
      e.n++;
      e.total += 1 + (i % 5);
      expected.set(`c${i % 3}`, e);
    }
    const current = async (): Promise<Map<string, { n: number; total: number }>> => {
      const r = await client.query('SELECT customer, n, total FROM per_customer ORDER BY customer');
      return new Map(r.rows.map((row: { customer: string; n: string; total: string }) => [row.customer, { n: Number(row.n), total: Number(row.total) }]));
    };
    await waitFor(async () => (await current()).get('c0')?.n === expected.get('c0')!.n && (await current()).size === 3, 'the query counts every order', 30_000);
    assert.deepEqual(await current(), expected);

    const table = await client.query('SELECT id, region FROM customers ORDER BY id');
    assert.deepEqual(table.rows.map((r: { id: string; region: string }) => [Number(r.id), r.region]), [[1, 'apac']]);

    const dead = await client.query(`SELECT source, reason FROM sluice.dead_letters WHERE source = 'orders'`);
    assert.deepEqual(dead.rows, [{ source: 'orders', reason: 'parse' }]);

    await waitFor(async () => {
      const last = new Map<string, string | null>();
      for (const m of await readWithKcat(kafka.brokers, out)) last.set(m.key ?? '', m.value);
      return [...expected].every(([c, e]) => {
        const v = last.get(JSON.stringify(c));
        return v != null && JSON.parse(v).n === e.n && JSON.parse(v).total === e.total;
      });
    }, 'the sink topic holds the final count per customer', 30_000);
  });
});

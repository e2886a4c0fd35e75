// The Kafka pipeline as users write it, over the wire: CREATE STREAM ... WITH (connector = 'kafka'), a continuous
// query over it, a keyed topic as a table in a pull query, CREATE SINK, and the sink's topic read back with kcat.
// Runs the real server as a child process against the mock broker.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { produceWithKafkajs, produceWithKcat, readWithKcat, type TestMessage } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { freshTopic } from './fixtures';
import { seededRandom, sourceRows, waitCaughtUp, withKafkaServer } from './pipeline';

describe('Kafka through SQL', () => {
  const fx = withKafkaServer();

  test('topic → stream → continuous query → sink, and a keyed topic as a table', async () => {
    const orders = freshTopic('sql-orders');
    const customers = freshTopic('sql-customers');
    const out = freshTopic('sql-out');
    await produceWithKafkajs(fx.kafka.brokers, orders, Array.from({ length: 100 }, (_, i) => ({
      value: JSON.stringify({ order_id: i, customer: `c${i % 3}`, amount: 1 + (i % 5), ts: new Date(Date.UTC(2026, 0, 1, 10, 0, i % 60)).toISOString() }),
      partition: i % 4,
    })));
    await produceWithKafkajs(fx.kafka.brokers, orders, [{ value: 'garbage', partition: 0 }]);
    await produceWithKafkajs(fx.kafka.brokers, customers, [
      { key: '1', value: JSON.stringify({ id: 1, region: 'eu' }) },
      { key: '2', value: JSON.stringify({ id: 2, region: 'us' }) },
      { key: '1', value: JSON.stringify({ id: 1, region: 'apac' }) },
      { key: '2', value: null },
    ]);

    await fx.client.query(`CREATE STREAM orders (order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION,
      ts TIMESTAMPTZ NOT NULL) WITH (connector = 'kafka', topic = '${orders}', brokers = '${fx.kafka.brokers}', format = 'json')`);
    await fx.client.query(`CREATE TABLE customers (id BIGINT PRIMARY KEY, region TEXT)
      WITH (connector = 'kafka', topic = '${customers}', brokers = '${fx.kafka.brokers}', format = 'json')`);
    await fx.client.query(`CREATE CONTINUOUS QUERY per_customer AS
      SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer`);
    await fx.client.query(`CREATE SINK per_customer_out FROM per_customer
      WITH (connector = 'kafka', topic = '${out}', brokers = '${fx.kafka.brokers}', format = 'json', key = 'customer')`);

    // Batch truth: order i has customer c(i % 3) and amount 1 + (i % 5).
    const expected = new Map<string, { n: number; total: number }>();
    for (let i = 0; i < 100; i++) {
      const e = expected.get(`c${i % 3}`) ?? { n: 0, total: 0 };
      e.n++;
      e.total += 1 + (i % 5);
      expected.set(`c${i % 3}`, e);
    }
    const current = async (): Promise<Map<string, { n: number; total: number }>> => {
      const r = await fx.client.query('SELECT customer, n, total FROM per_customer ORDER BY customer');
      return new Map(r.rows.map((row: { customer: string; n: string; total: string }) => [row.customer, { n: Number(row.n), total: Number(row.total) }]));
    };
    await waitFor(async () => (await current()).get('c0')?.n === expected.get('c0')!.n && (await current()).size === 3, 'the query counts every order', 30_000);
    assert.deepEqual(await current(), expected);

    const table = await fx.client.query('SELECT id, region FROM customers ORDER BY id');
    assert.deepEqual(table.rows.map((r: { id: string; region: string }) => [Number(r.id), r.region]), [[1, 'apac']]);

    const dead = await fx.client.query(`SELECT source, reason FROM sluice.dead_letters WHERE source = 'orders'`);
    assert.deepEqual(dead.rows, [{ source: 'orders', reason: 'parse' }]);

    await waitFor(async () => {
      const last = new Map<string, string | null>();
      for (const m of await readWithKcat(fx.kafka.brokers, out)) last.set(m.key ?? '', m.value);
      return [...expected].every(([c, e]) => {
        const v = last.get(c);
        return v != null && JSON.parse(v).n === e.n && JSON.parse(v).total === e.total;
      });
    }, 'the sink topic holds the final count per customer', 30_000);
    // sluice.sinks shows the sink's connector as sluice.sources does: caught up, where it stands, no error.
    await waitCaughtUp(fx.client, { sinks: ['per_customer_out'] });
    const sink = (await fx.client.query(`SELECT connector, state, position, lag, last_error FROM sluice.sinks WHERE name = 'per_customer_out'`)).rows[0];
    const asSource = (await sourceRows(fx.client)).get('per_customer_out')!;
    assert.deepEqual(sink, { connector: 'kafka', state: 'running', position: asSource.position, lag: '0', last_error: null });
    assert.match(String(sink.position), /^[1-9][0-9]*$/);
  });
  test('a keyed CSV topic with a two-column key as a table: upserts, tombstones, pull queries, a query over it', async () => {
    const topic = freshTopic('sql-inventory');
    const seed = Number(process.env.SLUICE_TEST_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    // The model: what a consumer replaying the whole topic ends with. A key's messages go to one partition (chosen
    // here, since kafkajs and kcat hash keys differently), so their order is the topic's order. Seeded; the seed is
    // in the failure message.
    const model = new Map<string, { warehouse: string; sku: number; qty: number; price: number }>();
    let produced = 0;
    let tombstones = 0;
    const round = async (ops: number, removeWarehouse?: string): Promise<void> => {
      const viaKafkajs: TestMessage[] = [];
      const viaKcat: string[][] = [[], [], [], []];
      const emit = (warehouse: string, sku: number, row: { qty: number; price: number } | null): void => {
        const k = `${warehouse}|${sku}`;
        const partition = (sku + warehouse.charCodeAt(1)) % 4;
        if (row === null) {
          tombstones++;
          model.delete(k);
        } else {
          model.set(k, { warehouse, sku, ...row });
        }
        const csv = row === null ? '' : `${warehouse},${sku},${row.qty},${row.price}`;
        // Tombstone keys as a JSON object (kafkajs) or as a CSV record of the key columns (kcat); both documented.
        if (partition < 2) viaKafkajs.push({ key: JSON.stringify({ warehouse, sku }), value: row === null ? null : csv, partition });
        else viaKcat[partition].push(`${warehouse},${sku}\t${csv}`);
        produced++;
      };
      for (let i = 0; i < ops; i++) {
        const warehouse = `w${Math.floor(random() * 3)}`;
        const sku = Math.floor(random() * 12);
        emit(warehouse, sku, random() < 0.25 ? null : { qty: Math.floor(random() * 50), price: Math.floor(random() * 40) / 4 });
      }
      if (removeWarehouse !== undefined) {
        for (const v of [...model.values()]) if (v.warehouse === removeWarehouse) emit(v.warehouse, v.sku, null);
      }
      // Partitions 0 and 1 with kafkajs, 2 and 3 with kcat: each key's messages keep their order in its partition.
      await produceWithKafkajs(fx.kafka.brokers, topic, viaKafkajs);
      for (let p = 0; p < 4; p++) {
        if (viaKcat[p].length > 0) await produceWithKcat(fx.kafka.brokers, topic, viaKcat[p], { partition: p, keyed: true, nullEmpty: true });
      }
    };
    await round(150);
    await fx.client.query(`CREATE TABLE inventory (warehouse TEXT, sku BIGINT, qty INTEGER, price DOUBLE PRECISION,
      PRIMARY KEY (warehouse, sku)) WITH (connector = 'kafka', topic = '${topic}', brokers = '${fx.kafka.brokers}', format = 'csv')`);
    await fx.client.query(`CREATE CONTINUOUS QUERY stock WITH (trigger_interval = '200 milliseconds') AS
      SELECT warehouse, count(*) AS skus, sum(qty) AS units FROM inventory GROUP BY warehouse`);

    const check = async (label: string): Promise<void> => {
      await waitCaughtUp(fx.client, { messages: { inventory: produced }, queries: ['stock'] });
      const want = [...model.values()].sort((a, b) => a.warehouse.localeCompare(b.warehouse) || a.sku - b.sku);
      const got = await fx.client.query('SELECT warehouse, sku, qty, price FROM inventory ORDER BY warehouse, sku');
      assert.deepEqual(got.rows.map((r) => ({ ...r, sku: Number(r.sku) })), want, `${label}: the table's rows (seed ${seed})`);
      const one = want[Math.floor(want.length / 2)];
      const point = await fx.client.query('SELECT qty FROM inventory WHERE warehouse = $1 AND sku = $2', [one.warehouse, one.sku]);
      assert.deepEqual(point.rows, [{ qty: one.qty }]);
      const byWarehouse = new Map<string, { skus: number; units: number }>();
      for (const v of want) {
        const w = byWarehouse.get(v.warehouse) ?? { skus: 0, units: 0 };
        w.skus++;
        w.units += v.qty;
        byWarehouse.set(v.warehouse, w);
      }
      const pull = await fx.client.query('SELECT warehouse, count(*) AS skus, sum(qty) AS units FROM inventory GROUP BY warehouse');
      const asMap = (rows: { warehouse: string; skus: string; units: string }[]): Map<string, { skus: number; units: number }> =>
        new Map(rows.map((r) => [r.warehouse, { skus: Number(r.skus), units: Number(r.units) }]));
      assert.deepEqual(asMap(pull.rows), byWarehouse, `${label}: a pull aggregate over the table`);
      assert.deepEqual(asMap((await fx.client.query('SELECT * FROM stock')).rows), byWarehouse, `${label}: the continuous query over it`);
    };
    await check('first round');
    // More upserts and tombstones, then every row of w1 deleted: its group leaves the continuous query's result.
    await round(150, 'w1');
    assert.ok(tombstones > 40, 'tombstones were sent');
    await check('after deleting w1');
    assert.equal((await fx.client.query(`SELECT count(*)::int AS n FROM inventory WHERE warehouse = 'w1'`)).rows[0].n, 0);
    assert.equal((await fx.client.query(`SELECT count(*)::int AS n FROM stock WHERE warehouse = 'w1'`)).rows[0].n, 0);
    const src = (await sourceRows(fx.client)).get('inventory')!;
    assert.deepEqual({ kind: src.kind, state: src.state, dead: src.dead_letters, lag: src.lag }, { kind: 'source', state: 'running', dead: 0, lag: 0 });
    // A table fed by a topic is not changed by statements: the topic owns its rows.
    await assert.rejects(fx.client.query(`DELETE FROM inventory WHERE warehouse = 'w0'`), { code: '42809' });
  });

  test('JSON numbers keep every digit in NUMERIC and BIGINT columns', async () => {
    const topic = freshTopic('sql-digits');
    // Written by hand: JSON.stringify of a JavaScript number would already have lost the digits.
    await produceWithKafkajs(fx.kafka.brokers, topic, [
      { value: '{"id": 9007199254740993, "amount": 12345678901234567890.123456789}' },
      { value: '{"id": -9223372036854775808, "amount": 1.50}' },
    ]);
    await fx.client.query(`CREATE STREAM payments (id BIGINT, amount NUMERIC)
      WITH (connector = 'kafka', topic = '${topic}', brokers = '${fx.kafka.brokers}', format = 'json', retention = '1 hour')`);
    await fx.client.query('CREATE CONTINUOUS QUERY payment_list AS SELECT id, amount FROM payments');
    const rows = async () => (await fx.client.query({ text: 'SELECT id::text, amount::text FROM payment_list ORDER BY id', rowMode: 'array' })).rows;
    await waitFor(async () => (await rows()).length === 2, 'both payments in the query', 30_000);
    assert.deepEqual(await rows(), [['-9223372036854775808', '1.50'], ['9007199254740993', '12345678901234567890.123456789']]);
  });
});

// The pipeline of docs/kafka.md ("A pipeline, from CREATE STREAM to CREATE SINK"), run as written there (only the
// brokers and topic names replaced) through the real server against the mock broker: a JSON orders topic, a keyed
// customers topic as a table, a TUMBLE joined with the table, and a keyed sink. The result must equal the batch
// result computed here, and the sink topic's last value per key the result.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { produceWithKafkajs, readWithKcat } from '../helpers/kafka';
import { freshTopic } from './fixtures';
import { lastValuePerKey, millis, queryRows, waitCaughtUp, withKafkaServer } from './pipeline';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'kafka.md');

/** The statements of the first ```sql block after the pipeline heading, comments removed. */
function docStatements(): string[] {
  const md = readFileSync(DOC, 'utf8');
  const section = md.slice(md.indexOf('## A pipeline, from CREATE STREAM to CREATE SINK'));
  const block = /```sql\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/kafka.md has no sql block in its pipeline section');
  return block[1].split('\n').filter((l) => !l.trim().startsWith('--')).join('\n')
    .split(';').map((s) => s.trim()).filter((s) => s !== '');
}

describe('the pipeline of docs/kafka.md', () => {
  const fx = withKafkaServer();

  test('as the docs write it: CREATE STREAM, CREATE TABLE, a windowed join, CREATE SINK', async () => {
    const topics = { orders: freshTopic('doc-orders'), customers: freshTopic('doc-customers'), revenue: freshTopic('doc-revenue') };
    const statements = docStatements().map((s) => s
      .replace(/brokers = '[^']*'/g, `brokers = '${fx.kafka.brokers}'`)
      .replace(/topic = '(orders|customers|revenue)'/g, (_m, t: keyof typeof topics) => `topic = '${topics[t]}'`));
    assert.deepEqual(statements.map((s) => s.split(/\s+/).slice(0, 2).join(' ')),
      ['CREATE STREAM', 'CREATE TABLE', 'CREATE CONTINUOUS', 'CREATE SINK'], 'the docs show the whole pipeline');

    // Customers first, so every order meets its customer's current row (a lookup join); customer 9 is deleted.
    const regions = ['eu', 'us', 'apac'];
    const region = new Map<number, string>();
    const customers = [];
    for (let id = 0; id < 10; id++) {
      customers.push({ key: String(id), value: JSON.stringify({ id, name: `n${id}`, region: regions[id % 3] }), partition: id % 4 });
      region.set(id, regions[id % 3]);
    }
    customers.push({ key: '4', value: JSON.stringify({ id: 4, name: 'n4', region: 'apac' }), partition: 0 });
    region.set(4, 'apac');
    customers.push({ key: '9', value: null, partition: 1 });
    region.delete(9);
    await produceWithKafkajs(fx.kafka.brokers, topics.customers, customers);
    // The orders topic exists (with its 4 partitions) before the stream reads it.
    await produceWithKafkajs(fx.kafka.brokers, topics.orders, [{ value: JSON.stringify({ order_id: -1, customer: 0, amount: 0.5, ts: '2026-01-01T09:00:00Z' }), partition: 0 }]);

    for (const s of statements) await fx.client.query(s);
    await waitCaughtUp(fx.client, { messages: { customers: customers.length, orders: 1 }, queries: ['revenue_per_region'] });

    // 400 orders within 4 seconds across a minute boundary: the skew between partitions stays under the 5-second
    // WATERMARK delay, so none is late.
    const start = Date.UTC(2026, 0, 1, 10, 0, 58);
    const orders = Array.from({ length: 400 }, (_, i) => ({ order_id: i, customer: i % 10, amount: (i % 8) + 0.25, ts: start + i * 10 }));
    await produceWithKafkajs(fx.kafka.brokers, topics.orders, orders.map((o) => ({
      value: JSON.stringify({ ...o, ts: new Date(o.ts).toISOString() }), partition: o.order_id % 4,
    })));
    await waitCaughtUp(fx.client, { messages: { customers: customers.length, orders: 401 }, queries: ['revenue_per_region'] });

    const want = new Map<string, { revenue: number; orders: number }>();
    for (const o of [{ order_id: -1, customer: 0, amount: 0.5, ts: Date.UTC(2026, 0, 1, 9) }, ...orders]) {
      const r = region.get(o.customer);
      if (r === undefined) continue;
      const k = `${Math.floor(o.ts / 60_000) * 60_000}|${r}`;
      const w = want.get(k) ?? { revenue: 0, orders: 0 };
      w.revenue += o.amount;
      w.orders++;
      want.set(k, w);
    }
    const got = (await fx.client.query('SELECT * FROM revenue_per_region ORDER BY window_start, region')).rows;
    assert.deepEqual(new Map(got.map((r) => [`${millis(r.window_start)}|${r.region}`, { revenue: r.revenue, orders: Number(r.orders) }])), want);
    assert.equal((await queryRows(fx.client)).get('revenue_per_region')!.late_rows, 0);

    const eu = await fx.client.query(`SELECT name, region FROM customers WHERE region = 'eu' ORDER BY name`);
    assert.deepEqual(eu.rows, [0, 3, 6].map((id) => ({ name: `n${id}`, region: 'eu' })));

    await waitCaughtUp(fx.client, { sinks: ['revenue_out'] });
    const msgs = await readWithKcat(fx.kafka.brokers, topics.revenue);
    const last = lastValuePerKey(msgs, (k) => {
      const o = JSON.parse(k) as { window_start: string; region: string };
      return `${millis(o.window_start)}|${o.region}`;
    });
    assert.deepEqual(new Map([...last].map(([k, v]) => [k, { revenue: v.revenue, orders: v.orders }])), want);
    assert.ok(msgs.every((m) => m.headers['sluice-query'] === 'revenue_per_region'));
  });
});

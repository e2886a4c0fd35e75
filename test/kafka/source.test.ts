// Kafka topics into a stream's log against librdkafka's mock broker: JSON and CSV, several partitions, produced with
// kafkajs and with kcat; every message exactly once, positions stored with the rows; a restart resumes from the
// stored positions with no duplicates and no gaps.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaSource } from '../../engine/kafka';
import { ARRIVAL_COLUMN } from '../../engine/catalog';
import { T } from '../../engine/types';
import { Kafka, logLevel } from 'kafkajs';
import { produceWithKafkajs, produceWithKcat, startKafka, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { FAST, ORDER_COLUMNS, freshTopic, kafkaStream, logRows, tempStore, testLog } from './fixtures';

const SCHEMA_WITH_ARRIVAL = [...ORDER_COLUMNS, { name: ARRIVAL_COLUMN, type: T.timestamptz, nullable: false }];
const BASE_TS = Date.UTC(2026, 0, 1, 10, 0, 0);

function orderJson(id: number): string {
  return JSON.stringify({ id, customer: `c${id % 7}`, amount: id / 4, ts: new Date(BASE_TS + id * 1000).toISOString() });
}

/** The offsets committed for `groupId` on `topic`, as monitoring tools read them (partition → offset). */
async function groupOffsets(brokers: string, groupId: string, topic: string): Promise<Record<string, string>> {
  const admin = new Kafka({ clientId: 'test-monitor', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(partitions.filter((p) => p.offset !== '-1').map((p) => [String(p.partition), p.offset]));
  } finally {
    await admin.disconnect();
  }
}

function positionsTotal(p: Readonly<Record<string, string>>): number {
  return Object.values(p).reduce((s, o) => s + Number(o), 0);
}

describe('Kafka source into a stream', () => {
  let kafka: TestKafka;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    await kafka.stop();
  });

  test('a JSON topic with 4 partitions, produced with kafkajs and kcat, arrives exactly once', async () => {
    const topic = freshTopic('orders-json');
    const t = await tempStore('json');
    try {
      const id = await t.store.putDef(kafkaStream('orders', { topic, brokers: kafka.brokers, format: 'json' }));
      await produceWithKafkajs(kafka.brokers, topic, Array.from({ length: 400 }, (_, i) => ({ value: orderJson(i), partition: i % 4 })));
      await produceWithKcat(kafka.brokers, topic, Array.from({ length: 100 }, (_, i) => orderJson(400 + i)), { partition: 2 });
      const log = testLog();
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log, tuning: FAST });
      try {
        await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 500, 'all 500 messages stored');
        assert.deepEqual(t.store.sourcePositions(id), { 0: '100', 1: '100', 2: '200', 3: '100' });
        const rows = await logRows(t.store, id, SCHEMA_WITH_ARRIVAL);
        assert.equal(rows.length, 500);
        const ids = rows.map((r) => Number(r[0])).sort((a, b) => a - b);
        assert.deepEqual(ids, Array.from({ length: 500 }, (_, i) => i));
        const row42 = rows.find((r) => r[0] === 42n)!;
        assert.deepEqual(row42.slice(0, 4), [42n, 'c0', 10.5, BigInt(BASE_TS + 42_000) * 1000n]);
        const arrival = row42[4] as bigint;
        assert.ok(arrival > BigInt(Date.now() - 60_000) * 1000n && arrival <= BigInt(Date.now()) * 1000n, 'arrival is now');
        await waitFor(() => source.status().state === 'running', 'state running');
        const s = source.status();
        assert.equal(s.messages, 500);
        assert.equal(s.lag, 0);
        assert.equal(s.deadLetters, 0);
        assert.equal(s.lastError, null);
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('a CSV topic with quoted fields and NULLs', async () => {
    const topic = freshTopic('orders-csv');
    const t = await tempStore('csv');
    try {
      const id = await t.store.putDef(kafkaStream('orders_csv', { topic, brokers: kafka.brokers, format: 'csv' }));
      const lines = Array.from({ length: 200 }, (_, i) =>
        `${i},${i % 10 === 0 ? '' : `"cust, ${i}"`},${i % 3 === 0 ? '' : i * 1.5},2026-01-01 10:00:${String(i % 60).padStart(2, '0')}+00`);
      await produceWithKafkajs(kafka.brokers, topic, lines.slice(0, 120).map((value, i) => ({ value, partition: i % 4 })));
      await produceWithKcat(kafka.brokers, topic, lines.slice(120), { partition: 1 });
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      try {
        await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 200, 'all 200 CSV messages stored');
        const rows = await logRows(t.store, id, ORDER_COLUMNS);
        assert.equal(rows.length, 200);
        const byId = new Map(rows.map((r) => [Number(r[0]), r]));
        assert.equal(byId.size, 200);
        assert.deepEqual(byId.get(7), [7n, 'cust, 7', 10.5, BigInt(Date.UTC(2026, 0, 1, 10, 0, 7)) * 1000n]);
        assert.deepEqual(byId.get(30)!.slice(1, 3), [null, null]);
        assert.equal(source.status().deadLetters, 0);
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('a restart resumes from the stored positions: no duplicates, no gaps', async () => {
    const topic = freshTopic('orders-restart');
    const t = await tempStore('restart');
    try {
      const id = await t.store.putDef(kafkaStream('orders_r', { topic, brokers: kafka.brokers }));
      const produce = (from: number, n: number): Promise<void> =>
        produceWithKafkajs(kafka.brokers, topic, Array.from({ length: n }, (_, i) => ({ value: orderJson(from + i), partition: (from + i) % 4 })));
      await produce(0, 300);
      let source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 300, 'first 300 stored');
      await source.stop();

      await produce(300, 200);
      const store = await t.reopen();
      assert.equal(positionsTotal(store.sourcePositions(id)), 300, 'positions survive a reopen');
      source = startKafkaSource({ store, relationId: id, def: store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      try {
        await waitFor(() => positionsTotal(store.sourcePositions(id)) === 500, 'all 500 stored after restart');
        await produce(500, 100);
        await waitFor(() => positionsTotal(store.sourcePositions(id)) === 600, 'new messages while running');
        const ids = (await logRows(store, id, ORDER_COLUMNS)).map((r) => Number(r[0])).sort((a, b) => a - b);
        assert.deepEqual(ids, Array.from({ length: 600 }, (_, i) => i));
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('the durable positions are committed as group sluice-<name>, the same group after a restart', async () => {
    const topic = freshTopic('orders-group');
    const t = await tempStore('group');
    try {
      const id = await t.store.putDef(kafkaStream('monitored', { topic, brokers: kafka.brokers, format: 'json' }));
      const def = (): never => t.store.getDefById(id)!.def as never;
      await produceWithKafkajs(kafka.brokers, topic, Array.from({ length: 80 }, (_, i) => ({ value: orderJson(i), partition: i % 4 })));
      let committed: Record<string, string> = {};
      const waitCommitted = async (want: Record<string, string>, what: string): Promise<void> => {
        await waitFor(async () => {
          committed = await groupOffsets(kafka.brokers, 'sluice-monitored', topic);
          return JSON.stringify(committed) === JSON.stringify(want);
        }, () => `${what}; committed: ${JSON.stringify(committed)}`);
      };
      let source = startKafkaSource({ store: t.store, relationId: id, def: def(), log: testLog(), tuning: FAST });
      try {
        await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 80, 'all 80 messages stored');
        await waitCommitted({ 0: '20', 1: '20', 2: '20', 3: '20' }, 'the stored positions committed for sluice-monitored');
      } finally {
        await source.stop();
      }
      await produceWithKafkajs(kafka.brokers, topic, Array.from({ length: 10 }, (_, i) => ({ value: orderJson(80 + i), partition: 3 })));
      source = startKafkaSource({ store: t.store, relationId: id, def: def(), log: testLog(), tuning: FAST });
      try {
        await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 90, 'the 10 new messages stored');
        await waitCommitted({ 0: '20', 1: '20', 2: '20', 3: '30' }, 'the same group moved on after the restart');
        assert.deepEqual(t.store.sourcePositions(id), committed);
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('start = latest skips what is already in the topic, and remembers where it started', async () => {
    const topic = freshTopic('orders-latest');
    const t = await tempStore('latest');
    try {
      const id = await t.store.putDef(kafkaStream('orders_l', { topic, brokers: kafka.brokers, start: 'latest' }));
      await produceWithKafkajs(kafka.brokers, topic, Array.from({ length: 40 }, (_, i) => ({ value: orderJson(i), partition: i % 4 })));
      let source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 40, 'start positions stored at the end');
      await source.stop();
      // Produced while the source is down: read after the restart, since `latest` was resolved once.
      await produceWithKafkajs(kafka.brokers, topic, Array.from({ length: 20 }, (_, i) => ({ value: orderJson(100 + i), partition: i % 4 })));
      source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      try {
        await waitFor(() => positionsTotal(t.store.sourcePositions(id)) === 60, 'the 20 new messages');
        const ids = (await logRows(t.store, id, ORDER_COLUMNS)).map((r) => Number(r[0])).sort((a, b) => a - b);
        assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => 100 + i));
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });
});

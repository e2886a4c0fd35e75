// The broker going away and coming back. librdkafka 2.0.2's mock cluster has no option to restart a broker on the
// same port (only test.mock.num.brokers and test.mock.broker.rtt), and a new mock cluster starts with no topics, so
// the outage here is the broker process frozen with SIGSTOP: connections hang and every request times out, as with
// a dead host or a partition; SIGCONT brings it back with its data. Sources and sinks must show 'waiting' with the
// error, log it, and resume without loss or duplication.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaSink, startKafkaSource } from '../../engine/kafka';
import { batchFromRows } from '../../engine/columns';
import { encodeChangeBatch } from '../../engine/codecs/change-batch';
import { T, type Field } from '../../engine/types';
import { produceWithKafkajs, readWithKcat, startKafka, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { FAST, ORDER_COLUMNS, freshTopic, kafkaStream, logRows, plainStream, sinkDef, tempStore, testLog } from './fixtures';

const order = (id: number): string => JSON.stringify({ id, customer: 'c', amount: 1, ts: '2026-01-01T10:00:00Z' });

describe('broker outage', () => {
  let kafka: TestKafka;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    kafka.resume();
    await kafka.stop();
  });

  test('a source waits while the broker is unreachable and resumes without loss or duplicates', async () => {
    const topic = freshTopic('outage-src');
    const t = await tempStore('outage-src');
    try {
      const id = await t.store.putDef(kafkaStream('o', { topic, brokers: kafka.brokers }));
      const produce = (from: number, n: number): Promise<void> =>
        produceWithKafkajs(kafka.brokers, topic, Array.from({ length: n }, (_, i) => ({ value: order(from + i), partition: (from + i) % 4 })));
      await produce(0, 100);
      const log = testLog();
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log, tuning: FAST });
      try {
        await waitFor(() => source.status().messages === 100, 'the first 100');
        kafka.pause();
        try {
          await waitFor(() => source.status().state === 'waiting', 'the source notices the outage', 30_000);
          assert.ok(source.status().lastError, 'lastError says why');
          assert.ok(log.lines.some((l) => l.level === 'warn' && l.msg === 'Kafka source waiting for the broker'));
        } finally {
          kafka.resume();
        }
        await produce(100, 100);
        await waitFor(() => source.status().messages === 200, 'the next 100 after the broker is back', 30_000);
        assert.equal(source.status().state, 'running');
        const ids = (await logRows(t.store, id, ORDER_COLUMNS)).map((r) => Number(r[0])).sort((a, b) => a - b);
        assert.deepEqual(ids, Array.from({ length: 200 }, (_, i) => i));
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('a source and a sink pointed at no broker wait, say why, and stop promptly', async () => {
    const t = await tempStore('nobroker');
    try {
      const id = await t.store.putDef(kafkaStream('nowhere', { topic: 'x', brokers: '127.0.0.1:1' }));
      const fromId = await t.store.putDef(plainStream('vals', ORDER_COLUMNS));
      const def = sinkDef('nowhere_out', 'vals', { topic: 'x', brokers: '127.0.0.1:1' });
      const sinkId = await t.store.putDef(def);
      await t.store.appendToLog(fromId, encodeChangeBatch({ data: batchFromRows(ORDER_COLUMNS, [[1n, 'c', 1, 0n]]), diffs: null }));
      const log = testLog();
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log, tuning: FAST });
      const sink = startKafkaSink({ store: t.store, sinkId, def, fromRelationId: fromId, fromSchema: ORDER_COLUMNS, log, tuning: FAST });
      await waitFor(() => source.status().lastError !== null && sink.status().lastError !== null, 'both report an error', 20_000);
      assert.equal(source.status().state, 'waiting');
      assert.equal(sink.status().state, 'waiting');
      assert.match(source.status().lastError!, /ECONNREFUSED|connect/i);
      const started = Date.now();
      await Promise.all([source.stop(), sink.stop()]);
      assert.ok(Date.now() - started < 5000, 'stop does not wait out the backoff');
      assert.equal(sink.status().position, 0n);
    } finally {
      await t.close();
    }
  });

  test('a sink waits while the broker is unreachable and re-sends what was not acknowledged', async () => {
    const topic = freshTopic('outage-sink');
    const t = await tempStore('outage-sink');
    const columns: Field[] = [{ name: 'k', type: T.int8, nullable: false }, { name: 'v', type: T.text, nullable: true }];
    try {
      const fromId = await t.store.putDef(plainStream('vals', columns));
      const def = sinkDef('vals_out', 'vals', { topic, brokers: kafka.brokers, key: 'k' });
      const sinkId = await t.store.putDef(def);
      const append = (k: number): Promise<bigint> =>
        t.store.appendToLog(fromId, encodeChangeBatch({ data: batchFromRows(columns, [[BigInt(k), `v${k}`]]), diffs: null }));
      const log = testLog();
      const sink = startKafkaSink({ store: t.store, sinkId, def, fromRelationId: fromId, fromSchema: columns, log, tuning: FAST });
      try {
        await append(1);
        await waitFor(() => sink.status().position === 1n, 'entry 1 shipped');
        kafka.pause();
        try {
          await append(2);
          await append(3);
          await waitFor(() => sink.status().state === 'waiting', 'the sink notices the outage', 30_000);
          assert.ok(sink.status().lastError);
          assert.equal(sink.status().position, 1n);
          assert.ok(log.lines.some((l) => l.level === 'warn' && l.msg === 'Kafka sink waiting for the broker'));
        } finally {
          kafka.resume();
        }
        await waitFor(() => sink.status().position === 3n, 'entries 2 and 3 after the broker is back', 30_000);
        assert.equal(sink.status().state, 'running');
      } finally {
        await sink.stop();
      }
      const messages = await readWithKcat(kafka.brokers, topic);
      // Sent during the outage maybe more than once, but each (epoch, position) always with the same key and value.
      const seen = new Map<string, string>();
      for (const m of messages) {
        const id = `${m.headers['sluice-epoch']}/${m.headers['sluice-position']}`;
        const body = `${m.key}=${m.value}`;
        assert.equal(seen.get(id) ?? body, body);
        seen.set(id, body);
      }
      assert.deepEqual([...seen.keys()].sort(), ['1/0', '2/0', '3/0']);
    } finally {
      await t.close();
    }
  });
});

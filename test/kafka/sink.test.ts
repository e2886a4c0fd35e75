// A sink ships a log's changes to a topic: JSON rows keyed by the key columns, deletes as tombstones, headers naming
// query, epoch and position; read back with kafkajs and with kcat. After a crash between the broker's acknowledgement
// and the recorded position, the re-sent messages carry the same headers, and the last value per key stays right.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaSink } from '../../engine/kafka';
import { batchFromRows } from '../../engine/columns';
import { T, type Field, type Value } from '../../engine/types';
import { encodeChangeBatch } from '../../engine/codecs/change-batch';
import { readWithKafkajs, readWithKcat, startKafka, type ReadMessage, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { FAST, freshTopic, plainStream, sinkDef, tempStore, testLog } from './fixtures';

const COLUMNS: Field[] = [
  { name: 'customer', type: T.text, nullable: false },
  { name: 'total', type: T.float8, nullable: true },
  { name: 'n', type: T.int8, nullable: false },
  { name: 'at', type: T.timestamptz, nullable: true },
];

const AT = BigInt(Date.UTC(2026, 0, 1, 10, 0, 0)) * 1000n;

/** Encoded as the engine stores it in a log. */
function changes(rows: [number, string, number][]): Uint8Array {
  const data = batchFromRows(COLUMNS, rows.map(([, c, total]): Value[] => [c, total, BigInt(Math.round(total)), AT]));
  return encodeChangeBatch({ data, diffs: Int32Array.from(rows.map(([d]) => d)) });
}

/** The value of the last message per key, in topic order per partition (null: tombstone). */
function lastPerKey(messages: readonly ReadMessage[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const m of messages) out.set(m.key ?? '', m.value);
  return out;
}

const headerOf = (m: ReadMessage): string => `${m.headers['sluice-epoch']}/${m.headers['sluice-position']}`;

describe('Kafka sink', () => {
  let kafka: TestKafka;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    await kafka.stop();
  });

  test('keyed: rows as JSON, deletes as tombstones, headers, last value per key; re-sent after a crash', async () => {
    const topic = freshTopic('totals');
    const t = await tempStore('sink');
    try {
      const fromId = await t.store.putDef(plainStream('totals', COLUMNS));
      const def = sinkDef('totals_out', 'totals', { topic, brokers: kafka.brokers, key: 'customer' });
      const sinkId = await t.store.putDef(def);
      await t.store.appendToLog(fromId, changes([[1, 'acme', 10], [1, 'globex', 5]]));
      await t.store.appendToLog(fromId, changes([[-1, 'acme', 10], [1, 'acme', 25]]));
      const log = testLog();
      const first = startKafkaSink({
        store: t.store, sinkId, def, fromRelationId: fromId, fromSchema: COLUMNS, log, tuning: FAST,
        afterSend: (seq) => {
          if (seq >= 3n) throw new Error('simulated crash after the broker acknowledged entries 3 and 4');
        },
      });
      await waitFor(() => first.status().position === 2n, 'entries 1 and 2 acknowledged');
      assert.equal(t.store.queryOffsets(sinkId)[fromId], 2n, 'the position is recorded durably');
      // Appended together (one write), so the sink sends them together.
      await Promise.all([
        t.store.appendToLog(fromId, changes([[1, 'initech', 1], [-1, 'globex', 5]])),
        // An update with the insert before the delete: still the new row, not a tombstone.
        t.store.appendToLog(fromId, changes([[1, 'acme', 30], [-1, 'acme', 25]])),
      ]);
      await waitFor(() => first.status().state === 'failed', 'the simulated crash');
      assert.equal(first.status().position, 2n);
      assert.equal(t.store.queryOffsets(sinkId)[fromId], 2n, 'entries 3 and 4 were sent but not recorded');
      await first.stop();

      // The "restarted" sink re-sends entries 3 and 4.
      const second = startKafkaSink({ store: t.store, sinkId, def, fromRelationId: fromId, fromSchema: COLUMNS, log, tuning: FAST });
      try {
        await waitFor(() => second.status().position === 4n, 'entries 3 and 4 re-sent and recorded');
        assert.equal(second.status().state, 'running');
        assert.equal(second.status().lag, 0);
      } finally {
        await second.stop();
      }
      assert.equal(t.store.queryOffsets(sinkId)[fromId], 4n);

      const viaKcat = await readWithKcat(kafka.brokers, topic);
      const viaKafkajs = await readWithKafkajs(kafka.brokers, topic, viaKcat.length);
      assert.deepEqual(viaKafkajs, viaKcat, 'kcat and kafkajs read the same messages');
      // 2 + 1 + 2 + 1 messages, and 3 of them twice.
      assert.equal(viaKcat.length, 9);
      const byHeader = new Map<string, ReadMessage[]>();
      for (const m of viaKcat) byHeader.set(headerOf(m), [...(byHeader.get(headerOf(m)) ?? []), m]);
      assert.deepEqual([...byHeader.keys()].sort(), ['1/0', '1/1', '2/1', '3/0', '3/1', '4/0']);
      for (const [h, copies] of byHeader) {
        assert.equal(copies.length, h.startsWith('3/') || h.startsWith('4/') ? 2 : 1, `copies of ${h}`);
        for (const c of copies) {
          assert.equal(c.key, copies[0].key);
          assert.equal(c.value, copies[0].value, 'a re-sent message is the same message');
          assert.equal(c.headers['sluice-query'], 'totals');
        }
      }
      const acme = viaKcat.find((m) => headerOf(m) === '1/0')!;
      assert.equal(acme.key, 'acme', 'a single TEXT key is its raw text');
      assert.deepEqual(JSON.parse(acme.value!), { customer: 'acme', total: 10, n: 10, at: '2026-01-01T10:00:00+00:00' });
      assert.equal(acme.headers['sluice-op'], 'insert');
      const tomb = viaKcat.find((m) => headerOf(m) === '3/1')!;
      assert.equal(tomb.key, 'globex');
      assert.equal(tomb.value, null);
      assert.equal(tomb.headers['sluice-op'], 'delete');

      const last = lastPerKey(viaKcat);
      assert.deepEqual(Object.fromEntries([...last].map(([k, v]) => [k, v === null ? null : JSON.parse(v).total])),
        { acme: 30, globex: null, initech: 1 });
    } finally {
      await t.close();
    }
  });

  test('unkeyed: every change in order, a delete marked by its header; follows new entries as they come', async () => {
    const topic = freshTopic('events-out');
    const t = await tempStore('sink-unkeyed');
    try {
      const fromId = await t.store.putDef(plainStream('events', COLUMNS));
      const def = sinkDef('events_out', 'events', { topic, brokers: kafka.brokers });
      const sinkId = await t.store.putDef(def);
      const sink = startKafkaSink({ store: t.store, sinkId, def, fromRelationId: fromId, fromSchema: COLUMNS, log: testLog(), tuning: FAST });
      try {
        for (let i = 0; i < 5; i++) {
          await t.store.appendToLog(fromId, encodeChangeBatch({ data: batchFromRows(COLUMNS, [[`c${i}`, i, BigInt(i), null], [`d${i}`, NaN, 9007199254740993n, AT]]), diffs: null }));
        }
        await t.store.appendToLog(fromId, changes([[-1, 'c0', 0]]));
        await waitFor(() => sink.status().position === 6n, 'all six entries shipped');
        assert.equal(sink.status().messages, 11);
      } finally {
        await sink.stop();
      }
      const viaKafkajs = await readWithKafkajs(kafka.brokers, topic, 11);
      assert.equal(viaKafkajs.length, 11);
      assert.ok(viaKafkajs.every((m) => m.key === null));
      const d3 = viaKafkajs.find((m) => m.headers['sluice-epoch'] === '4' && m.headers['sluice-position'] === '1')!;
      // A BIGINT beyond 2^53 is a string, so no JSON parser rounds it; NaN is a string, as PostgreSQL's to_json writes it.
      assert.equal(d3.value, '{"customer":"d3","total":"NaN","n":"9007199254740993","at":"2026-01-01T10:00:00+00:00"}');
      const del = viaKafkajs.filter((m) => m.headers['sluice-op'] === 'delete');
      assert.equal(del.length, 1);
      assert.equal(JSON.parse(del[0].value!).customer, 'c0');
      assert.equal(del[0].headers['sluice-epoch'], '6');
    } finally {
      await t.close();
    }
  });
});

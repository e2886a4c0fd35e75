// Bad records in a Kafka topic: not JSON, wrong types, missing NOT NULL fields, invalid UTF-8, oversized, no value.
// With on_error = dead_letter (the default) each lands in the dead letters with its raw bytes, partition, offset and
// reason, and every valid record arrives; `skip` counts and drops them; `fail` stops the source at the first one,
// keeping what came before it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaSource } from '../../engine/kafka';
import { MAX_RECORD_BYTES } from '../../engine/kafka';
import { produceWithKafkajs, produceWithKcat, startKafka, type TestKafka, type TestMessage } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { FAST, ORDER_COLUMNS, freshTopic, kafkaStream, logRows, tempStore, testLog } from './fixtures';

const good = (id: number): string => JSON.stringify({ id, customer: `c${id}`, amount: id, ts: '2026-01-01T10:00:00Z' });

/** Poison, with the reason each must be given. */
const POISON: { value: string | Buffer | null; reason: string }[] = [
  { value: 'not json{', reason: 'parse' },
  { value: '[1, 2, 3]', reason: 'parse' },
  { value: null, reason: 'parse' },
  { value: JSON.stringify({ id: 'abc', ts: '2026-01-01T10:00:00Z' }), reason: 'type' },
  { value: JSON.stringify({ id: 1.5, ts: '2026-01-01T10:00:00Z' }), reason: 'type' },
  { value: JSON.stringify({ id: 2, amount: 'lots', ts: '2026-01-01T10:00:00Z' }), reason: 'type' },
  { value: JSON.stringify({ id: 3, ts: 'yesterday-ish' }), reason: 'type' },
  { value: JSON.stringify({ customer: 'nobody', ts: '2026-01-01T10:00:00Z' }), reason: 'not_null' },
  { value: JSON.stringify({ id: null, ts: '2026-01-01T10:00:00Z' }), reason: 'not_null' },
  { value: JSON.stringify({ id: 4 }), reason: 'not_null' },
  { value: Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x31, 0x2c, 0x22, 0x63, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), reason: 'encoding' },
  { value: JSON.stringify({ id: 5, customer: 'x'.repeat(MAX_RECORD_BYTES), ts: '2026-01-01T10:00:00Z' }), reason: 'size' },
];

/** 200 good records on 4 partitions with the poison spread among them; returns the messages in produce order. */
function mixedMessages(): TestMessage[] {
  const out: TestMessage[] = [];
  for (let i = 0; i < 200; i++) {
    out.push({ value: good(1000 + i), partition: i % 4 });
    if (i % 16 === 5 && out.length < 200 + POISON.length) {
      const p = POISON[Math.floor(i / 16)];
      if (p) out.push({ value: p.value, partition: (i + 1) % 4 });
    }
  }
  return out;
}

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

describe('bad Kafka records', () => {
  let kafka: TestKafka;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    await kafka.stop();
  });

  test('dead_letter: each bad record is kept with its bytes and reason, every valid record arrives', async () => {
    const topic = freshTopic('poison');
    const t = await tempStore('poison');
    try {
      const id = await t.store.putDef(kafkaStream('dirty', { topic, brokers: kafka.brokers }));
      const messages = mixedMessages();
      assert.equal(messages.length, 200 + POISON.length);
      await produceWithKafkajs(kafka.brokers, topic, messages);
      // Poison through kcat too: two lines that are not JSON objects.
      await produceWithKcat(kafka.brokers, topic, ['{"id": 7, "ts": ', 'plain text'], { partition: 3 });
      const total = messages.length + 2;
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      try {
        await waitFor(() => source.status().messages === total, `all ${total} messages consumed`, 20_000);
        const ids = (await logRows(t.store, id, ORDER_COLUMNS)).map((r) => Number(r[0])).sort((a, b) => a - b);
        assert.deepEqual(ids, Array.from({ length: 200 }, (_, i) => 1000 + i), 'every valid record, once');
        const dead = await t.store.listDeadLetters();
        assert.equal(dead.length, POISON.length + 2);
        assert.equal(source.status().deadLetters, POISON.length + 2);
        const expected = countBy([...POISON.map((p) => p.reason), 'parse', 'parse']);
        assert.deepEqual(countBy(dead.map((d) => d.reason)), expected);
        for (const d of dead) {
          assert.equal(d.source, 'dirty');
          assert.ok(d.partition !== null && d.partition >= 0 && d.partition < 4);
          assert.match(d.offset ?? '', /^\d+$/);
          assert.ok(d.error.length > 0);
        }
        // Raw bytes are kept exactly, including the invalid UTF-8 and the oversized record.
        const enc = dead.find((d) => d.reason === 'encoding')!;
        assert.deepEqual(Buffer.from(enc.raw), POISON.find((p) => p.reason === 'encoding')!.value);
        const size = dead.find((d) => d.reason === 'size')!;
        assert.equal(size.raw.length, (POISON.find((p) => p.reason === 'size')!.value as string).length);
        const amount = dead.find((d) => d.reason === 'type' && Buffer.from(d.raw).toString().includes('lots'))!;
        assert.match(amount.error, /column "amount"/);
        const missing = dead.find((d) => d.reason === 'not_null' && Buffer.from(d.raw).toString().includes('nobody'))!;
        assert.match(missing.error, /column "id"/);
        // Positions cover the bad records too: they are never read again.
        const positions = Object.values(t.store.sourcePositions(id)).reduce((s, o) => s + Number(o), 0);
        assert.equal(positions, total);
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('skip: bad records are counted and dropped, no dead letters', async () => {
    const topic = freshTopic('poison-skip');
    const t = await tempStore('skip');
    try {
      const id = await t.store.putDef(kafkaStream('skippy', { topic, brokers: kafka.brokers, on_error: 'skip' }));
      const messages = mixedMessages();
      await produceWithKafkajs(kafka.brokers, topic, messages);
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
      try {
        await waitFor(() => source.status().messages === messages.length, 'all consumed', 20_000);
        assert.equal((await logRows(t.store, id, ORDER_COLUMNS)).length, 200);
        assert.equal(source.status().skipped, POISON.length);
        assert.equal(source.status().deadLetters, 0);
        assert.equal((await t.store.listDeadLetters()).length, 0);
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('fail: the source stops at the first bad record, keeping the good ones before it', async () => {
    const topic = freshTopic('poison-fail');
    const t = await tempStore('fail');
    try {
      const id = await t.store.putDef(kafkaStream('strict', { topic, brokers: kafka.brokers, on_error: 'fail' }));
      const messages: TestMessage[] = [
        ...Array.from({ length: 10 }, (_, i) => ({ value: good(i), partition: 0 })),
        { value: '{"id": "ten"}', partition: 0 },
        ...Array.from({ length: 5 }, (_, i) => ({ value: good(20 + i), partition: 0 })),
      ];
      await produceWithKafkajs(kafka.brokers, topic, messages);
      const log = testLog();
      const source = startKafkaSource({ store: t.store, relationId: id, def: t.store.getDefById(id)!.def as never, log, tuning: FAST });
      try {
        await waitFor(() => source.status().state === 'failed', 'the source fails');
        const s = source.status();
        assert.match(s.lastError ?? '', /partition 0 offset 10 .*\(type\).*column "id"/);
        assert.ok(log.lines.some((l) => l.level === 'error' && l.msg === 'Kafka source failed'));
        const ids = (await logRows(t.store, id, ORDER_COLUMNS)).map((r) => Number(r[0]));
        assert.deepEqual(ids, Array.from({ length: 10 }, (_, i) => i));
        // The position stops at the bad record: a restart meets it again rather than skipping it.
        assert.equal(t.store.sourcePositions(id)['0'], '10');
        assert.equal((await t.store.listDeadLetters()).length, 0);
      } finally {
        await source.stop();
      }
    } finally {
      await t.close();
    }
  });
});

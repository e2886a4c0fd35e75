// Watermarks of Kafka streams, through the real server against the mock broker: one per partition, the stream's the
// minimum over them, so partitions far apart in event time, each in order, make no row late; a stream without
// WATERMARK FOR has no late rows at all; a partition with no message for idle_timeout stops holding the watermark
// back, so windows over the other partitions close.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { produceWithKafkajs } from '../helpers/kafka';
import { waitFor, waitForValue } from '../helpers/wait';
import { freshTopic } from './fixtures';
import { withKafkaServer } from './pipeline';

const BASE = Date.UTC(2026, 0, 1, 10, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const PARTITIONS = 4;

const event = (partition: number, i: number, ts: number): { value: string; partition: number } =>
  ({ value: JSON.stringify({ id: i, ts: new Date(ts).toISOString() }), partition });

describe('Kafka stream watermarks, through the server', () => {
  const fx = withKafkaServer();

  const counts = async (query: string): Promise<{ rows: number; late: number; watermark: string | null }> => {
    const r = await fx.client.query(`SELECT coalesce(sum(n), 0)::bigint AS rows FROM ${query}`);
    const q = await fx.client.query('SELECT late_rows, watermark::text FROM sluice.queries WHERE name = $1', [query]);
    return { rows: Number(r.rows[0].rows), late: Number(q.rows[0].late_rows), watermark: q.rows[0].watermark };
  };

  test('four partitions ten minutes apart, each in order: no row is late, and the watermark is the slowest one\'s', async () => {
    const topic = freshTopic('wm-partitions');
    const b = fx.kafka.brokers;
    // Partition p is p * 10 minutes ahead of partition 0; each round adds 30 s to every partition.
    const ROUNDS = 4;
    const PER_ROUND = 30;
    const timeOf = (p: number, j: number): number => BASE + p * 10 * MINUTE + j * SECOND;
    const round = (r: number) => produceWithKafkajs(b, topic, Array.from({ length: PARTITIONS }, (_, p) =>
      Array.from({ length: PER_ROUND }, (_, k) => event(p, r * PER_ROUND + k, timeOf(p, r * PER_ROUND + k)))).flat());
    await round(0);
    for (const [name, watermark] of [['timed', ', WATERMARK FOR ts AS ts - INTERVAL \'1 minute\''], ['untimed', '']]) {
      await fx.client.query(`CREATE STREAM ${name} (id BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL${watermark})
        WITH (connector = 'kafka', topic = '${topic}', brokers = '${b}', format = 'json')`);
      await fx.client.query(`CREATE CONTINUOUS QUERY ${name}_per_minute WITH (trigger_interval = '100 milliseconds') AS
        SELECT window_start, count(*) AS n FROM TUMBLE(${name}, ts, INTERVAL '1 minute') GROUP BY window_start`);
    }
    // Round after round, once the last is in: every partition's new rows come after others far ahead of them.
    for (let r = 1; r <= ROUNDS; r++) {
      const expected = r * PARTITIONS * PER_ROUND;
      for (const query of ['timed_per_minute', 'untimed_per_minute']) {
        await waitForValue(() => counts(query), (c) => c.rows + c.late >= expected, `${query} to read round ${r - 1}`);
      }
      if (r < ROUNDS) await round(r);
    }
    const total = ROUNDS * PARTITIONS * PER_ROUND;
    const timed = await counts('timed_per_minute');
    assert.deepEqual({ rows: timed.rows, late: timed.late }, { rows: total, late: 0 });
    // The minimum over the partitions: partition 0's last event time, less the delay.
    assert.equal(timed.watermark, '2026-01-01 10:00:59+00');
    const untimed = await counts('untimed_per_minute');
    assert.deepEqual(untimed, { rows: total, late: 0, watermark: null });
    const dead = await fx.client.query(`SELECT count(*)::int AS n FROM sluice.dead_letters WHERE reason = 'late'`);
    assert.equal(dead.rows[0].n, 0);
  });

  test('a partition with no message for idle_timeout stops holding the watermark back', async () => {
    const topic = freshTopic('wm-idle');
    const b = fx.kafka.brokers;
    // Three minutes of events on partitions 0 to 2; partition 3 never gets a message.
    await produceWithKafkajs(b, topic, Array.from({ length: 180 }, (_, i) => event(i % 3, i, BASE + i * SECOND)));
    for (const [name, idle] of [['eager', ', idle_timeout = \'1 second\''], ['patient', '']]) {
      await fx.client.query(`CREATE STREAM ${name} (id BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts)
        WITH (connector = 'kafka', topic = '${topic}', brokers = '${b}', format = 'json'${idle})`);
      await fx.client.query(`CREATE CONTINUOUS QUERY ${name}_closed WITH (trigger_interval = '100 milliseconds') AS
        SELECT window_start, count(*) AS n FROM TUMBLE(${name}, ts, INTERVAL '1 minute')
        GROUP BY window_start, window_end EMIT ON WINDOW CLOSE`);
    }
    // Partition 3 idle for a second: the watermark is the least of partitions 0 to 2 (10:02:57), two minutes closed.
    const closed = await waitForValue(
      async () => (await fx.client.query('SELECT window_start::text, n FROM eager_closed ORDER BY window_start')).rows,
      (rows) => rows.length >= 2, 'the first two minutes to close over the partitions that have data');
    assert.deepEqual(closed, [
      { window_start: '2026-01-01 10:00:00+00', n: '60' }, { window_start: '2026-01-01 10:01:00+00', n: '60' },
    ]);
    await waitFor(async () => (await counts('eager_closed')).watermark === '2026-01-01 10:02:57+00', 'the watermark at 10:02:57');
    // With the default idle_timeout (30 s), partition 3 still holds it back.
    const patient = await counts('patient_closed');
    assert.deepEqual(patient, { rows: 0, late: 0, watermark: null });
    const source = await fx.client.query(`SELECT messages FROM sluice.sources WHERE name = 'patient'`);
    assert.equal(Number(source.rows[0].messages), 180, 'the patient stream has read every message');

    // Partition 3 has data again: it holds the watermark back again (its row is late, below the stream's).
    await produceWithKafkajs(b, topic, [event(3, 1000, BASE + 30 * SECOND)]);
    await waitFor(async () => (await counts('eager_closed')).late === 1, 'the old row on partition 3 to be late');
  });

  test('idle_timeout must be a positive interval, and only on Kafka streams', async () => {
    const b = fx.kafka.brokers;
    await assert.rejects(fx.client.query(`CREATE STREAM bad_idle (ts TIMESTAMPTZ NOT NULL)
      WITH (connector = 'kafka', topic = 't', brokers = '${b}', idle_timeout = 'soon')`),
    (e: { code?: string; message?: string }) => e.code === '22007' && /idle_timeout/.test(e.message ?? ''));
    await assert.rejects(fx.client.query(`CREATE STREAM zero_idle (ts TIMESTAMPTZ NOT NULL)
      WITH (connector = 'kafka', topic = 't', brokers = '${b}', idle_timeout = '0 seconds')`),
    (e: { code?: string; message?: string }) => e.code === '22023' && /idle_timeout/.test(e.message ?? ''));
    await assert.rejects(fx.client.query(`CREATE STREAM local_idle (ts TIMESTAMPTZ NOT NULL) WITH (idle_timeout = '1 second')`),
      (e: { code?: string; message?: string }) => e.code === '22023' && /needs connector/.test(e.message ?? ''));
    await assert.rejects(fx.client.query(`CREATE TABLE idle_table (id BIGINT PRIMARY KEY)
      WITH (connector = 'kafka', topic = 't', brokers = '${b}', idle_timeout = '1 second')`),
    (e: { code?: string }) => e.code === '22023');
  });
});

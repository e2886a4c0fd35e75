// A full disk under a Kafka source: the source fails for want of space like a continuous query, and once space is
// freed the store reopens and the source starts again from the offsets it stored, by itself: every message produced
// reaches the stream exactly once, with no restart of the server. Needs root for the tmpfs (test/helpers/tmpfs.ts).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { produceWithKafkajs, startKafka, type TestKafka } from '../helpers/kafka';
import { connectPg, startServer } from '../helpers/server';
import { fillDisk, mountTmpfs, type Tmpfs } from '../helpers/tmpfs';
import { waitForValue } from '../helpers/wait';
import { freshTopic } from '../kafka/fixtures';

let disk: Tmpfs | null = null;
let kafka: TestKafka;

before(async () => {
  disk = mountTmpfs('24m');
  kafka = await startKafka();
});
after(async () => {
  await kafka?.stop();
  disk?.unmount();
});

const PAD = 'x'.repeat(2000);
const produce = (topic: string, from: number, n: number): Promise<void> => produceWithKafkajs(kafka.brokers, topic,
  Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ id: from + i, pad: PAD }), partition: (from + i) % 4 })));

test('a Kafka source failed by a full disk starts again by itself once space is freed, losing and repeating nothing', async () => {
  const dataDir = join(disk!.path, 'data');
  mkdirSync(dataDir);
  const server = await startServer({ dataDir });
  const c = await connectPg(server);
  const topic = freshTopic('disk-full');
  const source = async (): Promise<{ state: string; last_error: string | null }> =>
    (await c.query("SELECT state, last_error FROM sluice.sources WHERE name = 'events'")).rows[0];
  const ids = async (): Promise<number[]> => (await c.query('SELECT id FROM events ORDER BY id')).rows.map((r) => Number(r.id));
  try {
    await c.query(`CREATE STREAM events (id BIGINT, pad TEXT) WITH (connector = 'kafka', topic = '${topic}',
      brokers = '${kafka.brokers}', format = 'json', retention = '1 hour')`);
    await produce(topic, 0, 50);
    await waitForValue(ids, (got) => got.length === 50, 'the first 50 messages');

    const filler = fillDisk(disk!.path);
    await produce(topic, 50, 200);
    const failed = await waitForValue(source, (s) => s.state === 'failed', 'the source to fail for want of space', 60_000);
    assert.match(failed.last_error ?? '', /No space left on device/);

    unlinkSync(filler);
    const all = await waitForValue(ids, (got) => got.length >= 250, 'every message once space was freed', 60_000);
    assert.deepEqual(all, Array.from({ length: 250 }, (_, i) => i), 'each message exactly once');
    assert.equal((await source()).state, 'running');
  } finally {
    await c.end().catch(() => undefined);
    assert.equal(await server.stop(), 0, server.stderr().slice(-2000));
  }
});

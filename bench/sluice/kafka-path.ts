// The Kafka path: the real server as a child process, streams declared WITH (connector = 'kafka', format =
// 'json'), and events produced as JSON messages (one per event) to a mock broker by kafkajs in this process.
// CPU and memory are the server's: decoding JSON is Sluice's work, producing it is not. The mock broker keeps at
// most 5 MiB per partition and silently drops the oldest batches beyond that, so events are produced while the
// query runs, at most MAX_UNCONSUMED_ROWS ahead of it, and the partitions' low offsets say whether any were dropped.

import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import type { EventBatch, StreamName } from '../nexmark/schema';
import { jsonRecords } from '../encode/json';
import { startMockBroker, type MockBroker } from '../kafka/broker';
import { openCopyPath } from './copy-path';
import { QueryFailed, waitForRowsIn } from './progress';
import type { SluiceTarget } from './target';

type Encoded = { stream: StreamName; messages: { value: string }[] }[];

/** Messages per produce request: kafkajs manages ~130 K messages/s with batches of 1,000 (ENGINEERING.md). */
const PRODUCE_BATCH = 1000;
/** How long one probe message may take to reach a continuous query before the path counts as not working. */
const PROBE_TIMEOUT_MS = 10_000;
/** Input rows produced but not yet consumed, at most: ~20 K bids of ~250 bytes is ~1.2 MiB per partition of 4. */
const MAX_UNCONSUMED_ROWS = 20_000;

export async function openKafkaPath(): Promise<SluiceTarget<Encoded>> {
  const broker: MockBroker = await startMockBroker();
  let producer: Producer | null = null;
  let admin: Admin | null = null;
  try {
    const kafka = new Kafka({ clientId: 'sluice-bench', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    const server = await openCopyPath();
    const p = producer;
    const a = admin;
    const topicSuffix = `${process.pid}-${Date.now()}`;
    const produced = new Set<string>();
    return {
      ...server,
      path: 'kafka',
      ingestMethod: `Kafka JSON (kafkajs → librdkafka mock broker → connector = 'kafka')`,
      streamOptions: (stream) =>
        `WITH (connector = 'kafka', topic = '${stream}-${topicSuffix}', brokers = '${broker.brokers}', ` +
        `format = 'json', start = 'earliest')`,
      encode: (batch: EventBatch, streams: readonly StreamName[]): Encoded =>
        streams.filter((s) => batch[s].length > 0).map((s) => ({
          stream: s,
          messages: jsonRecords(batch[s]).map((value) => ({ value })),
        })),
      maxUnconsumedRows: MAX_UNCONSUMED_ROWS,
      async ingest(encoded: Encoded): Promise<void> {
        for (const { stream, messages } of encoded) {
          produced.add(`${stream}-${topicSuffix}`);
          for (let at = 0; at < messages.length; at += PRODUCE_BATCH) {
            await p.send({ topic: `${stream}-${topicSuffix}`, messages: messages.slice(at, at + PRODUCE_BATCH), acks: 1 });
          }
        }
      },
      async droppedMessages(): Promise<number> {
        let dropped = 0;
        for (const topic of produced) {
          for (const { low } of await a.fetchTopicOffsets(topic)) dropped += Number(low);
        }
        return dropped;
      },
      async probe(): Promise<string | null> {
        const topic = `probe-${topicSuffix}`;
        await p.send({ topic, messages: [{ value: JSON.stringify({ x: 1, date_time: 0 }) }], acks: 1 });
        await server.sql(`CREATE STREAM bench_probe (x BIGINT, date_time TIMESTAMPTZ NOT NULL) WITH (connector = 'kafka', ` +
          `topic = '${topic}', brokers = '${broker.brokers}', format = 'json', start = 'earliest')`);
        await server.sql('CREATE CONTINUOUS QUERY bench_probe_count AS SELECT count(*) AS n FROM bench_probe');
        try {
          await waitForRowsIn(server, 'bench_probe_count', 1, PROBE_TIMEOUT_MS, 100);
          return null;
        } catch (e) {
          if (!(e instanceof QueryFailed)) throw e;
          return `the Kafka source consumed nothing in ${PROBE_TIMEOUT_MS / 1000} s (${e.message})`;
        } finally {
          await server.sql('DROP STREAM bench_probe CASCADE').catch(() => undefined);
        }
      },
      async close(): Promise<void> {
        await server.close().catch(() => undefined);
        await p.disconnect().catch(() => undefined);
        await a.disconnect().catch(() => undefined);
        await broker.stop();
      },
    };
  } catch (e) {
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await broker.stop();
    throw e;
  }
}

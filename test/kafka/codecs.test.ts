// Compressed topics, over the wire: a topic produced by kcat (librdkafka's compressors) with each of Kafka's four
// codecs is read into a stream, and a sink compresses with each codec it offers, read back by kcat (librdkafka's
// decompressors). zstd in a sink needs a Node whose zlib has zstd; elsewhere it is refused with 0A000.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { registerCodecs } from '../../engine/kafka/codecs';
import { produceWithKcat, readWithKcat } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { freshTopic } from './fixtures';
import { sourceRows, withKafkaServer } from './pipeline';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const PER_TOPIC = 300;

/** A value that compresses well, so every codec really compresses rather than storing the bytes as they are. */
function reading(codec: string, i: number): string {
  return JSON.stringify({ id: i, sensor: `${codec}-sensor-${i % 5}`, note: 'x'.repeat(40 + (i % 7)) });
}

describe('Kafka compression codecs', () => {
  const fx = withKafkaServer();

  test('snappy as Java producers frame it (xerial: magic, versions, length-prefixed blocks) is read too', async () => {
    registerCodecs();
    const snappy = (CompressionCodecs[CompressionTypes.Snappy] as () => {
      compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer>;
    })();
    const parts = [Buffer.from('a'.repeat(1000)), Buffer.from('first block ends; the second starts '.repeat(20))];
    const blocks = await Promise.all(parts.map((buffer) => snappy.compress({ buffer })));
    const header = Buffer.alloc(16);
    Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]).copy(header);
    header.writeInt32BE(1, 8);
    header.writeInt32BE(1, 12);
    const framed = Buffer.concat([header, ...blocks.flatMap((b) => [Buffer.from([0, 0, b.length >> 8, b.length & 255]), b])]);
    assert.deepEqual(await snappy.decompress(framed), Buffer.concat(parts));
    assert.deepEqual(await snappy.decompress(blocks[1]), parts[1], 'a plain snappy block, as librdkafka sends it');
  });

  test('a topic produced by kcat with gzip, snappy, lz4 and zstd is read into a stream', async () => {
    for (const codec of CODECS) {
      const topic = freshTopic(`codec-${codec}`);
      await produceWithKcat(fx.kafka.brokers, topic, Array.from({ length: PER_TOPIC }, (_, i) => reading(codec, i)), { compression: codec });
      await fx.client.query(`CREATE STREAM readings_${codec} (id BIGINT NOT NULL, sensor TEXT, note TEXT)
        WITH (connector = 'kafka', topic = '${topic}', brokers = '${fx.kafka.brokers}', format = 'json')`);
      await fx.client.query(`CREATE CONTINUOUS QUERY per_sensor_${codec} AS
        SELECT sensor, count(*) AS n, sum(id) AS total FROM readings_${codec} GROUP BY sensor`);
    }
    let seen = '';
    const done = async (): Promise<boolean> => {
      const sources = await sourceRows(fx.client);
      seen = JSON.stringify([...sources.values()]);
      return CODECS.every((c) => sources.get(`readings_${c}`)?.messages === PER_TOPIC);
    };
    await waitFor(done, () => `every message of the four topics; sources: ${seen}`, 30_000);
    for (const codec of CODECS) {
      const s = (await sourceRows(fx.client)).get(`readings_${codec}`)!;
      assert.equal(s.state, 'running', codec);
      assert.equal(s.dead_letters, 0, codec);
      assert.equal(s.last_error, null, codec);
      // Its position: the next offset of each partition, which together account for every message read.
      const offsets = (s.position ?? '').split(',').map((p) => Number(p.split(':')[1]));
      assert.equal(offsets.reduce((a, b) => a + b, 0), PER_TOPIC, `${codec} position ${s.position}`);
      // Sensor k has the ids i ≡ k (mod 5) below PER_TOPIC: the decompressed values, every one, each once.
      let rows: { sensor: string; n: string; total: string }[] = [];
      await waitFor(async () => {
        rows = (await fx.client.query(`SELECT sensor, n, total FROM per_sensor_${codec} ORDER BY sensor`)).rows;
        return rows.reduce((sum, r) => sum + Number(r.n), 0) === PER_TOPIC;
      }, `the ${codec} query counts every message`, 30_000);
      assert.deepEqual(rows.map((r) => [r.sensor, Number(r.n), Number(r.total)]), [0, 1, 2, 3, 4].map((k) => {
        const ids = Array.from({ length: PER_TOPIC / 5 }, (_, j) => k + 5 * j);
        return [`${codec}-sensor-${k}`, ids.length, ids.reduce((a, b) => a + b, 0)];
      }), codec);
    }
  });

  test('a sink compresses with each codec it offers; kcat reads every message back', async () => {
    await fx.client.query('CREATE STREAM outgoing (id BIGINT NOT NULL, note TEXT)');
    const values = Array.from({ length: 200 }, (_, i) => `(${i + 1}, '${'y'.repeat(50)}')`).join(', ');
    await fx.client.query(`INSERT INTO outgoing VALUES ${values}`);
    const zstdHere = typeof (zlib as unknown as Record<string, unknown>).zstdCompressSync === 'function';
    const offered = zstdHere ? CODECS : CODECS.filter((c) => c !== 'zstd');
    const topics = new Map<string, string>();
    for (const codec of offered) {
      const topic = freshTopic(`sink-${codec}`);
      topics.set(codec, topic);
      await fx.client.query(`CREATE SINK out_${codec} FROM outgoing
        WITH (connector = 'kafka', topic = '${topic}', brokers = '${fx.kafka.brokers}', compression = '${codec}')`);
    }
    for (const [codec, topic] of topics) {
      await waitFor(async () => (await readWithKcat(fx.kafka.brokers, topic)).length === 200, `200 ${codec} messages`, 30_000);
      const ids = (await readWithKcat(fx.kafka.brokers, topic)).map((m) => (JSON.parse(m.value!) as { id: number }).id);
      assert.deepEqual(ids.sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1), codec);
    }
    if (!zstdHere) {
      await assert.rejects(
        fx.client.query(`CREATE SINK out_zstd FROM outgoing
          WITH (connector = 'kafka', topic = 'never', brokers = '${fx.kafka.brokers}', compression = 'zstd')`),
        (e: { code: string; message: string }) => e.code === '0A000' && /compression zstd is not supported/.test(e.message),
      );
    }
    await assert.rejects(
      fx.client.query(`CREATE SINK out_brotli FROM outgoing
        WITH (connector = 'kafka', topic = 'never', brokers = '${fx.kafka.brokers}', compression = 'brotli')`),
      (e: { code: string; message: string }) => e.code === '22023' && /invalid value for option "compression"/.test(e.message),
    );
  });
});

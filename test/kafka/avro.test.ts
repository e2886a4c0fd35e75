// Avro through the real server and the mock broker: records encoded here with avsc, plain and in the Confluent wire
// format, read into streams and compared row by row; bad records become dead letters; an Avro sink's messages decode
// back to the rows; schemas that do not fit are refused at CREATE.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as avro from 'avsc';
import { produceWithKafkajs, readWithKafkajs } from '../helpers/kafka';
import { freshTopic } from './fixtures';
import { sourceRows, waitCaughtUp, withKafkaServer } from './pipeline';

const fx = withKafkaServer();

const SCHEMA = {
  type: 'record', name: 'Order', fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: ['null', 'string'] },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'ok', type: 'boolean' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'tsu', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'score', type: 'double' },
    { name: 'qty', type: 'int' },
    { name: 'tag', type: { type: 'enum', name: 'Tag', symbols: ['A', 'B'] } },
    { name: 'ignored', type: { type: 'array', items: 'int' } },
  ],
};
const COLUMNS = `id BIGINT NOT NULL, name TEXT, price NUMERIC, ok BOOLEAN, ts TIMESTAMPTZ, tsu TIMESTAMPTZ, day DATE,
  score DOUBLE PRECISION, qty INTEGER, tag TEXT`;
// avsc without logical types: the test writes the underlying values itself, as a producer's bytes are what counts.
const orderType = avro.Type.forSchema(SCHEMA as avro.Schema);

/** The unscaled value as big-endian two's complement, as Avro's decimal holds it. */
function decimalBytes(unscaled: bigint): Buffer {
  let hex = (unscaled < 0n ? (1n << 64n) + unscaled : unscaled).toString(16).padStart(16, '0');
  while (hex.length > 2 && ((hex.startsWith('00') && parseInt(hex[2], 16) < 8) || (hex.startsWith('ff') && parseInt(hex[2], 16) >= 8))) hex = hex.slice(2);
  return Buffer.from(hex, 'hex');
}

/** avsc's long as bigint, for longs beyond 2^53 (avsc's own long refuses them). */
const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (b: Buffer) => b.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(n);
    return b;
  },
  fromJSON: BigInt, toJSON: Number, isValid: (n: unknown) => typeof n === 'bigint', compare: () => 0,
});

const T0 = Date.UTC(2024, 2, 1, 12, 0, 0);

function record(i: number): Record<string, unknown> {
  return {
    id: i, name: i % 3 === 0 ? null : `n${i}`, price: decimalBytes(BigInt(i * 1001 - 5000)), ok: i % 2 === 0,
    ts: T0 + i * 1000 + 7, tsu: i % 4 === 0 ? null : (T0 + i) * 1000 + 123, day: 19_000 + i, score: i / 8, qty: -i,
    tag: i % 2 === 0 ? 'A' : 'B', ignored: [i],
  };
}

/** The row SELECT ...::text gives for record i. */
function row(i: number): (string | null)[] {
  const price = (i * 1001 - 5000) / 100;
  const day = new Date((19_000 + i) * 86_400_000).toISOString().slice(0, 10);
  const ts = new Date(T0 + i * 1000 + 7).toISOString().replace('T', ' ').replace('Z', '+00');
  const tsu = i % 4 === 0 ? null : `${new Date(T0 + i).toISOString().replace('T', ' ').replace('Z', '')}123+00`;
  return [String(i), i % 3 === 0 ? null : `n${i}`, price.toFixed(2), i % 2 === 0 ? 'true' : 'false', ts, tsu, day,
    String(i / 8), String(-i), i % 2 === 0 ? 'A' : 'B'];
}

function confluent(body: Buffer, schemaId = 42): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

const SELECT = `SELECT id::text, name, price::text, ok::text, ts::text, tsu::text, day::text, score::text, qty::text, tag`;

async function createError(sql: string): Promise<string> {
  try {
    await fx.client.query(sql);
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code} ${err.message}`;
  }
  assert.fail(`succeeded: ${sql}`);
}

describe('Kafka Avro', () => {
  test('plain and Confluent-framed records become rows; bad records become dead letters', async () => {
    const plainTopic = freshTopic('avro-plain');
    const framedTopic = freshTopic('avro-framed');
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    const truncated = orderType.toBuffer(record(99)).subarray(0, 6);
    await produceWithKafkajs(fx.kafka.brokers, plainTopic, [
      ...ids.map((i) => ({ value: orderType.toBuffer(record(i)), partition: 0 })), { value: truncated, partition: 0 },
    ]);
    await produceWithKafkajs(fx.kafka.brokers, framedTopic, [
      ...ids.map((i) => ({ value: confluent(orderType.toBuffer(record(i + 100))), partition: 0 })),
      { value: orderType.toBuffer(record(200)), partition: 0 }, // not framed
      { value: confluent(orderType.toBuffer(record(201)), 7), partition: 0 }, // another schema id
    ]);
    const schema = JSON.stringify(SCHEMA);
    await fx.client.query(`CREATE STREAM avro_plain (${COLUMNS}) WITH (connector = 'kafka', topic = '${plainTopic}',
      brokers = '${fx.kafka.brokers}', format = 'avro', avro_schema = '${schema}')`);
    await fx.client.query(`CREATE STREAM avro_framed (${COLUMNS}) WITH (connector = 'kafka', topic = '${framedTopic}',
      brokers = '${fx.kafka.brokers}', format = 'avro', avro_schema = '${schema}', avro_wire = 'confluent', avro_schema_id = '42')`);
    await fx.client.query(`CREATE CONTINUOUS QUERY avro_plain_rows WITH (trigger_interval = '200 milliseconds') AS ${SELECT} FROM avro_plain`);
    await fx.client.query(`CREATE CONTINUOUS QUERY avro_framed_rows WITH (trigger_interval = '200 milliseconds') AS ${SELECT} FROM avro_framed`);
    await waitCaughtUp(fx.client, { messages: { avro_plain: 13, avro_framed: 14 }, queries: ['avro_plain_rows', 'avro_framed_rows'] });

    const plain = await fx.client.query({ text: 'SELECT * FROM avro_plain_rows ORDER BY id::bigint', rowMode: 'array' });
    assert.deepEqual(plain.rows, ids.map(row));
    const framed = await fx.client.query({ text: 'SELECT * FROM avro_framed_rows ORDER BY id::bigint', rowMode: 'array' });
    assert.deepEqual(framed.rows, ids.map((i) => row(i + 100)));

    const dead = (await fx.client.query(`SELECT source, "offset", reason, error FROM sluice.dead_letters ORDER BY source, "offset"`)).rows;
    assert.deepEqual(dead.map((d) => [d.source, Number(d.offset), d.reason]),
      [['avro_framed', 12, 'parse'], ['avro_framed', 13, 'parse'], ['avro_plain', 12, 'parse']]);
    assert.match(dead[0].error, /not in the Confluent wire format/);
    assert.match(dead[1].error, /schema id 7, not 42/);
    assert.match(dead[2].error, /^invalid Avro: /);
    const sources = await sourceRows(fx.client);
    assert.deepEqual([sources.get('avro_plain')!.dead_letters, sources.get('avro_framed')!.dead_letters], [1, 2]);
  });

  test('a keyed topic as a table: Avro values upsert, Avro keys (a bare long, Confluent-framed) delete', async () => {
    const topic = freshTopic('avro-table');
    const valueType = avro.Type.forSchema({ type: 'record', name: 'Stock', fields: [
      { name: 'sku', type: 'long' }, { name: 'qty', type: 'int' }] } as avro.Schema, { registry: { long: BIGINT_LONG } });
    const keyType = avro.Type.forSchema('long', { registry: { long: BIGINT_LONG } });
    const upsert = (sku: bigint, qty: number): { key: Buffer; value: Buffer; partition: number } =>
      ({ key: confluent(keyType.toBuffer(sku)), value: confluent(valueType.toBuffer({ sku, qty })), partition: 0 });
    const big = 9007199254740993n; // 2^53 + 1: a double would make it ...992
    await produceWithKafkajs(fx.kafka.brokers, topic, [
      upsert(1n, 10), upsert(2n, 20), upsert(big, 30), upsert(1n, 11), upsert(big + 1n, 40),
      { key: confluent(keyType.toBuffer(2n)), value: null, partition: 0 },
      { key: confluent(keyType.toBuffer(big + 1n)), value: null, partition: 0 },
      { key: confluent(Buffer.from([0x80])), value: null, partition: 0 }, // a truncated long
    ]);
    await fx.client.query(`CREATE TABLE avro_stock (sku BIGINT PRIMARY KEY, qty INTEGER) WITH (connector = 'kafka',
      topic = '${topic}', brokers = '${fx.kafka.brokers}', format = 'avro', avro_wire = 'confluent',
      avro_schema = '${JSON.stringify(valueType.schema())}', avro_key_schema = '"long"')`);
    await waitCaughtUp(fx.client, { messages: { avro_stock: 8 } });
    const rows = await fx.client.query({ text: 'SELECT sku::text, qty::text FROM avro_stock ORDER BY sku', rowMode: 'array' });
    assert.deepEqual(rows.rows, [['1', '11'], [String(big), '30']]);
    const dead = (await fx.client.query(`SELECT "offset", reason, error FROM sluice.dead_letters WHERE source = 'avro_stock'`)).rows;
    assert.deepEqual(dead.map((d) => [Number(d.offset), d.reason]), [[7, 'parse']]);
    assert.match(dead[0].error, /^tombstone key: invalid Avro: /);
  });

  test('an Avro sink: its messages decode back to the rows with the schema derived from the columns', async () => {
    const topic = freshTopic('avro-sink');
    await fx.client.query(`CREATE STREAM avro_sink_src (id BIGINT NOT NULL, name TEXT, amount DOUBLE PRECISION, price NUMERIC,
      at TIMESTAMPTZ, day DATE, small SMALLINT)`);
    await fx.client.query(`CREATE SINK avro_out FROM avro_sink_src WITH (connector = 'kafka', topic = '${topic}',
      brokers = '${fx.kafka.brokers}', format = 'avro')`);
    await fx.client.query(`INSERT INTO avro_sink_src VALUES (1, 'a', 1.5, 12.340, '2024-03-01 12:00:00.123456+00', '2024-03-02', 7),
      (2, NULL, NULL, NULL, NULL, NULL, NULL), (9007199254740993, 'big', -0.25, -1, '1969-12-31 23:59:59+00', '1960-01-01', -3)`);
    const messages = await readWithKafkajs(fx.kafka.brokers, topic, 3, 15_000, true);
    assert.equal(messages.length, 3);
    const nullable = (t: unknown): unknown => ['null', t];
    const derived = avro.Type.forSchema({
      type: 'record', name: 'avro_out', fields: [
        { name: 'id', type: 'long' }, { name: 'name', type: nullable('string') }, { name: 'amount', type: nullable('double') },
        { name: 'price', type: nullable('string') }, { name: 'at', type: nullable({ type: 'long', logicalType: 'timestamp-micros' }) },
        { name: 'day', type: nullable({ type: 'int', logicalType: 'date' }) }, { name: 'small', type: nullable('int') },
      ],
    } as avro.Schema, { registry: { long: BIGINT_LONG } });
    const decoded = messages.map((m) => ({ ...(derived.fromBuffer(m.rawValue!) as Record<string, unknown>) }));
    decoded.sort((a, b) => (a.id as bigint < (b.id as bigint) ? -1 : 1));
    assert.deepEqual(decoded, [
      // avsc reads a long written {"type": "long", ...} as a double (its registry's bigint long is for "long" only).
      { id: 1n, name: 'a', amount: 1.5, price: '12.340', at: Date.UTC(2024, 2, 1, 12) * 1000 + 123_456, day: 19_784, small: 7 },
      { id: 2n, name: null, amount: null, price: null, at: null, day: null, small: null },
      { id: 9007199254740993n, name: 'big', amount: -0.25, price: '-1', at: -1_000_000, day: -3653, small: -3 },
    ]);
  });

  test('an Avro sink with a given schema, Confluent-framed: timestamp-millis, an extra nullable field', async () => {
    const topic = freshTopic('avro-sink-given');
    const given = { type: 'record', name: 'Event', namespace: 'acme', fields: [
      { name: 'id', type: 'int' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'note', type: ['null', 'string'], default: null }] };
    await fx.client.query(`CREATE STREAM avro_given_src (id INTEGER NOT NULL, at TIMESTAMPTZ NOT NULL)`);
    await fx.client.query(`CREATE SINK avro_given FROM avro_given_src WITH (connector = 'kafka', topic = '${topic}',
      brokers = '${fx.kafka.brokers}', format = 'avro', avro_schema = '${JSON.stringify(given)}', avro_wire = 'confluent',
      avro_schema_id = '305419896')`);
    await fx.client.query(`INSERT INTO avro_given_src VALUES (7, '2024-03-01 12:00:00.123999+00')`);
    const [m] = await readWithKafkajs(fx.kafka.brokers, topic, 1, 15_000, true);
    assert.deepEqual([...m.rawValue!.subarray(0, 5)], [0, 0x12, 0x34, 0x56, 0x78], 'magic byte 0, then the schema id');
    assert.deepEqual({ ...(avro.Type.forSchema(given as avro.Schema).fromBuffer(m.rawValue!.subarray(5)) as object) },
      { id: 7, at: Date.UTC(2024, 2, 1, 12, 0, 0, 123), note: null });
  });

  test('schemas that do not fit are refused at CREATE', async () => {
    const create = (columns: string, schema: unknown, extra = ''): Promise<string> => createError(`CREATE STREAM avro_bad (${columns})
      WITH (connector = 'kafka', topic = 't', brokers = '${fx.kafka.brokers}', format = 'avro', avro_schema = '${JSON.stringify(schema)}'${extra})`);
    const rec = (type: unknown): unknown => ({ type: 'record', name: 'R', fields: [{ name: 'x', type }] });
    assert.match(await create('x INTEGER', rec({ type: 'array', items: 'int' })), /^0A000 Avro type array of field "x" is not supported/);
    assert.match(await create('x TEXT', rec(['null', 'int', 'string'])), /^0A000 Avro a union other than \[null, T\]/);
    assert.match(await create('x TIME', rec({ type: 'int', logicalType: 'time-millis' })), /^[0-9A-Z]{5} /);
    assert.match(await create('x INTEGER', rec({ type: 'int', logicalType: 'time-millis' })), /^0A000 Avro logical type time-millis/);
    assert.match(await create('x BOOLEAN', rec('long')), /^42804 column "x" is of type bool but its Avro field is long/);
    assert.match(await create('y INTEGER', rec('int')), /^22023 column "y" has no field in option avro_schema/);
    assert.match(await create('x INTEGER', 'not a schema'), /^22023 option avro_schema is not a valid Avro schema/);
    assert.match(await create('x INTEGER', rec('int'), `, avro_wire = 'magic'`), /^22023 invalid value for option avro_wire/);
    assert.match(await create('x INTEGER', rec('int'), `, schema_registry_url = 'http://registry:8081'`),
      /^0A000 option schema_registry_url is not supported yet/);
    await fx.client.query(`CREATE STREAM avro_names ("my col" INTEGER, id BIGINT)`);
    const sink = (extra: string): Promise<string> => createError(`CREATE SINK avro_bad_sink FROM avro_names WITH (connector = 'kafka',
      topic = 't', brokers = '${fx.kafka.brokers}', format = 'avro'${extra})`);
    assert.match(await sink(''), /^0A000 column name "my col" is not an Avro name/);
    assert.match(await sink(`, avro_wire = 'confluent'`), /^22023 sink "avro_bad_sink" writes the Confluent wire format and needs the option avro_schema_id/);
    assert.match(await create('x INTEGER', rec('int'), `, avro_schema_id = '1'`), /^22023 option avro_schema_id of stream "avro_bad" needs avro_wire = 'confluent'/);
    assert.match(await create('x INTEGER', rec('int'), `, avro_wire = 'confluent', avro_schema_id = '2147483648'`),
      /^22023 invalid value for option avro_schema_id: "2147483648"/);
    assert.match(await sink(`, avro_schema = '${JSON.stringify(rec('int'))}'`), /^22023 column "my col" has no field in option avro_schema/);
    assert.match(await create('x INTEGER', rec('int'), `, avro_key_schema = '"long"'`), /^22023 unknown option avro_key_schema for stream/);
    assert.match(await createError(`CREATE TABLE avro_bad (x INTEGER PRIMARY KEY) WITH (connector = 'kafka', topic = 't',
      brokers = '${fx.kafka.brokers}', format = 'avro', avro_schema = '${JSON.stringify(rec('int'))}', avro_key_schema = '"boolean"')`),
    /^42804 column "x" is of type int4 but its Avro field is boolean/);
    assert.match(await createError(`CREATE STREAM avro_bad (x INTEGER) WITH (connector = 'kafka', topic = 't',
      brokers = '${fx.kafka.brokers}', format = 'avro')`), /^22023 .*needs the option avro_schema/);
  });
});

// The WITH options of Kafka streams, tables and sinks: defaults, and the SQLSTATE of each mistake.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaSinkOptions, kafkaSourceOptions } from '../../engine/kafka';
import { SqlError } from '../../engine/errors';
import { T } from '../../engine/types';
import { ORDER_COLUMNS, kafkaStream, kafkaTable, sinkDef } from './fixtures';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SqlError, `a SqlError, not ${String(e)}`);
    return `${e.code} ${e.message}`;
  }
  assert.fail('no error');
}

describe('Kafka options', () => {
  test('source defaults: json, earliest, dead_letter, idle after 30 s; brokers comma separated', () => {
    assert.deepEqual(kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:9092, b:9093' })), {
      topic: 't', brokers: ['a:9092', 'b:9093'], format: 'json', start: 'earliest', onError: 'dead_letter',
      idleTimeoutMs: 30_000, security: { protocol: 'plaintext', sasl: null, ssl: null },
    });
    assert.equal(kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', idle_timeout: '1.5 seconds' })).idleTimeoutMs, 1500);
    assert.equal(kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', format: 'CSV', start: 'latest', on_error: 'fail' })).format, 'csv');
  });

  test('source mistakes', () => {
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { brokers: 'a:1' }))), /^22023 .*needs the option topic/);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't' }))), /^22023 .*brokers/);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'nohost' }))), /^22023 invalid broker address "nohost"/);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', format: 'avro' }))), /^22023 .*needs the option avro_schema/);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', schema_registry_url: 'http://r:8081' }))), /^0A000 /);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', format: 'xml' }))), /^22023 invalid value for option format/);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', start: 'middle' }))), /^22023 /);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', on_error: 'ignore' }))), /^22023 /);
    assert.match(code(() => kafkaSourceOptions(kafkaStream('s', { topic: 't', brokers: 'a:1', colour: 'red' }))), /^22023 unknown option colour/);
    assert.match(code(() => kafkaSourceOptions(kafkaTable('t', { topic: 't', brokers: 'a:1' }, ORDER_COLUMNS, []))), /^22023 .*PRIMARY KEY/);
  });

  test('sink: key columns resolved against the shipped relation', () => {
    const cols = [{ name: 'customer', type: T.text, nullable: false }, { name: 'region', type: T.text, nullable: true }];
    assert.deepEqual(kafkaSinkOptions(sinkDef('o', 'q', { topic: 't', brokers: 'a:1', key: 'Region, customer' }), cols).keyColumns, [1, 0]);
    assert.deepEqual(kafkaSinkOptions(sinkDef('o', 'q', { topic: 't', brokers: 'a:1' }), cols).keyColumns, []);
    assert.match(code(() => kafkaSinkOptions(sinkDef('o', 'q', { topic: 't', brokers: 'a:1', key: 'nope' }), cols)), /^42703 column "nope"/);
    assert.equal(kafkaSinkOptions(sinkDef('o', 'q', { topic: 't', brokers: 'a:1', format: 'CSV' }), cols).format, 'csv');
    assert.match(code(() => kafkaSinkOptions(sinkDef('o', 'q', { topic: 't', brokers: 'a:1', format: 'xml' }), cols)), /^22023 /);
  });
});

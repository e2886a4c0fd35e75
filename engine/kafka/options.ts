// The WITH (...) options of Kafka streams, tables and sinks, checked once at CREATE time (the planner or runtime
// calls these so a typo is an error before anything runs) and again when a source or sink starts.

import type { SinkDef, StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import { parseValue } from '../text';
import { T, type Interval, type Schema } from '../types';
import { intervalMicros } from '../values/interval';
import { AVRO_SINK_KEYS, AVRO_SOURCE_KEYS, avroSinkFormat, avroSourceFormat, checkAvroOptions } from './avro/options';
import type { AvroSinkFormat } from './avro/writer';
import type { RecordFormat } from './decode';
import { type SinkCompression, zstdCompressionAvailable } from './codecs';
import { kafkaSecurity, SECURITY_KEYS, type KafkaSecurity } from './security';

export type StartAt = 'earliest' | 'latest';
export type OnError = 'dead_letter' | 'skip' | 'fail';

export interface KafkaSourceOptions {
  readonly topic: string;
  readonly brokers: readonly string[];
  readonly format: RecordFormat;
  readonly start: StartAt;
  readonly onError: OnError;
  /** A stream's partition with no new message for this long stops holding its watermark back. */
  readonly idleTimeoutMs: number;
  readonly security: KafkaSecurity;
}

export interface KafkaSinkOptions {
  readonly topic: string;
  readonly brokers: readonly string[];
  /** Indexes of the `key` columns in the shipped relation's schema; empty for an unkeyed sink. */
  readonly keyColumns: readonly number[];
  readonly format: 'json' | 'csv' | AvroSinkFormat;
  readonly security: KafkaSecurity;
  /** How record batches are compressed on the way to the broker. */
  readonly compression: SinkCompression;
}

const SOURCE_KEYS = new Set([
  'connector', 'topic', 'brokers', 'format', 'start', 'on_error', 'retention', 'idle_timeout', ...AVRO_SOURCE_KEYS, ...SECURITY_KEYS,
]);
const DEFAULT_IDLE_TIMEOUT = '30 seconds';
const SINK_KEYS = new Set(['connector', 'topic', 'brokers', 'format', 'key', 'compression', ...AVRO_SINK_KEYS, ...SECURITY_KEYS]);

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, message, { hint });
}

function required(o: Readonly<Record<string, string>>, key: string, what: string): string {
  const v = o[key]?.trim();
  if (!v) throw invalid(`${what} needs the option ${key}`, `Add ${key} = '...' to its WITH (...) clause.`);
  return v;
}

function oneOf<T extends string>(o: Readonly<Record<string, string>>, key: string, allowed: readonly T[], dflt: T): T {
  const v = (o[key] ?? dflt).trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid(`invalid value for option ${key}: "${o[key]}"`, `Use one of: ${allowed.join(', ')}.`);
  }
  return v as T;
}

function brokerList(o: Readonly<Record<string, string>>, what: string): string[] {
  const list = required(o, 'brokers', what).split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const b of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)) {
      throw invalid(`invalid broker address "${b}" in option brokers`, 'Brokers are host:port, comma separated.');
    }
  }
  return list;
}

function unknownKeys(o: Readonly<Record<string, string>>, allowed: ReadonlySet<string>, what: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw invalid(`unknown option ${k} for ${what}`, `Known options: ${[...allowed].join(', ')}.`);
  }
}

/** The options of a stream or table with connector = 'kafka'. */
export function kafkaSourceOptions(def: StreamDef | TableDef): KafkaSourceOptions {
  const what = `${def.kind} "${def.name}"`;
  const o = def.options;
  if ((o.connector ?? '').toLowerCase() !== 'kafka') throw invalid(`${what} does not read from Kafka`);
  unknownKeys(o, SOURCE_KEYS, what);
  if (def.kind === 'table' && o.retention !== undefined) throw invalid(`unknown option retention for ${what}`);
  if (def.kind === 'table' && o.idle_timeout !== undefined) throw invalid(`unknown option idle_timeout for ${what}`);
  if (def.kind === 'table' && def.primaryKey.length === 0) {
    throw invalid(`${what} reads a keyed topic and needs a PRIMARY KEY`);
  }
  return {
    topic: required(o, 'topic', what),
    brokers: brokerList(o, what),
    format: sourceFormat(def, what),
    start: oneOf(o, 'start', ['earliest', 'latest'] as const, 'earliest'),
    onError: oneOf(o, 'on_error', ['dead_letter', 'skip', 'fail'] as const, 'dead_letter'),
    idleTimeoutMs: idleTimeoutMs(o.idle_timeout ?? DEFAULT_IDLE_TIMEOUT),
    security: kafkaSecurity(o, what),
  };
}

function sourceFormat(def: StreamDef | TableDef, what: string): RecordFormat {
  const format = oneOf(def.options, 'format', ['json', 'csv', 'avro'] as const, 'json');
  checkAvroOptions(def.options, what, format === 'avro');
  return format === 'avro' ? avroSourceFormat(def, what) : format;
}

function idleTimeoutMs(text: string): number {
  let micros: number;
  try {
    micros = intervalMicros(parseValue(text, T.interval) as Interval, 'idle_timeout');
  } catch {
    micros = NaN;
  }
  if (!(micros > 0)) throw invalid(`invalid value for option idle_timeout: "${text}"`, 'Write a positive interval, e.g. \'30 seconds\'.');
  return micros / 1000;
}

/** The options of a sink, checked against the schema of the relation it ships. */
export function kafkaSinkOptions(def: SinkDef, fromSchema: Schema): KafkaSinkOptions {
  const what = `sink "${def.name}"`;
  const o = def.options;
  if ((o.connector ?? 'kafka').toLowerCase() !== 'kafka') {
    throw invalid(`unknown connector "${o.connector}" for ${what}`, 'Sinks write to Kafka: connector = \'kafka\'.');
  }
  unknownKeys(o, SINK_KEYS, what);
  const format = oneOf(o, 'format', ['json', 'csv', 'avro'] as const, 'json');
  checkAvroOptions(o, what, format === 'avro');
  const keyColumns: number[] = [];
  for (const name of (o.key ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')) {
    const i = fromSchema.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (i < 0) {
      throw new SqlError(SQLSTATE.undefined_column, `column "${name}" named in option key does not exist in "${def.from}"`);
    }
    keyColumns.push(i);
  }
  const sinkFormat = format === 'avro' ? avroSinkFormat(o, fromSchema, def.name, what) : format;
  return {
    topic: required(o, 'topic', what), brokers: brokerList(o, what), keyColumns, format: sinkFormat,
    compression: sinkCompression(o), security: kafkaSecurity(o, what),
  };
}

function sinkCompression(o: Readonly<Record<string, string>>): SinkCompression {
  const c = oneOf(o, 'compression', ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, 'none');
  if (c === 'zstd' && !zstdCompressionAvailable()) {
    throw new SqlError(SQLSTATE.feature_not_supported, `compression zstd is not supported by this Node ${process.version}`, {
      hint: 'Sinks compress with zstd on Node 22.15 or later; use gzip, snappy or lz4 here.',
    });
  }
  return c;
}

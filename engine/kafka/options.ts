// The WITH (...) options of Kafka streams, tables and sinks, checked once at CREATE time (the planner or runtime
// calls these so a typo is an error before anything runs) and again when a source or sink starts.

import type { SinkDef, StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import { parseValue } from '../text';
import { T, type Interval, type Schema } from '../types';
import { intervalMicros } from '../values/interval';
import { AvroWriter } from './avro/writer';
import { AvroReader, avroKeyReader, type AvroFormat } from './avro/reader';
import type { RecordFormat } from './decode';
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
  /** JSON values, or Avro with this schema (given, or derived from the columns when absent). */
  readonly format: 'json' | { readonly kind: 'avro'; readonly schema: string | null };
  readonly security: KafkaSecurity;
}

const SOURCE_KEYS = new Set([
  'connector', 'topic', 'brokers', 'format', 'start', 'on_error', 'retention', 'idle_timeout', 'avro_schema', 'avro_wire', 'avro_key_schema',
  'schema_registry_url', ...SECURITY_KEYS,
]);
const DEFAULT_IDLE_TIMEOUT = '30 seconds';
const SINK_KEYS = new Set(['connector', 'topic', 'brokers', 'format', 'key', 'avro_schema', 'schema_registry_url', ...SECURITY_KEYS]);

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

function noSchemaRegistry(o: Readonly<Record<string, string>>): void {
  if (o.schema_registry_url !== undefined) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'option schema_registry_url is not supported yet', {
      hint: 'Give the Avro schema inline with avro_schema = \'{...}\'; avro_wire = \'confluent\' reads Confluent-framed messages.',
    });
  }
}

function sourceFormat(def: StreamDef | TableDef, what: string): RecordFormat {
  const o = def.options;
  noSchemaRegistry(o);
  const format = oneOf(o, 'format', ['json', 'csv', 'avro'] as const, 'json');
  if (format !== 'avro') {
    for (const key of ['avro_schema', 'avro_wire', 'avro_key_schema']) if (o[key] !== undefined) throw invalid(`option ${key} of ${what} needs format = 'avro'`);
    return format;
  }
  const avro: AvroFormat = {
    kind: 'avro', schema: required(o, 'avro_schema', what), wire: oneOf(o, 'avro_wire', ['plain', 'confluent'] as const, 'plain'),
    keySchema: o.avro_key_schema ?? null,
  };
  if (def.kind === 'stream' && avro.keySchema !== null) throw invalid(`unknown option avro_key_schema for ${what}`, 'Streams read values only.');
  // Reading the schemas against the columns is the check: every column needs a field it can take.
  new AvroReader(def.columns, avro);
  if (def.kind === 'table') avroKeyReader(def.primaryKey.map((k) => def.columns.find((c) => c.name === k)!), avro);
  return avro;
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
  noSchemaRegistry(o);
  const format = oneOf(o, 'format', ['json', 'avro'] as const, 'json');
  if (format === 'json' && o.avro_schema !== undefined) throw invalid(`option avro_schema of ${what} needs format = 'avro'`);
  const keyColumns: number[] = [];
  for (const name of (o.key ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')) {
    const i = fromSchema.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (i < 0) {
      throw new SqlError(SQLSTATE.undefined_column, `column "${name}" named in option key does not exist in "${def.from}"`);
    }
    keyColumns.push(i);
  }
  const sinkFormat = format === 'json' ? format : { kind: format, schema: o.avro_schema ?? null };
  // Building the writer is the check: a given schema must fit the columns, derived names must be Avro names.
  if (sinkFormat !== 'json') new AvroWriter(fromSchema, sinkFormat.schema, def.name);
  return {
    topic: required(o, 'topic', what), brokers: brokerList(o, what), keyColumns, format: sinkFormat, security: kafkaSecurity(o, what),
  };
}

// The Avro options of Kafka sources and sinks (avro_schema, avro_wire, avro_schema_id, avro_key_schema), checked at
// CREATE by building the reader or writer they describe against the columns, so a schema that does not fit is an
// error before anything runs. schema_registry_url is refused: no registry can be reached to read schemas from.

import type { StreamDef, TableDef } from '../../catalog';
import { SqlError, SQLSTATE } from '../../errors';
import type { Schema } from '../../types';
import { AvroReader, avroKeyReader, type AvroFormat, type AvroWire } from './reader';
import { AvroWriter, type AvroSinkFormat } from './writer';

type Options = Readonly<Record<string, string>>;

export const AVRO_SOURCE_KEYS = ['avro_schema', 'avro_wire', 'avro_schema_id', 'avro_key_schema', 'schema_registry_url'];
export const AVRO_SINK_KEYS = ['avro_schema', 'avro_wire', 'avro_schema_id', 'schema_registry_url'];

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, message, { hint });
}

/** Refuses schema_registry_url, and Avro options without format = 'avro'. */
export function checkAvroOptions(o: Options, what: string, avro: boolean): void {
  if (o.schema_registry_url !== undefined) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'option schema_registry_url is not supported yet', {
      hint: 'Give the Avro schema inline with avro_schema = \'{...}\'; avro_wire = \'confluent\' reads Confluent-framed messages.',
    });
  }
  if (avro) return;
  for (const key of AVRO_SOURCE_KEYS) if (o[key] !== undefined) throw invalid(`option ${key} of ${what} needs format = 'avro'`);
}

function wireOf(o: Options): AvroWire {
  const wire = (o.avro_wire ?? 'plain').trim().toLowerCase();
  if (wire !== 'plain' && wire !== 'confluent') throw invalid(`invalid value for option avro_wire: "${o.avro_wire}"`, 'Use one of: plain, confluent.');
  return wire;
}

/** avro_schema_id: a Confluent schema id (0 to 2^31 - 1), only with avro_wire = 'confluent'; null when absent. */
function schemaIdOf(o: Options, wire: AvroWire, what: string): number | null {
  if (o.avro_schema_id === undefined) return null;
  if (wire !== 'confluent') throw invalid(`option avro_schema_id of ${what} needs avro_wire = 'confluent'`);
  const text = o.avro_schema_id.trim();
  const id = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(id <= 0x7fffffff)) throw invalid(`invalid value for option avro_schema_id: "${o.avro_schema_id}"`, 'A schema id is an integer from 0 to 2147483647.');
  return id;
}

/** The Avro format of a stream or table; every column needs a field it can take. */
export function avroSourceFormat(def: StreamDef | TableDef, what: string): AvroFormat {
  const o = def.options;
  if (o.avro_schema === undefined || o.avro_schema.trim() === '') {
    throw invalid(`${what} needs the option avro_schema`, 'Add avro_schema = \'{"type": "record", ...}\' to its WITH (...) clause.');
  }
  const wire = wireOf(o);
  const format: AvroFormat = {
    kind: 'avro', schema: o.avro_schema, wire, schemaId: schemaIdOf(o, wire, what), keySchema: o.avro_key_schema ?? null,
  };
  if (def.kind === 'stream' && format.keySchema !== null) throw invalid(`unknown option avro_key_schema for ${what}`, 'Streams read values only.');
  new AvroReader(def.columns, format);
  if (def.kind === 'table') avroKeyReader(def.primaryKey.map((k) => def.columns.find((c) => c.name === k)!), format);
  return format;
}

/** The Avro format of a sink of a relation with these columns; a Confluent header needs the schema id to put in it. */
export function avroSinkFormat(o: Options, columns: Schema, sinkName: string, what: string): AvroSinkFormat {
  const wire = wireOf(o);
  const schemaId = schemaIdOf(o, wire, what);
  if (wire === 'confluent' && schemaId === null) {
    throw invalid(`${what} writes the Confluent wire format and needs the option avro_schema_id`, 'The id the schema has in your registry.');
  }
  const format: AvroSinkFormat = { kind: 'avro', schema: o.avro_schema ?? null, schemaId };
  new AvroWriter(columns, format, sinkName);
  return format;
}

// The WITH (...) options of a table with connector = 'postgres-cdc', checked at CREATE (before anything is created)
// and again when the source starts.

import type { StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import { typeDisplayName, type TypeName } from '../types';
import { SUPPORTED_SLUICE_TYPES } from './types';

export interface CdcOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly slot: string;
  readonly publication: string;
}

const KEYS = new Set(['connector', 'hostname', 'port', 'username', 'password', 'database', 'schema', 'table',
  'slot_name', 'publication_name']);

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, message, { hint });
}

function required(o: Readonly<Record<string, string>>, key: string, what: string): string {
  const v = o[key]?.trim();
  if (!v) throw invalid(`${what} needs the option ${key}`, `Add ${key} = '...' to its WITH (...) clause.`);
  return v;
}

/** A slot or publication name PostgreSQL accepts unquoted: slots allow only [a-z0-9_], at most 63 bytes. */
function objectName(o: Readonly<Record<string, string>>, key: string, dflt: string): string {
  const v = (o[key] ?? dflt).trim();
  if (!/^[a-z0-9_]{1,63}$/.test(v)) {
    throw invalid(`invalid value for option ${key}: "${v}"`, 'Use lower-case letters, digits and _ (at most 63).');
  }
  return v;
}

/** Slot and publication names derived from the Sluice table's name when none is given. */
function defaultName(tableName: string): string {
  return `sluice_${tableName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

export function cdcOptions(def: StreamDef | TableDef): CdcOptions {
  const what = `${def.kind} "${def.name}"`;
  if (def.kind !== 'table') {
    throw new SqlError(SQLSTATE.feature_not_supported, 'connector postgres-cdc feeds a TABLE, not a stream',
      { hint: 'CREATE TABLE ... (..., PRIMARY KEY (...)) WITH (connector = \'postgres-cdc\', ...)' });
  }
  const o = def.options;
  for (const k of Object.keys(o)) {
    if (!KEYS.has(k)) throw invalid(`unknown option ${k} for ${what}`, `Known options: ${[...KEYS].join(', ')}.`);
  }
  if (def.primaryKey.length === 0) throw invalid(`${what} applies changes by key and needs a PRIMARY KEY`);
  for (const c of def.columns) {
    if (!SUPPORTED_SLUICE_TYPES.has(c.type.name as TypeName)) {
      throw new SqlError(SQLSTATE.feature_not_supported,
        `column "${c.name}" of type ${typeDisplayName(c.type)} cannot be fed by postgres-cdc`);
    }
  }
  const port = Number((o.port ?? '5432').trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`invalid value for option port: "${o.port}"`);
  return {
    host: required(o, 'hostname', what),
    port,
    user: required(o, 'username', what),
    password: o.password ?? '',
    database: required(o, 'database', what),
    schema: (o.schema ?? 'public').trim(),
    table: required(o, 'table', what),
    slot: objectName(o, 'slot_name', defaultName(def.name)),
    publication: objectName(o, 'publication_name', defaultName(def.name)),
  };
}

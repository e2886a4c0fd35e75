// Which PostgreSQL column types feed which declared Sluice column types, exactly: a value is never narrowed or
// reinterpreted (an upstream BIGINT cannot feed an INT column, a timestamp cannot feed a timestamptz), and values
// arrive as PostgreSQL's text output (the replication session runs with TimeZone UTC and ISO dates), which Sluice's
// own text parser reads.

import { SqlError, SQLSTATE } from '../errors';
import { parseValue } from '../text';
import { typeDisplayName, type Field, type TypeName, type Value } from '../types';

/** pg_type OIDs of the upstream types we read, and the Sluice types each may feed. */
const FEEDS: ReadonlyMap<number, { readonly name: string; readonly into: readonly TypeName[] }> = new Map([
  [16, { name: 'boolean', into: ['bool'] }],
  [21, { name: 'smallint', into: ['int2', 'int4', 'int8'] }],
  [23, { name: 'integer', into: ['int4', 'int8'] }],
  [20, { name: 'bigint', into: ['int8'] }],
  [700, { name: 'real', into: ['float4', 'float8'] }],
  [701, { name: 'double precision', into: ['float8'] }],
  [1700, { name: 'numeric', into: ['numeric'] }],
  [25, { name: 'text', into: ['text', 'varchar'] }],
  [1043, { name: 'character varying', into: ['text', 'varchar'] }],
  [1114, { name: 'timestamp without time zone', into: ['timestamp'] }],
  [1184, { name: 'timestamp with time zone', into: ['timestamptz'] }],
  [1082, { name: 'date', into: ['date'] }],
  [1186, { name: 'interval', into: ['interval'] }],
  [3802, { name: 'jsonb', into: ['jsonb'] }],
  [114, { name: 'json', into: ['jsonb'] }],
]);

export const SUPPORTED_SLUICE_TYPES: ReadonlySet<TypeName> = new Set([...FEEDS.values()].flatMap((f) => f.into));

/** An upstream column as the catalog or a Relation message describes it. */
export interface UpstreamColumn {
  readonly name: string;
  readonly typeOid: number;
}

/**
 * Checks that the declared columns are the upstream table's columns, each of a type that feeds it exactly, so that
 * an upstream column added later is seen as a change. Throws 42703 or 42804 naming the column.
 */
export function checkColumns(declared: readonly Field[], upstream: readonly UpstreamColumn[], table: string): void {
  for (const f of declared) {
    const u = upstream.find((c) => c.name === f.name);
    if (u === undefined) {
      throw new SqlError(SQLSTATE.undefined_column, `column "${f.name}" does not exist in upstream table ${table}`);
    }
    const feed = FEEDS.get(u.typeOid);
    if (feed === undefined || !feed.into.includes(f.type.name)) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `column "${f.name}" is of type ${typeDisplayName(f.type)} but ` +
        `upstream column "${u.name}" of ${table} is of type ${feed?.name ?? `oid ${u.typeOid}`}`);
    }
  }
  const extra = upstream.find((c) => !declared.some((f) => f.name === c.name));
  if (extra !== undefined) {
    throw new SqlError(SQLSTATE.datatype_mismatch, `column "${extra.name}" of upstream table ${table} is not declared`,
      { hint: 'Declare every column of the upstream table.' });
  }
}

/** A column's value from PostgreSQL's text output. */
export function valueOf(f: Field, text: string | null): Value {
  return text === null ? null : parseValue(text, f.type);
}

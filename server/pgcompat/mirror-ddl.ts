// How each Sluice object looks in the catalog mirror: the DDL that creates it as an empty PostgreSQL relation with
// the same name and columns. Streams and tables become tables (NOT NULL and PRIMARY KEY as declared), continuous
// queries views (materialized views when created as such) whose placeholder body has the right column names and
// types. Comments carry what psql and BI tools show: the user's CREATE statement on the relation (\dt+, \dv+), the
// watermark on the event-time column (\d+), and the query's SELECT on the view's _RETURN rule, which the
// pg_sluice.pg_get_viewdef shim returns for \d+ "View definition". Sinks are not relations and have no mirror object.

import type { RelationDef } from '../../engine/catalog';
import { typeDisplayName, type Field, type SqlType } from '../../engine/types';
import type { SystemViewDef } from './system-views';

export const USER_SCHEMA = 'public';
export const SYSTEM_SCHEMA = 'sluice';

export type MirrorKind = 'table' | 'view' | 'materialized view';

export interface MirrorObject {
  readonly name: string;
  readonly kind: MirrorKind;
  /** Statements creating the object and its comments, in order. */
  readonly create: readonly string[];
  /** Roles its statements name (owner, grantees): a role re-created in the mirror has a new OID, so they are re-run. */
  readonly roles?: readonly string[];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** The SQL spelling of a Sluice type; a still-unknown type shows as text, as PostgreSQL resolves it in views. */
export function columnTypeSql(type: SqlType): string {
  return type.name === 'unknown' ? 'text' : typeDisplayName(type);
}

export function mirrorObjectOf(def: RelationDef): MirrorObject | null {
  const rel = qualified(USER_SCHEMA, def.name);
  switch (def.kind) {
    case 'sink':
      return null;
    case 'stream':
    case 'table': {
      const columns = def.columns.map((c) => `${quoteIdent(c.name)} ${columnTypeSql(c.type)}${c.nullable ? '' : ' NOT NULL'}`);
      if (def.kind === 'table' && def.primaryKey.length > 0) {
        columns.push(`PRIMARY KEY (${def.primaryKey.map(quoteIdent).join(', ')})`);
      }
      const create = [
        `CREATE TABLE ${rel} (${columns.join(', ')})`,
        `COMMENT ON TABLE ${rel} IS ${quoteLiteral(def.definition)}`,
        // PostgreSQL 18 leaves a column's statistics target NULL where 15 stored -1 ("the default"); pg_dump 15
        // reads NULL as 0 and would print ALTER COLUMN ... SET STATISTICS 0 for every column.
        `UPDATE pg_catalog.pg_attribute SET attstattarget = -1 WHERE attrelid = ${quoteLiteral(rel)}::regclass AND attnum > 0`,
      ];
      if (def.kind === 'stream' && def.watermark !== null) {
        const wm = def.watermark;
        const expr = wm.delayMicros === 0 ? wm.column : `${wm.column} - INTERVAL '${formatDelay(wm.delayMicros)}'`;
        create.push(`COMMENT ON COLUMN ${rel}.${quoteIdent(wm.column)} IS ${quoteLiteral(`event time; WATERMARK FOR ${wm.column} AS ${expr}`)}`);
      }
      return { name: def.name, kind: 'table', create };
    }
    case 'query': {
      const kind: MirrorKind = def.materializedView ? 'materialized view' : 'view';
      const keyword = def.materializedView ? 'MATERIALIZED VIEW' : 'VIEW';
      return {
        name: def.name,
        kind,
        create: [
          `CREATE ${keyword} ${rel} AS ${placeholderSelect(def.columns)}`,
          `COMMENT ON ${keyword} ${rel} IS ${quoteLiteral(def.definition)}`,
          `COMMENT ON RULE "_RETURN" ON ${rel} IS ${quoteLiteral(viewDefinitionText(def.select))}`,
        ],
      };
    }
  }
}

export function dropStatement(obj: Pick<MirrorObject, 'name' | 'kind'>): string {
  const keyword = obj.kind === 'table' ? 'TABLE' : obj.kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW';
  return `DROP ${keyword} IF EXISTS ${qualified(USER_SCHEMA, obj.name)} CASCADE`;
}

/** The system views of schema sluice, as empty views. */
export function systemViewStatements(views: readonly SystemViewDef[]): string[] {
  const out = [`CREATE SCHEMA ${quoteIdent(SYSTEM_SCHEMA)}`, `COMMENT ON SCHEMA ${quoteIdent(SYSTEM_SCHEMA)} IS 'Sluice system views'`];
  for (const v of views) {
    const rel = qualified(SYSTEM_SCHEMA, v.name);
    out.push(`CREATE VIEW ${rel} AS ${placeholderSelect(v.columns)}`);
    out.push(`COMMENT ON VIEW ${rel} IS ${quoteLiteral(v.description)}`);
    out.push(`COMMENT ON RULE "_RETURN" ON ${rel} IS ${quoteLiteral(` -- rows come from the Sluice engine\n SELECT * FROM sluice.${v.name};`)}`);
  }
  return out;
}

/** An empty SELECT whose columns have the given names and types. */
function placeholderSelect(columns: readonly Field[]): string {
  const list = columns.map((c) => `NULL::${columnTypeSql(c.type)} AS ${quoteIdent(c.name)}`).join(', ');
  return `SELECT ${list} WHERE false`;
}

/** pg_get_viewdef's layout: a leading space and a closing semicolon. */
function viewDefinitionText(select: string): string {
  const body = select.trim().replace(/;+\s*$/, '');
  return ` ${body};`;
}

function formatDelay(micros: number): string {
  if (micros % 1_000_000 === 0) {
    const s = micros / 1_000_000;
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  if (micros % 1000 === 0) return `${micros / 1000} milliseconds`;
  return `${micros} microseconds`;
}

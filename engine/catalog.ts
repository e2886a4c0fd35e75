// Definitions of the objects users create. The planner builds them from DDL; storage persists them as JSON; the
// runtime keeps them in memory; the server's catalog views (pg_catalog, information_schema, sluice.*) show them.

import type { Store, StoredDef } from '../storage';
import { T, type Field, type Schema } from './types';

export type RelationKind = 'stream' | 'table' | 'query' | 'sink';

interface DefBase {
  readonly name: string;
  /** The CREATE statement as the user wrote it, for SHOW / sluice.* / \d+. */
  readonly definition: string;
  /** ISO-8601 creation time. */
  readonly createdAt: string;
  /** WITH (...) options, keys lower-case, values as written. */
  readonly options: Readonly<Record<string, string>>;
  /** The role that created it (engine/privileges/acl.ts); absent when made by a session without a role. */
  readonly owner?: string;
  /** GRANTed privileges: grantee → aclitem letters; absent until the first GRANT or REVOKE. */
  readonly acl?: Readonly<Record<string, string>>;
}

export interface WatermarkDef {
  /** Name of the event-time column. */
  readonly column: string;
  /** WATERMARK FOR col AS col - INTERVAL d: d in microseconds (0 for `AS col`). */
  readonly delayMicros: number;
}

export interface StreamDef extends DefBase {
  readonly kind: 'stream';
  /** Declared columns; the hidden `_arrival timestamptz` column is not listed here. */
  readonly columns: readonly Field[];
  readonly watermark: WatermarkDef | null;
}

export interface TableDef extends DefBase {
  readonly kind: 'table';
  readonly columns: readonly Field[];
  /** Column names of the PRIMARY KEY, in key order. */
  readonly primaryKey: readonly string[];
}

export interface QueryDef extends DefBase {
  readonly kind: 'query';
  /** The output columns of the SELECT. */
  readonly columns: readonly Field[];
  /** The SELECT text; re-planned at every start. */
  readonly select: string;
  readonly emit: 'changes' | 'on_window_close';
  readonly triggerIntervalMs: number;
  /** Names of the streams, tables and queries it reads. */
  readonly dependsOn: readonly string[];
  /** True when created as MATERIALIZED VIEW (only changes how it is shown). */
  readonly materializedView: boolean;
  /** Set by ALTER CONTINUOUS QUERY ... PAUSE, cleared by RESUME; a paused query keeps its state and offsets. */
  readonly paused?: boolean;
  /**
   * Why the query failed for good (its state outgrew its memory share): it is not started again, by recovery
   * either, so a query that cannot fit is never replayed into the same failure at every start.
   */
  readonly failed?: string;
}

export interface SinkDef extends DefBase {
  readonly kind: 'sink';
  /** The query or stream whose changes it ships. */
  readonly from: string;
}

export type RelationDef = StreamDef | TableDef | QueryDef | SinkDef;

/** The name of the hidden processing-time column every stream has. */
export const ARRIVAL_COLUMN = '_arrival';

/** The store as the engine uses it: its catalog holds RelationDefs (storage itself needs only their names). */
export type RelationStore = Store<RelationDef>;
export type StoredRelation = StoredDef<RelationDef>;

const streamSchemas = new WeakMap<StreamDef, Schema>();

/**
 * The full schema of a stream's log: its declared columns, then `_arrival`. One array per definition (definitions are
 * frozen data), so the Arrow schema and its encoded IPC message, cached per schema object, are built once per stream
 * rather than once per INSERT.
 */
export function streamSchema(def: StreamDef): Schema {
  let schema = streamSchemas.get(def);
  if (schema === undefined) {
    schema = [...def.columns, { name: ARRIVAL_COLUMN, type: T.timestamptz, nullable: false }];
    streamSchemas.set(def, schema);
  }
  return schema;
}

/** How messages name a relation: `stream orders`, `continuous query totals`. */
export function describeRelation(def: RelationDef): string {
  const kind = { stream: 'stream', table: 'table', query: 'continuous query', sink: 'sink' }[def.kind];
  return `${kind} ${def.name}`;
}

// What the planner needs from the rest of the system: the catalog to bind names against, and the session facts that
// fold to constants (user, database, server-wide settings) plus a clock for createdAt.

import type { RelationDef } from '../engine/catalog';
import type { Schema, SqlType } from '../engine/types';

export interface PlannerCatalog {
  /** A stream, table, continuous query or sink by its (already case-folded) name. */
  relation(name: string): RelationDef | undefined;
  /**
   * A system view's columns, e.g. ('sluice', 'queries'), or undefined if there is none by that name. Read by a
   * Source whose relation is { kind: 'system', name: 'schema.name' }.
   */
  systemView(schema: string, name: string): Schema | undefined;
}

export interface PlanContext {
  /** Types the client declared in Parse ($1 is [0]); 'unknown' or missing means "infer from context". */
  readonly paramTypes: readonly SqlType[];
  readonly user: string;
  readonly database: string;
  /** Gives createdAt of new objects. */
  readonly now: () => Date;
  /** What current_setting(name) folds to (see ServerSetting). */
  readonly serverSetting: (name: string) => ServerSetting;
}

/**
 * A setting as a plan may hold it: only one whose value is the same for every session of the server
 * (server_version_num, max_identifier_length, ...) folds to a constant, because plans are shared between sessions
 * and kept across SETs; one a session can change is `per-session`.
 */
export type ServerSetting =
  | { readonly kind: 'server-wide'; readonly value: string }
  | { readonly kind: 'per-session' }
  | { readonly kind: 'unknown' };

export const SLUICE_VERSION = 'PostgreSQL 15.0 (Sluice 0.1.0) on x86_64, compiled by TypeScript';

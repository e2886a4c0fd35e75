// What the planner hands the engine: one planned statement, a discriminated union the engine executes
// (engine/execute/). It lives here, below the planner, so the engine can execute it without importing the planner.
// Plans are engine/plan.ts nodes; definitions are engine/catalog.ts defs; nothing here needs the SQL text again.

import type { QueryDef, SinkDef, StreamDef, TableDef } from './catalog';
import type { CopyFormatOptions } from './codecs/copy-out';
import type { Expr, PlanKind, PlanNode } from './plan';
import type { Privilege } from './privileges/acl';
import type { RoleAlteration, RoleOptions } from './roles/role';
import type { SubscribeOptions, SubscribeOutput } from './subscribe/options';
import type { Schema, SqlType } from './types';

export type ObjectKind = 'stream' | 'table' | 'query' | 'sink';

/**
 * INSERT ... ON CONFLICT on the table's primary key: a row whose key exists is skipped, or updates the existing
 * row. DO UPDATE's expressions read the existing row's columns, then EXCLUDED's (the row proposed for insertion):
 * index i < n is the existing row's column i, n + i EXCLUDED's.
 */
export type OnConflict =
  | { readonly action: 'nothing' }
  | {
    readonly action: 'update';
    readonly assignments: readonly { readonly column: number; readonly value: Expr }[];
    readonly where: Expr | null;
  };

/**
 * RETURNING: expressions over the written rows (index = the target's column position), evaluated over the rows an
 * INSERT wrote, the new rows of an UPDATE or the rows a DELETE removed.
 */
export interface Returning {
  readonly exprs: readonly Expr[];
  readonly schema: Schema;
}

export type Statement =
  /** A pull query. `plan.schema` is the result's columns. */
  | { readonly kind: 'select'; readonly plan: PlanNode; readonly paramTypes: readonly SqlType[] }
  | { readonly kind: 'create_stream'; readonly def: StreamDef; readonly ifNotExists: boolean }
  | { readonly kind: 'create_table'; readonly def: TableDef; readonly ifNotExists: boolean }
  /** `plan` is the continuous query's dataflow; the runtime re-plans def.select at every start. */
  | { readonly kind: 'create_query'; readonly def: QueryDef; readonly plan: PlanNode; readonly ifNotExists: boolean }
  | { readonly kind: 'create_sink'; readonly def: SinkDef; readonly ifNotExists: boolean }
  | {
    readonly kind: 'drop';
    readonly objectKind: ObjectKind;
    readonly name: string;
    readonly ifExists: boolean;
    readonly cascade: boolean;
  }
  | { readonly kind: 'alter_query'; readonly name: string; readonly action: 'pause' | 'resume' }
  /** CREATE ROLE / CREATE USER (`user`: LOGIN unless the options say otherwise). ALTER and DROP USER are the ROLE forms. */
  | { readonly kind: 'create_role'; readonly name: string; readonly options: RoleOptions; readonly user: boolean }
  | { readonly kind: 'alter_role'; readonly name: string; readonly alteration: RoleAlteration }
  | { readonly kind: 'drop_role'; readonly names: readonly string[]; readonly ifExists: boolean }
  /**
   * GRANT / REVOKE privileges on relations, or the right to create objects (`on` schema: CREATE ON SCHEMA public).
   * `grantees` are role names, `public` for PUBLIC.
   */
  | {
    readonly kind: 'grant';
    readonly grant: boolean;
    readonly on: GrantTarget;
    readonly grantees: readonly string[];
  }
  /**
   * INSERT into a stream or table: `source` produces whole rows in the target's column order (a stream's declared
   * columns, without _arrival), with casts to the column types applied; columns the statement did not list are NULL.
   */
  | {
    readonly kind: 'insert';
    readonly target: string;
    readonly targetKind: 'stream' | 'table';
    /** The target's columns, in order (what `source` produces). */
    readonly columns: readonly string[];
    readonly source: PlanNode;
    /** Into a table with a primary key only. */
    readonly onConflict: OnConflict | null;
    readonly returning: Returning | null;
    readonly paramTypes: readonly SqlType[];
  }
  /** COPY target FROM STDIN: `columns` are indexes into the target's columns, in the order the data has them. */
  | {
    readonly kind: 'copy_from';
    readonly target: string;
    readonly targetKind: 'stream' | 'table';
    readonly columns: readonly number[];
    /** json: one JSON object per line, read as a Kafka JSON message is (fields by name); COPY FROM only. */
    readonly format: 'csv' | 'text' | 'json';
    readonly header: boolean;
    /** Defaults applied: ',' for csv, tab for text. */
    readonly delimiter: string;
    /** Defaults applied: '' for csv, '\N' for text. */
    readonly null: string;
  }
  /** COPY (query) TO STDOUT and COPY relation [(columns)] TO STDOUT: a pull query whose rows go out as COPY lines. */
  | {
    readonly kind: 'copy_to';
    readonly plan: PlanNode;
    readonly paramTypes: readonly SqlType[];
    /** Checked: single-byte delimiter, quote and escape, csv-only options only in csv, FORCE_QUOTE per column. */
    readonly format: CopyFormatOptions;
    /** A first line of column names. */
    readonly header: boolean;
  }
  /** Expressions are over the table's columns (index = column position); `value` already cast to the column type. */
  | {
    readonly kind: 'update';
    readonly table: string;
    readonly assignments: readonly { readonly column: number; readonly value: Expr }[];
    readonly predicate: Expr | null;
    readonly returning: Returning | null;
    readonly paramTypes: readonly SqlType[];
  }
  | {
    readonly kind: 'delete';
    readonly table: string;
    readonly predicate: Expr | null;
    readonly returning: Returning | null;
    readonly paramTypes: readonly SqlType[];
  }
  /** SUBSCRIBE TO a stream, table or continuous query: its changes, epoch by epoch, until canceled. */
  | {
    readonly kind: 'subscribe';
    readonly relation: string;
    /** The rows' columns (engine/subscribe/options.ts subscribeSchema). */
    readonly schema: Schema;
    readonly options: SubscribeOptions;
    readonly output: SubscribeOutput;
  }
  | { readonly kind: 'show_objects'; readonly objectKind: ObjectKind }
  /**
   * `explained`: the plan of the query explained (EXPLAIN needs SELECT on what it reads, as in PostgreSQL), or the
   * continuous query explained by name (SELECT on it).
   */
  | { readonly kind: 'explain'; readonly lines: readonly string[]; readonly explained: PlanNode | string }
  /** EXPLAIN ANALYZE CONTINUOUS QUERY: the running query's DAG with each node's figures. */
  | {
    readonly kind: 'explain_analyze';
    readonly query: string;
    readonly format: 'text' | 'json';
    /** Every node of the plan by its id (engine/plan.ts planNodeOrder), the id of its DAG node's figures. */
    readonly nodes: readonly ExplainedNode[];
    /** EXPLAIN's lines; `node` is the id whose figures the line shows, null on a `Shared #k` line. */
    readonly lines: readonly { readonly text: string; readonly node: number | null }[];
  };

export interface ExplainedNode {
  readonly id: number;
  readonly kind: PlanKind;
  /** What the node's EXPLAIN line says of it, e.g. `HashAggregate keys=[user_id] aggs=[count(*)] emit=changes`. */
  readonly description: string;
  /** The ids of its inputs, in order (a join's left, then right). */
  readonly inputs: readonly number[];
}

export type GrantTarget =
  | { readonly kind: 'relations'; readonly privileges: readonly Privilege[]; readonly names: readonly string[] }
  | { readonly kind: 'schema' };

export type StatementKind = Statement['kind'];

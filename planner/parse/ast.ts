// The syntax tree of one Sluice statement, as written: names unresolved, types unchecked. Every node carries `pos`,
// the 0-based offset of the token PostgreSQL would point at in an error about it.

import type { Interval, SqlType } from '../../engine/types';
import type { RoleAlteration, RoleOptions } from '../../engine/roles/role';
import type { Privilege } from '../../engine/privileges/acl';

// ---------------------------------------------------------------------------------------------------------------
// Expressions

export type AstExpr =
  | { readonly kind: 'column'; readonly parts: readonly string[]; readonly pos: number }
  | { readonly kind: 'star'; readonly qualifier: string | null; readonly pos: number }
  | { readonly kind: 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'null'; readonly pos: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: number }
  /** $n, 0-based index. */
  | { readonly kind: 'param'; readonly index: number; readonly pos: number }
  /** `TYPE 'text'`, e.g. TIMESTAMPTZ '2026-01-01', and INTERVAL '10' SECOND folded to its value. */
  | { readonly kind: 'typed_string'; readonly type: AstType; readonly value: string; readonly pos: number }
  | { readonly kind: 'interval'; readonly value: Interval; readonly pos: number }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly arg: AstExpr; readonly pos: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: AstExpr; readonly right: AstExpr; readonly pos: number }
  | { readonly kind: 'is'; readonly arg: AstExpr; readonly test: 'null' | 'true' | 'false'; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'is_distinct'; readonly left: AstExpr; readonly right: AstExpr; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'between'; readonly arg: AstExpr; readonly low: AstExpr; readonly high: AstExpr; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'in_list'; readonly arg: AstExpr; readonly list: readonly AstExpr[]; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'in_query'; readonly arg: AstExpr; readonly query: Query; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'like'; readonly op: 'like' | 'ilike'; readonly arg: AstExpr; readonly pattern: AstExpr; readonly negated: boolean; readonly pos: number }
  | {
    readonly kind: 'call';
    /** Lower-cased function name (schema prefix dropped). */
    readonly name: string;
    readonly args: readonly AstExpr[];
    readonly distinct: boolean;
    /** count(*) */
    readonly star: boolean;
    readonly pos: number;
  }
  | { readonly kind: 'cast'; readonly arg: AstExpr; readonly type: AstType; readonly pos: number }
  | {
    readonly kind: 'case';
    readonly operand: AstExpr | null;
    readonly whens: readonly { readonly when: AstExpr; readonly then: AstExpr }[];
    readonly otherwise: AstExpr | null;
    readonly pos: number;
  }
  /** current_user, session_user, current_date...: SQL's parenthesis-less functions. */
  | { readonly kind: 'special'; readonly name: string; readonly pos: number }
  | { readonly kind: 'subquery'; readonly query: Query; readonly pos: number }
  | { readonly kind: 'exists'; readonly query: Query; readonly pos: number };

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'and' | 'or' | '||' | '->' | '->>' | '?';

export interface AstType {
  readonly type: SqlType;
  readonly pos: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries

export interface Query {
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  readonly limit: AstExpr | null;
  readonly offset: AstExpr | null;
  readonly pos: number;
  /** 0-based offset just past the query's last token (to cut a continuous query's SELECT text out). */
  readonly end: number;
}

export type QueryBody =
  | SelectCore
  | { readonly kind: 'union'; readonly all: boolean; readonly left: QueryBody; readonly right: QueryBody; readonly pos: number }
  | { readonly kind: 'values'; readonly rows: readonly (readonly AstExpr[])[]; readonly pos: number }
  | { readonly kind: 'nested'; readonly query: Query; readonly pos: number };

export interface SelectCore {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: readonly FromItem[];
  readonly where: AstExpr | null;
  readonly groupBy: readonly AstExpr[];
  readonly having: AstExpr | null;
  readonly pos: number;
}

/** ON CONFLICT [(columns)] DO NOTHING | DO UPDATE SET ... [WHERE ...]. */
export interface OnConflictAst {
  /** The conflict target's columns; null when none was given (DO NOTHING only). */
  readonly target: readonly Name[] | null;
  readonly action:
    | { readonly kind: 'nothing' }
    | {
      readonly kind: 'update';
      readonly assignments: readonly { readonly column: Name; readonly value: AstExpr }[];
      readonly where: AstExpr | null;
    };
  readonly pos: number;
}

/** A RETURNING list: a select list over the target's rows; null without RETURNING. */
export type Returning = readonly SelectItem[] | null;

export type SelectItem =
  | { readonly kind: 'star'; readonly qualifier: string | null; readonly pos: number }
  | { readonly kind: 'expr'; readonly expr: AstExpr; readonly alias: string | null; readonly pos: number };

export interface OrderItem {
  readonly expr: AstExpr;
  readonly descending: boolean;
  /** null: PostgreSQL's default (NULLS LAST ascending, NULLS FIRST descending). */
  readonly nullsFirst: boolean | null;
}

export type WindowFnName = 'tumble' | 'hop' | 'session';

/** `AS t(a, b)`: new names for the first columns of a FROM item, in order. */
export interface ColumnAliases {
  readonly names: readonly string[];
  readonly pos: number;
}

export type FromItem =
  | {
    readonly kind: 'relation'; readonly schema: string | null; readonly name: string; readonly alias: string | null;
    readonly columnAliases?: ColumnAliases; readonly pos: number;
  }
  | { readonly kind: 'subquery'; readonly query: Query; readonly alias: string | null; readonly columnAliases?: ColumnAliases; readonly pos: number }
  | {
    readonly kind: 'window_fn';
    readonly fn: WindowFnName;
    readonly source: FromItem;
    readonly args: readonly AstExpr[];
    readonly alias: string | null;
    readonly pos: number;
  }
  | {
    readonly kind: 'join';
    readonly joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
    readonly left: FromItem;
    readonly right: FromItem;
    readonly on: AstExpr | null;
    readonly using: readonly { readonly name: string; readonly pos: number }[] | null;
    readonly pos: number;
  };

// ---------------------------------------------------------------------------------------------------------------
// Statements

/** GRANT (grant true) or REVOKE; objectKind null when the statement names none (GRANT SELECT ON x). */
export interface GrantAst {
  readonly kind: 'grant';
  readonly grant: boolean;
  readonly on:
    | {
      readonly kind: 'relations';
      readonly privileges: readonly Privilege[];
      readonly objectKind: 'stream' | 'table' | 'query' | null;
      readonly names: readonly Name[];
    }
    | { readonly kind: 'schema' };
  readonly grantees: readonly Name[];
}

export interface Name {
  readonly name: string;
  readonly pos: number;
}

export interface ColumnDefAst {
  readonly name: string;
  readonly type: AstType;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
  readonly pos: number;
}

export interface OptionAst {
  readonly key: string;
  readonly value: string;
  readonly pos: number;
}

export type ObjectKindAst = 'stream' | 'table' | 'query' | 'sink';

export type StatementAst =
  | { readonly kind: 'query'; readonly query: Query }
  | {
    readonly kind: 'create_stream';
    readonly ifNotExists: boolean;
    readonly name: Name;
    readonly columns: readonly ColumnDefAst[];
    readonly watermark: { readonly column: Name; readonly delay: Interval; readonly pos: number } | null;
    readonly options: readonly OptionAst[];
  }
  | {
    readonly kind: 'create_table';
    readonly ifNotExists: boolean;
    readonly name: Name;
    readonly columns: readonly ColumnDefAst[];
    readonly primaryKey: readonly Name[] | null;
    readonly options: readonly OptionAst[];
  }
  | {
    readonly kind: 'create_query';
    readonly ifNotExists: boolean;
    readonly materializedView: boolean;
    readonly name: Name;
    readonly options: readonly OptionAst[];
    readonly query: Query;
    readonly emit: { readonly mode: 'changes' | 'on_window_close'; readonly pos: number } | null;
  }
  | { readonly kind: 'create_sink'; readonly ifNotExists: boolean; readonly name: Name; readonly from: Name; readonly options: readonly OptionAst[] }
  | {
    readonly kind: 'drop';
    readonly objectKind: ObjectKindAst;
    readonly materializedView: boolean;
    readonly ifExists: boolean;
    readonly name: Name;
    readonly cascade: boolean;
  }
  | { readonly kind: 'alter_query'; readonly name: Name; readonly action: 'pause' | 'resume' }
  | { readonly kind: 'create_role'; readonly name: Name; readonly options: RoleOptions; readonly user: boolean }
  | { readonly kind: 'alter_role'; readonly name: Name; readonly alteration: RoleAlteration }
  | { readonly kind: 'drop_role'; readonly names: readonly Name[]; readonly ifExists: boolean }
  | GrantAst
  | { readonly kind: 'show'; readonly objectKind: ObjectKindAst }
  | { readonly kind: 'explain'; readonly query: Query }
  | ({ readonly kind: 'explain_query'; readonly name: Name } & ExplainOptions)
  | {
    readonly kind: 'insert';
    readonly table: Name;
    readonly columns: readonly Name[] | null;
    readonly source: Query;
    readonly onConflict: OnConflictAst | null;
    readonly returning: Returning;
  }
  | {
    readonly kind: 'update';
    readonly table: Name;
    readonly alias: string | null;
    readonly assignments: readonly { readonly column: Name; readonly value: AstExpr }[];
    readonly where: AstExpr | null;
    readonly returning: Returning;
  }
  | {
    readonly kind: 'delete';
    readonly table: Name;
    readonly alias: string | null;
    readonly where: AstExpr | null;
    readonly returning: Returning;
  }
  | {
    readonly kind: 'copy_from';
    readonly table: Name;
    readonly columns: readonly Name[] | null;
    readonly format: CopyFromFormat;
    readonly header: boolean;
    readonly delimiter: string | null;
    readonly null: string | null;
  }
  | { readonly kind: 'copy_to'; readonly source: CopyToSource; readonly options: CopyOptionsAst }
  | SubscribeAst;

/** What COPY ... TO STDOUT writes out: a query's rows, or a relation's (some of its columns). */
export type CopyToSource =
  | { readonly kind: 'query'; readonly query: Query }
  | { readonly kind: 'relation'; readonly relation: Name; readonly columns: readonly Name[] | null };

/** COPY FROM STDIN also reads JSON lines (one object per line, as a Kafka JSON message), which COPY TO never writes. */
export type CopyFromFormat = 'csv' | 'text' | 'json';

/** COPY's options as written (null: not given); what they mean together is checked when planned. */
export interface CopyOptionsAst {
  readonly format: 'csv' | 'text';
  readonly header: boolean;
  readonly delimiter: string | null;
  readonly null: string | null;
  readonly quote: string | null;
  readonly escape: string | null;
  /** FORCE_QUOTE *, or the columns named. */
  readonly forceQuote: 'all' | readonly Name[] | null;
}

/** Where a SUBSCRIBE's rows go: DataRows (bare `SUBSCRIBE TO x`) or CopyData (`COPY (SUBSCRIBE ...) TO STDOUT`). */
export type SubscribeOutput = { readonly kind: 'rows' } | { readonly kind: 'copy'; readonly format: 'text' | 'csv' };

export interface SubscribeAst {
  readonly kind: 'subscribe';
  readonly relation: Name;
  /** WITH (snapshot = ..., progress = ..., from_epoch = ...), checked by the planner. */
  readonly options: readonly OptionAst[];
  readonly output: SubscribeOutput;
}

/** One parsed statement and the text it came from (kept for definitions and error positions). */
export interface Ast {
  readonly text: string;
  readonly statement: StatementAst;
}

/** EXPLAIN's options: ANALYZE shows a running continuous query's figures, as text or as JSON. */
export interface ExplainOptions {
  readonly analyze: boolean;
  readonly format: 'text' | 'json';
}

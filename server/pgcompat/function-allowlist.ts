// What a catalog statement may call. The decision is made on functions as PostgreSQL resolved them (by OID, after
// overloading, quoting and search_path), never on the names in the text: a list of forbidden spellings leaked
// ("pg_read_file"(...), attribute notation, pg_ls_waldir, set_config, ...). call-check.ts gets the resolved calls from
// the mirror's own parse tree; this module reads them out of that tree and decides.
//
// The rule, and why:
//  - functions in pg_catalog and information_schema that PostgreSQL itself declares IMMUTABLE or STABLE. By
//    PostgreSQL's own contract such a function cannot modify the database and returns the same answer within a
//    statement; every function that reads files, sleeps, signals backends, takes locks, sets settings or runs SQL
//    text of its own (pg_read_file, pg_ls_*, pg_sleep, set_config, pg_advisory_lock, query_to_xml, ts_stat, lo_*,
//    pg_notify, nextval ...) is VOLATILE. What \d, pg_dump, JDBC/ODBC metadata and BI tools call is almost all of
//    this kind (format_type, pg_get_expr, pg_get_indexdef, has_*_privilege, array and string functions ...);
//  - the few VOLATILE functions those tools do call, named below: they only read sizes, clocks or state;
//  - Sluice's own shim functions (rewrite.ts's hidden schema).
// Anything else is refused with 42501, as PostgreSQL refuses a function a role may not execute.

import { SqlError, SQLSTATE } from '../../engine/errors';
import { SHIM_SCHEMA } from './rewrite';

/** VOLATILE functions that only read, and that psql (\l+, \dt+, \dP, \dO), pg_dump or monitoring tools call. */
const READING_VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'pg_table_size', 'pg_relation_size', 'pg_total_relation_size', 'pg_indexes_size', 'pg_database_size',
  'pg_tablespace_size', 'pg_is_in_recovery', 'pg_is_wal_replay_paused', 'pg_last_xact_replay_timestamp',
  'pg_jit_available', 'pg_partition_tree', 'pg_partition_ancestors', 'pg_collation_actual_version',
  'pg_database_collation_actual_version', 'clock_timestamp', 'timeofday', 'random', 'gen_random_uuid',
  'current_query',
]);

/** Schemas of PostgreSQL's own functions. */
const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['pg_catalog', 'information_schema']);

/** One function as the mirror's pg_proc describes it. */
export interface ProcInfo {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** pg_proc.provolatile: 'i' immutable, 's' stable, 'v' volatile. */
  readonly volatility: string;
}

export function isAllowedFunction(proc: ProcInfo): boolean {
  if (proc.schema === SHIM_SCHEMA) return true;
  if (!SYSTEM_SCHEMAS.has(proc.schema)) return false;
  return proc.volatility === 'i' || proc.volatility === 's' || (proc.schema === 'pg_catalog' && READING_VOLATILE_FUNCTIONS.has(proc.name));
}

/** The objects a parse tree (PostgreSQL's nodeToString form, as debug_print_parse logs it) calls. */
export interface TreeCalls {
  /** Functions, aggregates, window functions and table sample handlers, by OID. */
  readonly functions: ReadonlySet<number>;
  /** Operators, by OID (each calls its pg_operator.oprcode). */
  readonly operators: ReadonlySet<number>;
  /** The tree holds a utility statement (SELECT INTO, EXPLAIN ...), whose parts are not resolved at parse time. */
  readonly utility: boolean;
}

// FuncExpr :funcid, Aggref :aggfnoid, WindowFunc :winfnoid, TableSampleClause :tsmhandler; every other field naming
// a function (:opfuncid, :hashfuncid ...) is filled in only by the planner, from the operator, and is 0 here.
const FUNCTION_FIELD = /:(?:\w*funcid|aggfnoid|winfnoid|tsmhandler) (\d+)/g;
// OpExpr, DistinctExpr, NullIfExpr and ScalarArrayOpExpr :opno; RowCompareExpr :opnos (o 96 97).
const OPERATOR_FIELD = /:opno (\d+)/g;
const OPERATOR_LIST_FIELD = /:opnos \(o([\d ]*)\)/g;

export function callsInTree(tree: string): TreeCalls {
  // The logged tree is wrapped at 80 columns, sometimes between a field and its value.
  const flat = tree.replace(/\s+/g, ' ');
  const functions = new Set<number>();
  const operators = new Set<number>();
  for (const m of flat.matchAll(FUNCTION_FIELD)) if (m[1] !== '0') functions.add(Number(m[1]));
  for (const m of flat.matchAll(OPERATOR_FIELD)) operators.add(Number(m[1]));
  for (const m of flat.matchAll(OPERATOR_LIST_FIELD)) {
    for (const oid of m[1].trim().split(' ')) if (oid !== '') operators.add(Number(oid));
  }
  return { functions, operators, utility: /:utilityStmt \{/.test(flat) };
}

export function permissionDenied(proc: ProcInfo): SqlError {
  return new SqlError(SQLSTATE.insufficient_privilege, `permission denied for function ${proc.name}`, {
    hint: 'Catalog statements may call only the read-only functions tools use to describe objects (see docs/security.md).',
  });
}

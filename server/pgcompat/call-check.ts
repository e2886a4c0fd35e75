// Before a catalog statement runs in the mirror, PostgreSQL (the mirror itself) resolves what it calls: the statement
// is parsed with debug_print_parse on, which logs the analysed parse tree (functions and operators by OID, exactly as
// the executor would call them) to the client as a LOG message, without executing anything. The OIDs are looked up in
// pg_proc and judged by function-allowlist.ts. A statement whose calls cannot be resolved is refused: the check fails
// closed.

import type { DatabaseError, NoticeMessage } from 'pg-protocol/dist/messages';
import { SqlError, SQLSTATE } from '../../engine/errors';
import { isName, isOp, type Token } from '../../planner/parse/lexer';
import { callsInTree, isAllowedFunction, permissionDenied, type ProcInfo, type TreeCalls } from './function-allowlist';
import type { MirrorDatabase } from './mirror-thread';
import { exchange, frontend, readExtendedResult, splitAtReadyForQuery } from './wire';

/** Only for the one Parse of the check; rolled back with its transaction. */
const LOG_PARSE_TREE = 'SET LOCAL debug_print_parse = on; SET LOCAL debug_pretty_print = off; SET LOCAL client_min_messages = log';

export interface CheckedStatement {
  /** The statement as the mirror runs it (after rewriteForMirror). */
  readonly text: string;
  /** Where the statement proper begins in `text`: after EXPLAIN and its options, whose target is parsed later. */
  readonly start: number;
  readonly paramTypeOids: readonly number[];
}

/**
 * Throws 42501 when the statement calls a function outside the allowlist. Returns PostgreSQL's own error when the
 * statement does not parse (the caller reports it as for any statement), null when every call is allowed.
 */
export async function checkCalls(
  db: MirrorDatabase, statement: CheckedStatement, signal: AbortSignal,
): Promise<DatabaseError | null> {
  const parsed = await parseTree(db, statement.text.slice(statement.start), statement.paramTypeOids, signal);
  if ('error' in parsed) return parsed.error;
  const calls = callsInTree(parsed.tree);
  if (calls.utility) {
    throw new SqlError(SQLSTATE.insufficient_privilege, 'permission denied: the system catalogs are read-only in Sluice');
  }
  const procs = await calledProcs(db, calls, signal);
  const denied = procs.find((p) => !isAllowedFunction(p));
  if (denied !== undefined) throw permissionDenied(denied);
  return null;
}

/** Where the statement EXPLAIN [ANALYZE] [VERBOSE] [(options)] explains begins; 0 for any other statement. */
export function explainedStatementStart(tokens: readonly Token[]): number {
  let k = 0;
  while (isName(tokens[k], 'explain')) {
    k++;
    if (isOp(tokens[k], '(')) {
      while (k < tokens.length && !isOp(tokens[k], ')')) k++;
      k++;
    }
    while (['analyze', 'analyse', 'verbose'].some((w) => isName(tokens[k], w))) k++;
  }
  return k === 0 ? 0 : (tokens[k]?.start ?? Number.MAX_SAFE_INTEGER);
}

async function parseTree(
  db: MirrorDatabase, text: string, paramTypeOids: readonly number[], signal: AbortSignal,
): Promise<{ tree: string } | { error: DatabaseError }> {
  const messages = await exchange(db, [
    frontend.query('BEGIN'),
    frontend.query(LOG_PARSE_TREE),
    frontend.parse(text, paramTypeOids),
    frontend.sync(),
    frontend.query('ROLLBACK'),
  ], signal);
  // Answers: [BEGIN] [SET ...] [Parse..Sync] [ROLLBACK].
  const groups = splitAtReadyForQuery(messages);
  const setup = readExtendedResult(groups[1] ?? []);
  const result = readExtendedResult(groups[2] ?? []);
  if (setup.error) throw unresolved(setup.error.message);
  if (result.error) return { error: result.error };
  const tree = result.notices.find(isParseTreeLog);
  if (tree?.detail === undefined) throw unresolved('the mirror did not report its parse tree');
  return { tree: tree.detail };
}

function isParseTreeLog(n: NoticeMessage): boolean {
  return n.severity === 'LOG' && n.message === 'parse tree:';
}

/**
 * What pg_proc said, per mirror database (a new thread may give Sluice's shims new OIDs): functions by OID, and each
 * operator's function. At most every function once, so most statements need no look-up at all.
 */
interface Resolved {
  readonly procs: Map<number, ProcInfo>;
  readonly operatorProcs: Map<number, number>;
}

const resolvedByDatabase = new WeakMap<MirrorDatabase, Resolved>();

async function calledProcs(db: MirrorDatabase, calls: TreeCalls, signal: AbortSignal): Promise<ProcInfo[]> {
  let known = resolvedByDatabase.get(db);
  if (known === undefined) resolvedByDatabase.set(db, (known = { procs: new Map(), operatorProcs: new Map() }));
  const newFunctions = [...calls.functions].filter((oid) => !known.procs.has(oid));
  const newOperators = [...calls.operators].filter((oid) => !known.operatorProcs.has(oid));
  if (newFunctions.length > 0 || newOperators.length > 0) await lookUp(db, known, newFunctions, newOperators, signal);
  const procOids = [...calls.functions];
  for (const opno of calls.operators) {
    const proc = known.operatorProcs.get(opno);
    if (proc === undefined) throw unresolved(`operator ${opno} has no function in pg_operator`);
    procOids.push(proc);
  }
  return procOids.map((oid) => {
    const proc = known.procs.get(oid);
    if (proc === undefined) throw unresolved(`function ${oid} is not in pg_proc`);
    return proc;
  });
}

async function lookUp(
  db: MirrorDatabase, known: Resolved, functions: readonly number[], operators: readonly number[], signal: AbortSignal,
): Promise<void> {
  const oids = (list: readonly number[]): string => `'{${list.join(',')}}'::pg_catalog.oid[]`;
  const sql =
    'SELECT p.oid, p.proname, n.nspname, p.provolatile, o.oid FROM pg_catalog.pg_proc p ' +
    'JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace ' +
    `LEFT JOIN pg_catalog.pg_operator o ON o.oprcode = p.oid AND o.oid = ANY (${oids(operators)}) ` +
    `WHERE p.oid = ANY (${oids(functions)}) OR o.oid IS NOT NULL`;
  const result = readExtendedResult(await exchange(db, [frontend.query(sql)], signal));
  if (result.error) throw unresolved(result.error.message);
  for (const [oid, name, schema, volatility, opno] of result.rows) {
    known.procs.set(Number(oid), { oid: Number(oid), name: name ?? '', schema: schema ?? '', volatility: volatility ?? '' });
    if (opno !== null) known.operatorProcs.set(Number(opno), Number(oid));
  }
}

function unresolved(why: string): SqlError {
  return new SqlError(SQLSTATE.insufficient_privilege,
    `permission denied: the functions this catalog statement calls could not be checked (${why})`);
}

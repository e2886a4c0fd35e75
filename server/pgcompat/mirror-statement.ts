// One catalog statement prepared in the mirror. Prepare parses and describes it in PGlite (so parameter types and
// result columns are PostgreSQL's own, and syntax errors surface at Parse time as they would on PostgreSQL), after
// call-check.ts has made sure that it calls only allowed functions; every execution runs it in a READ ONLY
// transaction that is always rolled back, so nothing a client sends can change the mirror or leak settings to
// another client's statements.

import type { DatabaseError } from 'pg-protocol/dist/messages';
import type { ExecContext, FieldDescription, PreparedStatement, SessionState, StatementResult } from '../backend';
import { canceledBy, SqlError, SQLSTATE, type SqlState } from '../../engine/errors';
import { formatInterval, formatValue } from '../../engine/text';
import { typeByOid, type Value } from '../../engine/types';
import { checkCalls } from './call-check';
import type { MirrorDatabase } from './mirror-thread';
import type { RewrittenSql } from './rewrite';
import { exchange, frontend, readExtendedResult, splitAtReadyForQuery, type ExtendedResult } from './wire';

/** Runs `fn` with exclusive use of the started, synced mirror database. */
export type MirrorRunner = <T>(fn: (db: MirrorDatabase) => Promise<T>) => Promise<T>;

const READ_ONLY_SQLSTATE = '25006';

export async function prepareInMirror(
  run: MirrorRunner,
  sql: string,
  rewritten: RewrittenSql,
  paramTypeOids: readonly number[],
  /** Where the statement an EXPLAIN explains begins in the text (call-check.ts); 0 for any other statement. */
  checkedStart: number,
  timeLimitMs: number,
): Promise<PreparedStatement> {
  const { checkError, messages } = await run((db) => withTimeLimit(undefined, timeLimitMs, async (signal) => {
    const checkError = await checkCalls(db, { text: rewritten.text, start: checkedStart, paramTypeOids }, signal);
    const describe = [frontend.parse(rewritten.text, paramTypeOids), frontend.describeStatement(), frontend.sync()];
    const messages = await exchange(db, describe, signal);
    return { checkError, messages };
  }));
  const described = readExtendedResult(messages);
  if (described.error) throw sqlErrorFrom(described.error, rewritten);
  // Only an EXPLAIN parses while the statement it explains does not: its calls were never resolved.
  if (checkError) {
    throw sqlErrorFrom(checkError, { text: rewritten.text, originalPosition: (p) => rewritten.originalPosition(p + checkedStart) });
  }
  const resolvedParams = described.paramTypeOids ?? paramTypeOids;
  const fields = described.fields ?? null;
  return {
    sql,
    paramTypeOids: resolvedParams,
    transaction: null,
    describe: async (_session: SessionState) => fields,
    execute: (session, params, ctx) => executeInMirror(run, rewritten, resolvedParams, session, params, ctx, timeLimitMs),
  };
}

async function executeInMirror(
  run: MirrorRunner,
  rewritten: RewrittenSql,
  paramTypeOids: readonly number[],
  session: SessionState,
  params: readonly Value[],
  ctx: ExecContext,
  timeLimitMs: number,
): Promise<StatementResult> {
  throwIfCanceled(ctx);
  const values = params.map((v, i) => paramText(v, paramTypeOids[i] ?? 0));
  const messages = await run((db) => withTimeLimit(ctx.signal, timeLimitMs, (signal) => {
    // Canceled while waiting for the mirror: do not start.
    throwIfCanceled(ctx);
    return exchange(db, [
      frontend.query('BEGIN READ ONLY'),
      frontend.parse(rewritten.text, paramTypeOids),
      frontend.bind(values),
      frontend.describePortal(),
      frontend.execute(),
      frontend.sync(),
      frontend.query('ROLLBACK'),
    ], signal);
  }));
  // Answers: [BEGIN] [Parse..Sync] [ROLLBACK].
  const groups = splitAtReadyForQuery(messages);
  const result: ExtendedResult = readExtendedResult(groups[1] ?? []);
  for (const n of result.notices) session.notice(n.message ?? '', n.detail);
  if (result.error) throw sqlErrorFrom(result.error, rewritten);
  const tag = result.commandTag ?? 'SELECT 0';
  if (result.fields === null || result.fields === undefined) return { kind: 'command', tag };
  const fields: readonly FieldDescription[] = result.fields;
  const verb = tag.split(' ')[0];
  return {
    kind: 'rows',
    fields,
    rows: result.rows,
    tag: (rowsSent) => (verb === 'SELECT' ? `SELECT ${rowsSent}` : tag),
  };
}

/**
 * Runs `fn` with a signal that aborts when `outer` does or when `limitMs` have passed, whichever is first: the mirror
 * is shared by every session, so one catalog statement may hold it only so long, statement_timeout or not.
 */
async function withTimeLimit<T>(outer: AbortSignal | undefined, limitMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new SqlError(SQLSTATE.query_canceled, 'canceling statement due to statement timeout', {
    detail: `A catalog statement may run for at most ${limitMs} ms.`,
  })), limitMs);
  const forward = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  outer?.addEventListener('abort', forward, { once: true });
  try {
    return await fn(controller.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  }
}

function throwIfCanceled(ctx: ExecContext): void {
  if (ctx.signal.aborted) throw canceledBy(ctx.signal);
}

/** A parameter in PostgreSQL's text form, as Bind sends it in text format. */
export function paramText(value: Value, typeOid: number): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  const type = typeByOid(typeOid);
  if (type !== undefined && type.name !== 'unknown') return formatValue(value, type);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'object') return formatInterval(value);
  return String(value);
}

/** PGlite's error as the client should see it: its SQLSTATE, message and position in the client's own text. */
export function sqlErrorFrom(e: DatabaseError, rewritten: RewrittenSql): SqlError {
  if (e.code === READ_ONLY_SQLSTATE) {
    return new SqlError(SQLSTATE.insufficient_privilege, 'permission denied: the system catalogs are read-only in Sluice', {
      detail: e.message,
    });
  }
  const position = e.position !== undefined ? rewritten.originalPosition(Number(e.position)) : undefined;
  // PGlite's SQLSTATE is PostgreSQL's; it may be one Sluice itself never raises, hence the cast.
  return new SqlError((e.code ?? SQLSTATE.internal_error) as SqlState, e.message, {
    position,
    detail: e.detail,
    hint: e.hint,
  });
}

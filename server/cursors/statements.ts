// DECLARE, FETCH, MOVE and CLOSE as prepared statements. DECLARE runs its query at once (the rows a cursor returns
// are those of the moment it was declared, as in PostgreSQL) and keeps them, accounted, as the cursor's row source;
// FETCH and MOVE read from it; CLOSE and the end of the transaction (session-cursors.ts) let it go.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { StatementText } from '../../planner/split';
import type { ExecContext, FieldDescription, PreparedStatement, SessionState, StatementResult } from '../backend';
import type { Value } from '../../engine/types';
import { sessionTokens } from '../session/token-cursor';
import { commandStatement } from '../session/prepared';
import { isWord, type Token } from '../../planner/parse/lexer';
import { Cursor } from './cursor';
import { parseDeclare, type DeclareCommand } from './declare-syntax';
import { parseFetch, type FetchCommand } from './fetch-syntax';
import { MaterializedRows, type CursorRowSource } from './row-source';
import { SubscriptionRows } from './subscription-rows';
import type { SessionCursors } from './session-cursors';

/** Prepares the query a cursor is declared over, the way any statement of the string would be. */
export type PrepareQuery = (query: StatementText) => Promise<PreparedStatement>;

/** Null when the statement is none of DECLARE, FETCH, MOVE, CLOSE; throws SqlError for a malformed one. */
export async function prepareCursorStatement(
  statement: StatementText, cursors: SessionCursors, prepareQuery: PrepareQuery,
): Promise<PreparedStatement | null> {
  const declare = parseDeclare(statement);
  if (declare !== null) return declareStatement(statement.text, declare, await prepareQuery(declare.query), cursors);
  if (!isWord(statement.tokens[0], 'fetch', 'move', 'close')) return null;
  const tokens = sessionTokens(statement.text, statement.tokens);
  if (tokens === null) return null;
  if (isWord(tokens[0], 'close')) return closeStatement(statement.text, tokens.slice(1), cursors);
  const fetch = parseFetch(tokens);
  return fetch && fetchStatement(statement.text, fetch, cursors);
}

function declareStatement(sql: string, declare: DeclareCommand, query: PreparedStatement, cursors: SessionCursors): PreparedStatement {
  return {
    sql,
    paramTypeOids: query.paramTypeOids,
    transaction: null,
    describe: async () => null,
    async execute(session, params, ctx): Promise<StatementResult> {
      const inBlock = session.transactionStatus !== 'I';
      if (!inBlock && !declare.withHold) {
        throw new SqlError(SQLSTATE.no_active_sql_transaction, 'DECLARE CURSOR can only be used in transaction blocks');
      }
      cursors.checkNameFree(session, declare.name);
      const [fields, rows] = await runQuery(query, session, params, ctx, cursors);
      const cursor = new Cursor(declare.name, fields, declare.withHold, rows);
      // Outside a block the statement is its own transaction, committed as it ends.
      cursor.committedHold = !inBlock;
      cursors.add(session, cursor);
      return { kind: 'command', tag: 'DECLARE CURSOR' };
    },
  };
}

/**
 * Runs the cursor's query and makes its result the cursor's row source. The query runs under a signal of the
 * cursor's own, which CLOSE and the cursor's end abort, and a CancelRequest too while the DECLARE runs: a SUBSCRIBE
 * goes on after the DECLARE, until the cursor ends.
 */
async function runQuery(
  query: PreparedStatement, session: SessionState, params: readonly Value[], ctx: ExecContext, cursors: SessionCursors,
): Promise<[readonly FieldDescription[], CursorRowSource]> {
  const lifetime = new AbortController();
  const cancelDeclare = (): void => lifetime.abort(ctx.signal.reason);
  if (ctx.signal.aborted) cancelDeclare();
  else ctx.signal.addEventListener('abort', cancelDeclare, { once: true });
  try {
    const result = await query.execute(session, params, { signal: lifetime.signal });
    switch (result.kind) {
      case 'rows': return [result.fields, new MaterializedRows(result.rows, cursors.memory)];
      case 'row_stream': return [result.fields, new SubscriptionRows(result, lifetime, cursors.memory)];
      default: throw new SqlError(SQLSTATE.feature_not_supported, 'DECLARE CURSOR needs a query that returns rows');
    }
  } finally {
    ctx.signal.removeEventListener('abort', cancelDeclare);
  }
}

function fetchStatement(sql: string, fetch: FetchCommand, cursors: SessionCursors): PreparedStatement {
  const options = (signal: AbortSignal) => ({ signal, timeoutMs: fetch.timeoutMs });
  if (fetch.verb === 'move') {
    return commandStatementAsync(sql, async (session, signal) => {
      const moved = await cursors.get(session, fetch.cursor).move(fetch.direction, options(signal));
      return `MOVE ${moved}`;
    });
  }
  return {
    sql,
    paramTypeOids: [],
    transaction: null,
    // As PostgreSQL describes a FETCH: with the columns of the cursor open now, if any.
    describe: async (session) => cursors.find(session, fetch.cursor)?.fields ?? null,
    async execute(session, _params, { signal }): Promise<StatementResult> {
      const cursor = cursors.get(session, fetch.cursor);
      const rows = await cursor.fetch(fetch.direction, options(signal));
      return { kind: 'rows', fields: cursor.fields, rows, tag: (n) => `FETCH ${n}` };
    },
  };
}

/** CLOSE name | ALL */
function closeStatement(sql: string, rest: readonly Token[], cursors: SessionCursors): PreparedStatement | null {
  const [target] = rest;
  if (rest.length !== 1 || (target.kind !== 'word' && target.kind !== 'quoted')) return null;
  const all = target.kind === 'word' && target.value === 'all';
  return commandStatement(sql, 'CLOSE CURSOR', (session: SessionState) => {
    if (all) cursors.closeAll(session);
    else cursors.close(session, target.value);
  });
}

/** A statement answered by a command tag that takes time to work out (MOVE reads the rows it skips). */
function commandStatementAsync(
  sql: string, run: (session: SessionState, signal: AbortSignal) => Promise<string>,
): PreparedStatement {
  return {
    sql,
    paramTypeOids: [],
    transaction: null,
    describe: async () => null,
    execute: async (session, _params, { signal }) => ({ kind: 'command', tag: await run(session, signal) }),
  };
}

// PREPARE name [(type, ...)] AS statement, EXECUTE name [(constant, ...)] and DEALLOCATE [PREPARE] name | ALL: the
// SQL-level prepared statements pg_dump uses for its per-object catalog queries. The statement after AS is prepared
// the way any statement would be (a catalog query goes to the mirror, a SELECT to the planner), with the declared
// parameter types, and kept for the session; EXECUTE runs it with its arguments as that statement's parameters.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Value } from '../../engine/types';
import { isOp, isWord, type Token } from '../../planner/parse/lexer';
import type { StatementText } from '../../planner/split';
import type { PreparedStatement, SessionState } from '../backend';
import { decodeParam } from '../protocol/values';
import { commandStatement } from './prepared';
import { sessionTimeZone } from './settings';
import { sessionTokens, TokenCursor } from './token-cursor';

/** Prepares the statement after PREPARE ... AS, the way any statement of the string would be. */
export type PrepareStatement = (statement: StatementText, paramTypeOids: readonly number[]) => Promise<PreparedStatement>;

/** Type names PREPARE may declare: Sluice's types (SQL.md) and the catalog types pg_dump's queries take. */
const TYPE_OIDS: Readonly<Record<string, number>> = {
  boolean: 16, bool: 16, smallint: 21, int2: 21, integer: 23, int: 23, int4: 23, bigint: 20, int8: 20,
  real: 700, float4: 700, float8: 701, float: 701, numeric: 1700, decimal: 1700, text: 25, varchar: 1043,
  timestamptz: 1184, timestamp: 1114, date: 1082, interval: 1186, jsonb: 3802,
  oid: 26, name: 19, char: 18, regclass: 2205, regproc: 24, regtype: 2206, regnamespace: 4089,
};

const sessions = new WeakMap<SessionState, Map<string, PreparedStatement>>();

function statementsOf(session: SessionState): Map<string, PreparedStatement> {
  let map = sessions.get(session);
  if (map === undefined) sessions.set(session, (map = new Map()));
  return map;
}

/** DISCARD ALL and DEALLOCATE ALL: the session's SQL prepared statements go. */
export function forgetSqlPrepared(session: SessionState): void {
  sessions.delete(session);
}

/** Null when the statement is none of PREPARE, EXECUTE, DEALLOCATE; throws SqlError for a malformed one. */
export async function prepareSqlPrepared(
  statement: StatementText, prepareStatement: PrepareStatement,
): Promise<PreparedStatement | null> {
  const first = statement.tokens[0];
  if (isWord(first, 'prepare')) return prepareStatementFor(statement, prepareStatement);
  if (!isWord(first, 'execute', 'deallocate')) return null;
  const tokens = sessionTokens(statement.text, statement.tokens);
  if (tokens === null) {
    throw new SqlError(SQLSTATE.feature_not_supported, `${first.value.toUpperCase()}'s arguments must be constants in Sluice`);
  }
  const c = new TokenCursor(tokens);
  c.next();
  return isWord(first, 'execute') ? executeStatement(statement, c) : deallocateStatement(statement, c);
}

async function prepareStatementFor(statement: StatementText, prepareStatement: PrepareStatement): Promise<PreparedStatement> {
  const tokens = statement.tokens;
  const name = nameOf(tokens[1], statement);
  let k = 2;
  const paramTypeOids: number[] = [];
  if (isOp(tokens[k], '(')) {
    do {
      k++;
      const [oid, next] = typeAt(statement, k);
      paramTypeOids.push(oid);
      k = next;
    } while (isOp(tokens[k], ','));
    if (!isOp(tokens[k], ')')) throw syntaxError(tokens[k], statement);
    k++;
  }
  if (!isWord(tokens[k], 'as') || tokens[k + 1] === undefined) throw syntaxError(tokens[k], statement);
  const inner = await prepareStatement(statementAfter(statement, k + 1), paramTypeOids);
  return commandStatement(statement.text, 'PREPARE', (session) => {
    const statements = statementsOf(session);
    if (statements.has(name)) {
      throw new SqlError(SQLSTATE.duplicate_prepared_statement, `prepared statement "${name}" already exists`);
    }
    statements.set(name, inner);
  });
}

function executeStatement(statement: StatementText, c: TokenCursor): PreparedStatement {
  const name = nameOf(c.next(), statement);
  const args: Token[] = [];
  if (c.acceptOp('(')) {
    do {
      const arg = c.next();
      if (arg === undefined || (arg.kind !== 'string' && arg.kind !== 'number' && !isWord(arg, 'null'))) {
        throw new SqlError(SQLSTATE.feature_not_supported, "EXECUTE's arguments must be constants in Sluice");
      }
      args.push(arg);
    } while (c.acceptOp(','));
    if (!c.acceptOp(')')) throw syntaxError(c.peek(), statement);
  }
  if (!c.done) throw syntaxError(c.peek(), statement);
  const innerOf = (session: SessionState): PreparedStatement => {
    const inner = sessions.get(session)?.get(name);
    if (inner === undefined) throw new SqlError(SQLSTATE.invalid_sql_statement_name, `prepared statement "${name}" does not exist`);
    if (inner.paramTypeOids.length !== args.length) {
      throw new SqlError(SQLSTATE.syntax_error, `wrong number of parameters for prepared statement "${name}"`, {
        detail: `Expected ${inner.paramTypeOids.length} parameters but got ${args.length}.`,
      });
    }
    return inner;
  };
  return {
    sql: statement.text,
    paramTypeOids: [],
    transaction: null,
    describe: async (session) => innerOf(session).describe(session),
    async execute(session, _params, ctx) {
      const inner = innerOf(session);
      const values: Value[] = args.map((arg, i) =>
        arg.kind === 'word' ? null : decodeParam(Buffer.from(arg.value, 'utf8'), 0, inner.paramTypeOids[i], i + 1, sessionTimeZone(session)));
      return inner.execute(session, values, ctx);
    },
  };
}

function deallocateStatement(statement: StatementText, c: TokenCursor): PreparedStatement {
  const sql = statement.text;
  c.acceptWords('prepare');
  if (c.acceptWords('all') && c.done) {
    // The protocol layer sees the tag and also drops the session's protocol-level prepared statements.
    return commandStatement(sql, 'DEALLOCATE ALL', forgetSqlPrepared);
  }
  const name = nameOf(c.next(), statement);
  if (!c.done) throw syntaxError(c.peek(), statement);
  return commandStatement(sql, 'DEALLOCATE', (session) => {
    if (!sessions.get(session)?.delete(name)) {
      throw new SqlError(SQLSTATE.invalid_sql_statement_name, `prepared statement "${name}" does not exist`);
    }
  });
}

/**
 * The type name at the statement's token k ([pg_catalog.]name or double precision; a modifier (n[, m]) is ignored):
 * its OID and the index of the token after it.
 */
function typeAt(statement: StatementText, k: number): [number, number] {
  const tokens = statement.tokens;
  if (isWord(tokens[k], 'pg_catalog') && isOp(tokens[k + 1], '.')) k += 2;
  const t = tokens[k];
  let word = t?.kind === 'word' || t?.kind === 'quoted' ? t.value : undefined;
  k++;
  if (word === 'double' && isWord(tokens[k], 'precision')) {
    word = 'float8';
    k++;
  }
  const oid = word === undefined ? undefined : TYPE_OIDS[word];
  if (oid === undefined) {
    if (word === undefined) throw syntaxError(t, statement);
    throw new SqlError(SQLSTATE.undefined_object, `type "${word}" does not exist`, { position: statement.offset + t.start + 1 });
  }
  if (isOp(tokens[k], '(')) {
    while (tokens[k] !== undefined && !isOp(tokens[k], ')')) k++;
    k++;
  }
  return [oid, k];
}

function nameOf(t: Token | undefined, statement: Pick<StatementText, 'offset' | 'text'>): string {
  if (t?.kind !== 'word' && t?.kind !== 'quoted') throw syntaxError(t, statement);
  return t.value;
}

function statementAfter(statement: StatementText, k: number): StatementText {
  const start = statement.tokens[k].start;
  return {
    text: statement.text.slice(start),
    offset: statement.offset + start,
    tokens: statement.tokens.slice(k).map((t) => ({ ...t, start: t.start - start, end: t.end - start })),
  };
}

/** Positions count in the whole query string, of which the statement starts at `offset`. */
function syntaxError(t: Token | undefined, { offset, text }: Pick<StatementText, 'offset' | 'text'>): SqlError {
  return t === undefined
    ? new SqlError(SQLSTATE.syntax_error, 'syntax error at end of input', { position: offset + text.length + 1 })
    : new SqlError(SQLSTATE.syntax_error, `syntax error at or near "${text.slice(t.start, t.end)}"`, { position: offset + t.start + 1 });
}

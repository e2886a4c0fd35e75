// Statements about the session itself (SET, SHOW, RESET, BEGIN, COMMIT, ROLLBACK, DISCARD, SELECT pg_sleep),
// answered without the planner. Matched case-insensitively; returns null for anything else, so the statement goes on
// to the planner.

import type { PreparedStatement } from '../backend';
import { tokenize, TokenCursor, type Token } from './tokens';
import { parseSet, parseReset } from './set-statements';
import { parseShow } from './show-statements';
import { parseBegin, parseCommit, parseRollback } from './transaction-statements';
import { parseDiscard, parsePgSleep } from './misc-statements';

type StatementParser = (sql: string, c: TokenCursor) => PreparedStatement | null;

const BY_FIRST_WORD: Record<string, StatementParser> = {
  set: parseSet,
  reset: parseReset,
  show: parseShow,
  begin: parseBegin,
  start: parseBegin,
  commit: parseCommit,
  end: parseCommit,
  rollback: parseRollback,
  abort: parseRollback,
  discard: parseDiscard,
  select: parsePgSleep,
};

export function prepareSessionStatement(sql: string): PreparedStatement | null {
  const tokens: Token[] | null = tokenize(sql);
  const first = tokens?.[0];
  if (tokens === null || first === undefined || first.kind !== 'word' || !Object.hasOwn(BY_FIRST_WORD, first.text)) {
    return null;
  }
  return BY_FIRST_WORD[first.text](sql, new TokenCursor(tokens));
}

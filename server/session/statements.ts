// Statements about the session itself (SET, SHOW, RESET, BEGIN, COMMIT, ROLLBACK, DISCARD, LOCK, SELECT pg_sleep,
// SELECT set_config), answered without the planner. Matched case-insensitively; returns null for anything else, so
// the statement goes on to the planner.

import type { PreparedStatement } from '../backend';
import { tokenize, type Token } from '../../planner/parse/lexer';
import { sessionTokens, TokenCursor } from './token-cursor';
import { parseSet, parseReset } from './set-statements';
import { parseShow } from './show-statements';
import { parseBegin, parseCommit, parseRollback } from './transaction-statements';
import { parseDiscard, parseLock, parsePgSleep } from './misc-statements';
import { parseSetConfig } from './set-config';

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
  lock: parseLock,
  select: (sql, c) => parsePgSleep(sql, c.clone()) ?? parseSetConfig(sql, c),
};

/** `tokens`: the tokens of `sql` (offsets relative to it) when the caller has lexed it already. */
export function prepareSessionStatement(sql: string, tokens: readonly Token[] = tokenize(sql)): PreparedStatement | null {
  const first = tokens[0];
  if (first === undefined || first.kind !== 'word' || !Object.hasOwn(BY_FIRST_WORD, first.value)) return null;
  const readable = sessionTokens(sql, tokens);
  return readable && BY_FIRST_WORD[first.value](sql, new TokenCursor(readable));
}

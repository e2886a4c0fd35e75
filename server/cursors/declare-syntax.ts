// DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [NO] SCROLL CURSOR [WITH HOLD | WITHOUT HOLD] FOR query, as
// PostgreSQL reads it. Only the words before the query are read here; the query itself is prepared like any other
// statement (planner, catalog mirror or session statement), from its own text and tokens.

import { isOp, isWord, type Token } from '../../planner/parse/lexer';
import type { StatementText } from '../../planner/split';
import { SqlError, SQLSTATE } from '../../engine/errors';

export interface DeclareCommand {
  readonly name: string;
  readonly withHold: boolean;
  /** The query after FOR, with its offset within the whole query string. */
  readonly query: StatementText;
}

/** What a cursor may be declared over: queries that return rows, and SUBSCRIBE, whose rows keep coming. */
const QUERY_WORDS = ['select', 'values', 'with', 'table', 'show', 'subscribe'];

/** Null when the statement is not a DECLARE; throws 42601 / 0A000 for a DECLARE Sluice cannot take. */
export function parseDeclare({ text, offset, tokens }: StatementText): DeclareCommand | null {
  if (!isWord(tokens[0], 'declare')) return null;
  const syntaxError = (k: number): SqlError => {
    const t = tokens[k];
    const message = t === undefined ? 'syntax error at end of input' : `syntax error at or near "${text.slice(t.start, t.end)}"`;
    return new SqlError(SQLSTATE.syntax_error, message, { position: offset + (t?.start ?? text.length) + 1 });
  };
  const name = tokens[1];
  if (name?.kind !== 'word' && name?.kind !== 'quoted') throw syntaxError(1);
  let k = 2;
  for (;; k++) {
    const t = tokens[k];
    if (isWord(t, 'binary')) throw new SqlError(SQLSTATE.feature_not_supported, 'binary cursors are not supported');
    if (isWord(t, 'scroll')) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'SCROLL cursors are not supported', {
        hint: 'Sluice cursors read forward only: declare it NO SCROLL, or without SCROLL.',
      });
    }
    if (isWord(t, 'no') && isWord(tokens[k + 1], 'scroll')) k++;
    else if (!isWord(t, 'asensitive', 'insensitive')) break;
  }
  if (!isWord(tokens[k++], 'cursor')) throw syntaxError(k - 1);
  let withHold = false;
  if (isWord(tokens[k], 'with', 'without')) {
    withHold = tokens[k].value === 'with';
    if (!isWord(tokens[k + 1], 'hold')) throw syntaxError(k + 1);
    k += 2;
  }
  if (!isWord(tokens[k++], 'for')) throw syntaxError(k - 1);
  const first = tokens[k];
  if (!isWord(first, ...QUERY_WORDS) && !isOp(first, '(')) throw syntaxError(k);
  return { name: name.value, withHold, query: queryText(text, offset, tokens.slice(k)) };
}

function queryText(text: string, offset: number, tokens: readonly Token[]): StatementText {
  const start = tokens[0].start;
  return {
    text: text.slice(start),
    offset: offset + start,
    tokens: tokens.map((t) => ({ ...t, start: t.start - start, end: t.end - start })),
  };
}

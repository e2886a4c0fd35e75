// Splits a query string into statements at top-level semicolons, as PostgreSQL's simple query protocol allows.
// The query string is lexed once (parse/lexer.ts): a semicolon inside a string, a quoted identifier, a dollar quote
// or a comment is no token of its own, so it does not split. Each statement keeps its tokens for the parts that
// read it next (session statements, catalog routing, the parser), and its offset, so that error positions can be
// reported against the whole string.

import { tokenize, type Token } from './parse/lexer';

export interface StatementText {
  /** From the statement's first token to its last: no surrounding whitespace or comments, no semicolon. */
  readonly text: string;
  /** 0-based offset of `text` within the query string. */
  readonly offset: number;
  /** The statement's tokens, with offsets relative to `text`. */
  readonly tokens: readonly Token[];
}

export function splitStatements(sql: string): StatementText[] {
  const tokens = tokenize(sql);
  const out: StatementText[] = [];
  let first = 0;
  for (let k = 0; k <= tokens.length; k++) {
    if (k < tokens.length && !(tokens[k].kind === 'op' && tokens[k].value === ';')) continue;
    if (k > first) out.push(statementOf(sql, tokens, first, k));
    first = k + 1;
  }
  return out;
}

/** The statement made of tokens[from, to). */
function statementOf(sql: string, tokens: readonly Token[], from: number, to: number): StatementText {
  const offset = tokens[from].start;
  const own = from === 0 && to === tokens.length ? tokens : tokens.slice(from, to);
  return {
    text: sql.slice(offset, tokens[to - 1].end),
    offset,
    tokens: offset === 0 ? own : own.map((t) => ({ ...t, start: t.start - offset, end: t.end - offset })),
  };
}

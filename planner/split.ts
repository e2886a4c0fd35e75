// Splits a query string into statements at top-level semicolons, as PostgreSQL's simple query protocol allows.
// The forgiving lexer skips quotes ('...', "...", E'...', $tag$...$tag$) and comments, so a semicolon inside them
// does not split. Offsets are kept so that error positions can be reported against the whole string.

import { tokenize } from './sql-tokens';

export interface StatementText {
  readonly text: string;
  /** 0-based offset of `text` within the original string. */
  readonly offset: number;
}

export function splitStatements(sql: string): StatementText[] {
  const out: StatementText[] = [];
  let first: number | null = null;
  let last = 0;
  for (const t of tokenize(sql)) {
    if (t.kind === 'op' && t.value === ';') {
      if (first !== null) out.push({ text: sql.slice(first, last), offset: first });
      first = null;
      continue;
    }
    if (first === null) first = t.start;
    last = t.end;
  }
  if (first !== null) out.push({ text: sql.slice(first, last), offset: first });
  return out;
}

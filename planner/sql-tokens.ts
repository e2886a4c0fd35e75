// A forgiving lexer for PostgreSQL SQL text: it knows where identifiers, literals, comments and operators start
// and end, so a `;` or a `pg_class` inside a string literal or a comment never counts, and callers can splice the
// text at exact offsets. It never throws and does not parse. Used to split query strings into statements and to
// route and rewrite catalog statements; the planner's own lexer (parse/lexer.ts) is the strict one.

export type TokenKind =
  /** Unquoted identifier or keyword; `value` is lower-cased, as PostgreSQL folds it. */
  | 'ident'
  /** "Quoted" identifier; `value` is the name with "" unescaped and case kept. */
  | 'quoted_ident'
  /** Any string literal ('...', E'...', $$...$$, B'...', X'...'); `value` is the raw text. */
  | 'string'
  | 'number'
  /** $1, $2, ... */
  | 'param'
  /** Punctuation and operators: ( ) , ; . [ ] :: and runs of operator characters. */
  | 'op';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** 0-based offset of the first character in the text. */
  readonly start: number;
  /** 0-based offset just past the last character. */
  readonly end: number;
}

const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';
const SINGLE_CHARS = '(),;[]{}';

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c.charCodeAt(0) >= 0x80;
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  const push = (kind: TokenKind, value: string, start: number, end: number): void => {
    tokens.push({ kind, value, start, end });
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') { i++; continue; }
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && next === '*') { i = skipBlockComment(sql, i); continue; }
    if (c === "'") {
      const end = skipQuoted(sql, i, "'", false);
      push('string', sql.slice(i, end), i, end);
      i = end;
      continue;
    }
    if (c === '"') {
      const end = skipQuoted(sql, i, '"', false);
      push('quoted_ident', sql.slice(i + 1, end - 1).replace(/""/g, '"'), i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      if (isDigit(next)) {
        let j = i + 1;
        while (isDigit(sql[j])) j++;
        push('param', sql.slice(i, j), i, j);
        i = j;
        continue;
      }
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 128));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? n : close + tag[0].length;
        push('string', sql.slice(i, end), i, end);
        i = end;
        continue;
      }
      push('op', c, i, i + 1);
      i++;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(next))) {
      let j = i;
      while (isDigit(sql[j]) || sql[j] === '.' || sql[j] === '_') j++;
      if ((sql[j] === 'e' || sql[j] === 'E') && (isDigit(sql[j + 1]) || ((sql[j + 1] === '+' || sql[j + 1] === '-') && isDigit(sql[j + 2])))) {
        j += 2;
        while (isDigit(sql[j])) j++;
      }
      push('number', sql.slice(i, j), i, j);
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(sql[j])) j++;
      const word = sql.slice(i, j);
      const lower = word.toLowerCase();
      // A prefixed string literal: E'...' (backslash escapes), B'...', X'...', N'...', U&'...'.
      if (sql[j] === "'" && (lower === 'e' || lower === 'b' || lower === 'x' || lower === 'n')) {
        const end = skipQuoted(sql, j, "'", lower === 'e');
        push('string', sql.slice(i, end), i, end);
        i = end;
        continue;
      }
      if (lower === 'u' && sql[j] === '&' && (sql[j + 1] === "'" || sql[j + 1] === '"')) {
        const quote = sql[j + 1];
        const end = skipQuoted(sql, j + 1, quote, false);
        push(quote === "'" ? 'string' : 'quoted_ident', quote === "'" ? sql.slice(i, end) : sql.slice(j + 2, end - 1), i, end);
        i = end;
        continue;
      }
      push('ident', lower, i, j);
      i = j;
      continue;
    }
    if (c === ':' && next === ':') { push('op', '::', i, i + 2); i += 2; continue; }
    if (c === '.' || c === ':' || SINGLE_CHARS.includes(c)) { push('op', c, i, i + 1); i++; continue; }
    if (OPERATOR_CHARS.includes(c)) {
      let j = i + 1;
      while (j < n && OPERATOR_CHARS.includes(sql[j]) && !(sql[j] === '-' && sql[j + 1] === '-') && !(sql[j] === '/' && sql[j + 1] === '*')) j++;
      push('op', sql.slice(i, j), i, j);
      i = j;
      continue;
    }
    // Anything else (a stray character): one op token, so nothing is lost.
    push('op', c, i, i + 1);
    i++;
  }
  return tokens;
}

/** Returns the offset just past the closing quote (or the end of the text when it is unterminated). */
function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    if (backslashEscapes && sql[j] === '\\') { j += 2; continue; }
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) { j += 2; continue; }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql[j] === '/' && sql[j + 1] === '*') { depth++; j += 2; continue; }
    if (sql[j] === '*' && sql[j + 1] === '/') { depth--; j += 2; if (depth === 0) return j; continue; }
    j++;
  }
  return sql.length;
}

/** True for an identifier token (quoted or not) whose name is `name` (compare lower-case names for unquoted). */
export function isName(t: Token | undefined, name: string): boolean {
  return t !== undefined && (t.kind === 'ident' || t.kind === 'quoted_ident') && t.value === name;
}

export function isOp(t: Token | undefined, op: string): boolean {
  return t !== undefined && t.kind === 'op' && t.value === op;
}

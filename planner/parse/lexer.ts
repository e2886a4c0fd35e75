// The one lexer for SQL text in Sluice. Splitting a query string into statements (planner/split.ts), recognising
// session statements (server/session/), routing and rewriting catalog statements (server/pgcompat/) and parsing
// (cursor.ts) all read the same tokens, so they agree on where a string, a comment or an identifier ends.
//
// It never throws: what PostgreSQL's lexer would reject (an unterminated string or comment, `""`, `1x`, a stray
// character) becomes an `error` token carrying the message. The parser raises the first one as 42601 at its
// position; splitting and routing just carry it along, so a bad statement still reaches the part that reports it.
//
// It follows PostgreSQL 15's scan.l where Sluice's grammar meets it: nested block comments, dollar quotes whose tag
// may hold any non-ASCII character, E'...' escapes, U&'...' and U&"..." Unicode escapes, B'...' and X'...' bit
// strings. Operators are only those Sluice's grammar knows; other operator characters (~ @ # ...) are stray, error
// tokens of one character: routing still sends a catalog query using them to the mirror, which reads its text.

import { readEscapeString, readQuoted, readUnicodeQuoted } from './literals';
import type { Token } from './token';

export { isName, isOp, isWord, type Token, type TokenKind } from './token';

const TAB = 9, CR = 13, SPACE = 32, QUOTE = 39, DQUOTE = 34, DOLLAR = 36, AMP = 38, STAR = 42, PLUS = 43, MINUS = 45;
const DOT = 46, SLASH = 47, ZERO = 48, NINE = 57, COLON = 58, LT = 60, EQ = 61, GT = 62, BANG = 33, BAR = 124;
const UNDERSCORE = 95;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === MINUS && sql.charCodeAt(i + 1) === MINUS) {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? n : newline + 1;
    } else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      const end = blockCommentEnd(sql, i);
      if (end < 0) {
        tokens.push({ kind: 'error', value: 'unterminated /* comment', start: i, end: n });
        break;
      }
      i = end;
    } else {
      const t = readToken(sql, i, c);
      tokens.push(t);
      i = t.end;
    }
  }
  return tokens;
}

function readToken(sql: string, i: number, c: number): Token {
  if (c === QUOTE) return readQuoted(sql, i, i, 'string');
  if (c === DQUOTE) return readQuoted(sql, i, i, 'quoted');
  if (c === DOLLAR) return isDigit(sql.charCodeAt(i + 1)) ? readParam(sql, i) : readDollarQuoted(sql, i);
  if (isDigit(c) || (c === DOT && isDigit(sql.charCodeAt(i + 1)))) return readNumber(sql, i);
  if (isWordStart(c)) return readWordOrPrefixedLiteral(sql, i, c);
  return readOperator(sql, i, c);
}

/** Just past the end of the block comment starting at `i`, or -1 when it never ends. Comments nest. */
function blockCommentEnd(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (c === SLASH && sql.charCodeAt(j + 1) === STAR) {
      depth++;
      j += 2;
    } else if (c === STAR && sql.charCodeAt(j + 1) === SLASH) {
      j += 2;
      if (--depth === 0) return j;
    } else {
      j++;
    }
  }
  return -1;
}

function readParam(sql: string, i: number): Token {
  let j = i + 1;
  while (isDigit(sql.charCodeAt(j))) j++;
  return { kind: 'param', value: sql.slice(i + 1, j), start: i, end: j };
}

/** $tag$...$tag$ (the tag may be empty); a `$` that starts no tag is a stray character. */
function readDollarQuoted(sql: string, i: number): Token {
  let j = i + 1;
  if (isDollarTagStart(sql.charCodeAt(j))) {
    j++;
    while (isDollarTagPart(sql.charCodeAt(j))) j++;
  }
  if (sql.charCodeAt(j) !== DOLLAR) return stray(sql, i);
  const delimiter = sql.slice(i, j + 1);
  const close = sql.indexOf(delimiter, j + 1);
  if (close < 0) return { kind: 'error', value: 'unterminated dollar-quoted string', start: i, end: sql.length };
  return { kind: 'string', value: sql.slice(j + 1, close), start: i, end: close + delimiter.length };
}

/** 12, 1.5, .5, 1e-3. A letter right after a number is an error (`1x`), as in PostgreSQL. */
function readNumber(sql: string, i: number): Token {
  let j = i;
  while (isDigit(sql.charCodeAt(j))) j++;
  // After the integer part, one dot and a fraction: `1..2` is `1.` then `.2`, where PostgreSQL also stops.
  if (sql.charCodeAt(j) === DOT) {
    j++;
    while (isDigit(sql.charCodeAt(j))) j++;
  }
  const e = sql.charCodeAt(j) | 0x20;
  if (e === 0x65 /* e */) {
    let k = j + 1;
    const sign = sql.charCodeAt(k);
    if (sign === PLUS || sign === MINUS) k++;
    if (isDigit(sql.charCodeAt(k))) {
      while (isDigit(sql.charCodeAt(k))) k++;
      j = k;
    }
  }
  if (isAsciiWordStart(sql.charCodeAt(j))) {
    const text = sql.slice(i, j + 1);
    return { kind: 'error', value: `trailing junk after numeric literal at or near "${text}"`, start: i, end: j + 1 };
  }
  return { kind: 'number', value: sql.slice(i, j), start: i, end: j };
}

/** A word, or a literal whose one-letter prefix touches its quote: E'...', B'...', X'...', U&'...', U&"...". */
function readWordOrPrefixedLiteral(sql: string, i: number, c: number): Token {
  const next = sql.charCodeAt(i + 1);
  const letter = c | 0x20;
  if (next === QUOTE) {
    if (letter === 0x65 /* e */) return readEscapeString(sql, i);
    if (letter === 0x62 /* b */ || letter === 0x78 /* x */) return readQuoted(sql, i, i + 1, 'bitstring');
  }
  if (letter === 0x75 /* u */ && next === AMP) {
    const quote = sql.charCodeAt(i + 2);
    if (quote === QUOTE || quote === DQUOTE) return readUnicodeQuoted(sql, i);
  }
  let j = i + 1;
  while (isWordPart(sql.charCodeAt(j))) j++;
  return { kind: 'word', value: sql.slice(i, j).toLowerCase(), start: i, end: j };
}

function readOperator(sql: string, i: number, c: number): Token {
  const next = sql.charCodeAt(i + 1);
  const op = (value: string, length: number): Token => ({ kind: 'op', value, start: i, end: i + length });
  switch (c) {
    case MINUS:
      if (next === GT) return sql.charCodeAt(i + 2) === GT ? op('->>', 3) : op('->', 2);
      return op('-', 1);
    case COLON: return next === COLON ? op('::', 2) : op(':', 1);
    case LT: return next === EQ ? op('<=', 2) : next === GT ? op('<>', 2) : op('<', 1);
    case GT: return next === EQ ? op('>=', 2) : op('>', 1);
    case BANG: return next === EQ ? op('<>', 2) : stray(sql, i);
    case BAR: return next === BAR ? op('||', 2) : stray(sql, i);
    default: return SINGLE_CHAR_OPS.includes(sql[i]) ? op(sql[i], 1) : stray(sql, i);
  }
}

const SINGLE_CHAR_OPS = '(),;.+*/%=[]?';

function stray(sql: string, i: number): Token {
  return { kind: 'error', value: `syntax error at or near "${sql[i]}"`, start: i, end: i + 1 };
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isAsciiWordStart(c: number): boolean {
  const letter = c | 0x20;
  return (letter >= 0x61 && letter <= 0x7a) || c === UNDERSCORE;
}

/** Any non-ASCII character may start an identifier (except the spaces JavaScript's \s knows, skipped before). */
function isWordStart(c: number): boolean {
  return isAsciiWordStart(c) || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === DOLLAR;
}

/** PostgreSQL's dolq_start: [A-Za-z\200-\377_], every byte of a non-ASCII character included. */
function isDollarTagStart(c: number): boolean {
  return isAsciiWordStart(c) || c >= 0x80;
}

/** dolq_cont: [A-Za-z\200-\377_0-9]. */
function isDollarTagPart(c: number): boolean {
  return isDollarTagStart(c) || isDigit(c);
}

/** What JavaScript's /\s/ matches, which is what separated tokens before there was one lexer. */
function isSpace(c: number): boolean {
  if (c === SPACE || (c >= TAB && c <= CR)) return true;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f ||
    c === 0x205f || c === 0x3000 || c === 0xfeff;
}

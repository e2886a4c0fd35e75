// The quoted forms of the lexer (lexer.ts): strings, quoted identifiers, E'...' escapes, U& Unicode escapes and bit
// strings. Each reads from its opening quote to its closing one and resolves what the quotes hold, or returns an
// error token that runs to the end of the text when the closing quote never comes.

import type { Token } from './token';

const BACKSLASH = 92, PLUS = 43, QUOTE = 39;

/** What was inside the quotes, with the doubled quote undone; null when the text ends first. */
interface Scanned {
  readonly value: string;
  /** Just past the closing quote. */
  readonly end: number;
}

/** Reads from the quote at `quotePos` (' or "); with `backslashEscapes` a backslash escapes the next character. */
function scanQuoted(sql: string, quotePos: number, backslashEscapes: boolean): Scanned | null {
  const quote = sql.charCodeAt(quotePos);
  let value = '';
  let runStart = quotePos + 1;
  let j = runStart;
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (c === quote) {
      value += sql.slice(runStart, j);
      if (sql.charCodeAt(j + 1) !== quote) return { value, end: j + 1 };
      value += sql[j];
      j += 2;
      runStart = j;
    } else if (backslashEscapes && c === BACKSLASH) {
      value += sql.slice(runStart, j) + backslashEscape(sql[j + 1] ?? '');
      j += 2;
      runStart = j;
    } else {
      j = nextSpecial(sql, j + 1, quote, backslashEscapes);
    }
  }
  return null;
}

/**
 * Where the next quote (or backslash, when it escapes) at or after `from` is, or the text's end: indexOf runs in
 * native code, so a long literal is skipped in one move (a character loop took 130 ms over a 50 MB string).
 */
function nextSpecial(sql: string, from: number, quote: number, backslashEscapes: boolean): number {
  const q = sql.indexOf(String.fromCharCode(quote), from);
  const atQuote = q < 0 ? sql.length : q;
  if (!backslashEscapes) return atQuote;
  const b = sql.indexOf('\\', from);
  return b < 0 || b > atQuote ? atQuote : b;
}

function backslashEscape(ch: string): string {
  switch (ch) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'b': return '\b';
    case 'f': return '\f';
    default: return ch;
  }
}

const UNTERMINATED: Record<'string' | 'quoted' | 'bitstring', string> = {
  string: 'unterminated quoted string',
  quoted: 'unterminated quoted identifier',
  bitstring: 'unterminated bit string literal',
};

function unterminated(message: string, sql: string, start: number): Token {
  return { kind: 'error', value: message, start, end: sql.length };
}

/**
 * '...' (a string), "..." (a quoted identifier) or, with the letter before the quote, B'...' / X'...' (a bit
 * string). `start` is where the token starts, `quotePos` its opening quote.
 */
export function readQuoted(sql: string, start: number, quotePos: number, kind: 'string' | 'quoted' | 'bitstring'): Token {
  const scanned = scanQuoted(sql, quotePos, false);
  const isHex = kind === 'bitstring' && (sql.charCodeAt(start) | 0x20) === 0x78;
  if (scanned === null) return unterminated(isHex ? 'unterminated hexadecimal string literal' : UNTERMINATED[kind], sql, start);
  const { value, end } = scanned;
  if (kind === 'quoted' && value === '') return { kind: 'error', value: 'zero-length delimited identifier', start, end };
  if (kind === 'bitstring') return { kind, value: (isHex ? 'x' : 'b') + value, start, end };
  return { kind, value, start, end };
}

/** E'...': backslash escapes \n \t \r \b \f, and a backslash before any other character keeps that character. */
export function readEscapeString(sql: string, start: number): Token {
  const scanned = scanQuoted(sql, start + 1, true);
  if (scanned === null) return unterminated('unterminated quoted string', sql, start);
  return { kind: 'string', value: scanned.value, start, end: scanned.end };
}

/**
 * U&'...' and U&"...": \XXXX and \+XXXXXX are Unicode code points, \\ a backslash. (The UESCAPE clause that picks
 * another escape character is not supported: it is left to the parser, which does not know it.)
 */
export function readUnicodeQuoted(sql: string, start: number): Token {
  const kind = sql.charCodeAt(start + 2) === QUOTE ? 'string' : 'quoted';
  const token = readQuoted(sql, start, start + 2, kind);
  if (token.kind === 'error') return token;
  const value = decodeUnicodeEscapes(token.value);
  if (value === null) return { kind: 'error', value: 'invalid Unicode escape', start, end: token.end };
  return { ...token, value };
}

function decodeUnicodeEscapes(s: string): string | null {
  let out = '';
  let runStart = 0;
  let pendingHighSurrogate = false;
  for (let j = s.indexOf('\\'); j >= 0; j = s.indexOf('\\', runStart)) {
    if (pendingHighSurrogate && j !== runStart) return null;
    out += s.slice(runStart, j);
    if (s.charCodeAt(j + 1) === BACKSLASH) {
      if (pendingHighSurrogate) return null;
      out += '\\';
      runStart = j + 2;
      continue;
    }
    const digits = s.charCodeAt(j + 1) === PLUS ? 6 : 4;
    const from = digits === 6 ? j + 2 : j + 1;
    const hex = s.slice(from, from + digits);
    if (hex.length !== digits || !/^[0-9A-Fa-f]+$/.test(hex)) return null;
    const codePoint = parseInt(hex, 16);
    // A surrogate pair is written as two escapes, high then low, as in PostgreSQL.
    const isHigh = codePoint >= 0xd800 && codePoint <= 0xdbff;
    const isLow = codePoint >= 0xdc00 && codePoint <= 0xdfff;
    if (codePoint === 0 || codePoint > 0x10ffff || isLow !== pendingHighSurrogate) return null;
    pendingHighSurrogate = isHigh;
    out += String.fromCodePoint(codePoint);
    runStart = from + digits;
  }
  if (pendingHighSurrogate) return null;
  return out + s.slice(runStart);
}

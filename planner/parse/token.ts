// The tokens of the lexer (lexer.ts), in their own file so that lexer.ts and literals.ts both build them, and the
// small tests on a token that every reader of them asks.

export type TokenKind =
  /** An unquoted identifier or keyword; `value` is folded to lower case. */
  | 'word'
  /** A double-quoted identifier ("..." or U&"..."); `value` is the name as written, escapes resolved. */
  | 'quoted'
  /** A character string ('...', E'...', U&'...', $tag$...$tag$); `value` is its content, escapes resolved. */
  | 'string'
  /** B'...' or X'...'; `value` is `b` or `x` then the digits, as PostgreSQL hands them to the grammar. */
  | 'bitstring'
  /** `value` is the number as written. */
  | 'number'
  /** $n; `value` is n as written. */
  | 'param'
  /** `value` is the operator or punctuation; `!=` reads `<>`. */
  | 'op'
  /** Text PostgreSQL's lexer rejects; `value` is the message, and the problem is at `start`. */
  | 'error';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset just past the last character. */
  readonly end: number;
}

export function isOp(t: Token | undefined, op: string): boolean {
  return t !== undefined && t.kind === 'op' && t.value === op;
}

/** An unquoted word, one of `words` (lower case). */
export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === 'word' && words.includes(t.value);
}

/** A name, quoted or not, that is `name` (lower case for unquoted ones). */
export function isName(t: Token | undefined, name: string): boolean {
  return t !== undefined && (t.kind === 'word' || t.kind === 'quoted') && t.value === name;
}

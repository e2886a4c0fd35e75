// A position in the token list with the small vocabulary every recursive-descent rule uses: peek, accept, expect.
// Syntax errors name the offending token the way PostgreSQL does: `syntax error at or near "x"`, or
// `syntax error at end of input`.

import { SqlError, SQLSTATE } from '../../engine/errors';
import { tokenize, type Token } from './lexer';

/** What the cursor reads: the statement's tokens, then the end of the input for ever after. */
export type CursorToken = Token | { readonly kind: 'eof'; readonly value: ''; readonly start: number; readonly end: number };

export function syntaxError(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.syntax_error, message, { position: pos + 1 });
}

/** Words that end an expression or a select item: never taken as an implicit alias or a bare column name. */
const RESERVED = new Set([
  'all', 'and', 'any', 'as', 'asc', 'between', 'by', 'case', 'cast', 'collate', 'cross', 'desc', 'distinct', 'else',
  'emit', 'end', 'except', 'exists', 'false', 'fetch', 'for', 'from', 'full', 'group', 'having', 'ilike', 'in',
  'inner', 'intersect', 'into', 'is', 'isnull', 'join', 'left', 'like', 'limit', 'natural', 'not', 'notnull', 'null',
  'nulls', 'offset', 'on', 'or', 'order', 'outer', 'returning', 'right', 'select', 'similar', 'set', 'then', 'true',
  'union', 'using', 'values', 'when', 'where', 'window', 'with',
]);

export function isReserved(word: string): boolean {
  return RESERVED.has(word);
}

/**
 * How deep a statement may nest, as a sum of what each level weighs (NESTING_COST): parentheses, NOTs, CASEs,
 * subqueries, and each link of a chain of binary operators (`1+1+...`, a left-deep tree the binder and the compiler
 * walk recursively). Deeper statements are
 * refused as PostgreSQL refuses what overflows its stack (54001), before any recursive walk can overflow Node's:
 * measured on the default stack, about 1,000 links of column sums, 1,200 NOTs or 600 parentheses overflow, so this
 * keeps a margin.
 */
export const MAX_NESTING = 1500;

/**
 * What one level of each kind weighs against MAX_NESTING, from the stack each costs the parser, binder and compiler.
 * A subquery weighs more than its stack: the binder checks a scalar subquery's correlation by binding it once more,
 * so planning time doubles with each nested level (20 levels 0.8 s, 25 over 20 s); 80 keeps nesting under ~17 levels.
 */
export const NESTING_COST = { link: 2, prefix: 2, expression: 5, query: 80 } as const;

export function stackDepthExceeded(pos: number): SqlError {
  return new SqlError(SQLSTATE.statement_too_complex, 'stack depth limit exceeded', {
    position: pos + 1,
    hint: `Simplify the statement: Sluice nests expressions and subqueries nests expressions and subqueries only so deep; write fewer levels.`,
  });
}

export class Cursor {
  readonly text: string;
  private readonly tokens: readonly Token[];
  private readonly eof: CursorToken;
  private i = 0;
  private nesting = 0;

  /**
   * `tokens` are the tokens of `text` (offsets relative to it), when the caller has them already. The first error
   * token (text the lexer rejects) is the syntax error, before any grammar is tried.
   */
  constructor(text: string, tokens: readonly Token[] = tokenize(text)) {
    const problem = tokens.find((t) => t.kind === 'error');
    if (problem !== undefined) throw syntaxError(problem.value, problem.start);
    this.text = text;
    this.tokens = tokens;
    this.eof = { kind: 'eof', value: '', start: text.length, end: text.length };
  }

  peek(ahead = 0): CursorToken {
    const k = this.i + ahead;
    return k < this.tokens.length ? this.tokens[k] : this.eof;
  }

  next(): CursorToken {
    const t = this.peek();
    if (this.i < this.tokens.length) this.i++;
    return t;
  }

  /** The end offset of the last consumed token. */
  lastEnd(): number {
    return this.i === 0 ? 0 : this.tokens[this.i - 1].end;
  }

  isWord(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'word' && t.value === word;
  }

  isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === op;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof' || (this.isOp(';') && this.peek(1).kind === 'eof');
  }

  acceptWord(...words: string[]): boolean {
    if (!words.every((w, k) => this.isWord(w, k))) return false;
    for (let k = 0; k < words.length; k++) this.next();
    return true;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }

  expectWord(...words: string[]): CursorToken {
    const first = this.peek();
    for (const w of words) {
      if (!this.isWord(w)) throw this.unexpected();
      this.next();
    }
    return first;
  }

  expectOp(op: string): CursorToken {
    if (!this.isOp(op)) throw this.unexpected();
    return this.next();
  }

  /** An identifier: an unreserved word or a quoted name. */
  expectIdent(): { name: string; pos: number } {
    const t = this.peek();
    if (t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.value))) {
      this.next();
      return { name: t.value, pos: t.start };
    }
    throw this.unexpected();
  }

  /** Any word or quoted name, reserved or not (after AS, or after a dot). */
  expectAnyName(): { name: string; pos: number } {
    const t = this.peek();
    if (t.kind === 'quoted' || t.kind === 'word') {
      this.next();
      return { name: t.value, pos: t.start };
    }
    throw this.unexpected();
  }

  expectString(): CursorToken {
    if (this.peek().kind !== 'string') throw this.unexpected();
    return this.next();
  }

  unexpected(at: CursorToken = this.peek()): SqlError {
    if (at.kind === 'eof') return syntaxError('syntax error at end of input', at.start);
    return syntaxError(`syntax error at or near "${this.text.slice(at.start, at.end)}"`, at.start);
  }

  /** The current nesting, to give back with `unnest` when the rule that went deeper is done. */
  depth(): number {
    return this.nesting;
  }

  /** One level deeper (weighted: a subquery costs more than a parenthesis), refused past MAX_NESTING. */
  nest(pos: number, levels: number): void {
    this.nesting += levels;
    if (this.nesting > MAX_NESTING) throw stackDepthExceeded(pos);
  }

  unnest(depth: number): void {
    this.nesting = depth;
  }

  /** After a whole statement: only an optional semicolon may follow. */
  expectEnd(): void {
    this.acceptOp(';');
    if (this.peek().kind !== 'eof') throw this.unexpected();
  }
}

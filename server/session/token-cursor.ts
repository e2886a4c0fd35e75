// Session statements (SET, SHOW, BEGIN, ...) are too simple, and too often sent by drivers in forms SQL parsers
// reject, to go through the planner: small readers take them token by token (the planner's lexer's tokens), with
// the cursor here.

import { isOp, isWord, type Token } from '../../planner/parse/lexer';

/** The punctuation session statements use. */
const PUNCTUATION = new Set(['=', ',', ';', '(', ')', '.']);

const QUOTE = 39;

/**
 * The statement's tokens as the session statement readers take them, or null when it holds something they do not
 * read (then it is not a session statement): words, quoted names, plain '...' strings, numbers (a sign just before
 * one is part of it), parameters and = , ; ( ) . — what drivers send. E'...', dollar quotes, other operators and
 * whatever the lexer rejects are left to the planner. Trailing semicolons are dropped.
 */
export function sessionTokens(text: string, tokens: readonly Token[]): Token[] | null {
  const out: Token[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const next = tokens[k + 1];
    if (t.kind === 'word' || t.kind === 'quoted' || t.kind === 'number' || t.kind === 'param') {
      out.push(t);
    } else if (t.kind === 'string' && text.charCodeAt(t.start) === QUOTE) {
      out.push(t);
    } else if ((isOp(t, '-') || isOp(t, '+')) && next?.kind === 'number' && next.start === t.end) {
      out.push({ kind: 'number', value: t.value + next.value, start: t.start, end: next.end });
      k++;
    } else if (t.kind === 'op' && PUNCTUATION.has(t.value)) {
      out.push(t);
    } else {
      return null;
    }
  }
  while (out.length > 0 && isOp(out[out.length - 1], ';')) out.pop();
  return out;
}

/** Reads tokens front to back; every `accept` returns whether it matched and advanced. */
export class TokenCursor {
  private at = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** A cursor at the same place, for trying one reading of the tokens and then another. */
  clone(): TokenCursor {
    const copy = new TokenCursor(this.tokens);
    copy.at = this.at;
    return copy;
  }

  get done(): boolean {
    return this.at >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  next(): Token | undefined {
    return this.tokens[this.at++];
  }

  /** Accepts the given words in sequence, all or nothing. */
  acceptWords(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!isWord(this.peek(k), words[k])) return false;
    this.at += words.length;
    return true;
  }

  acceptOp(op: string): boolean {
    if (!isOp(this.peek(), op)) return false;
    this.at++;
    return true;
  }
}

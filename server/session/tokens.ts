// A small tokenizer for session statements (SET, SHOW, BEGIN, ...), which are too simple, and too often sent by
// drivers in forms SQL parsers reject, to go through the planner. Comments are skipped; unquoted words are
// lower-cased as PostgreSQL folds identifiers.

export type Token =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'quoted'; readonly text: string }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'punct'; readonly text: string };

/** The tokens of `sql`, or null when it holds something this tokenizer does not read (then it is not ours). */
export function tokenize(sql: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return null;
      i = end + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      if ((c === 'E' || c === 'e') && sql[i + 1] === "'") return null; // escape strings: leave to the planner
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))!;
      out.push({ kind: 'word', text: m[0].toLowerCase() });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      const end = closingQuote(sql, i);
      if (end < 0) return null;
      const text = sql.slice(i + 1, end).replaceAll(c + c, c);
      out.push(c === "'" ? { kind: 'string', text } : { kind: 'quoted', text });
      i = end + 1;
    } else if (/^[+-]?(\d|\.\d)/.test(sql.slice(i, i + 3))) {
      const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i))!;
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      const m = /^\$(\d+)/.exec(sql.slice(i))!;
      out.push({ kind: 'param', index: Number(m[1]) });
      i += m[0].length;
    } else if ('=,;().'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else {
      return null;
    }
  }
  while (out.length > 0 && isPunct(out[out.length - 1], ';')) out.pop();
  return out;
}

function closingQuote(sql: string, start: number): number {
  const q = sql[start];
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) {
        j += 2;
        continue;
      }
      return j;
    }
    j++;
  }
  return -1;
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === 'word' && words.includes(t.text);
}

export function isPunct(t: Token | undefined, p: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === p;
}

/** Reads tokens front to back; every `accept` returns whether it matched and advanced. */
export class TokenCursor {
  private at = 0;

  constructor(private readonly tokens: readonly Token[]) {}

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

  acceptPunct(p: string): boolean {
    if (!isPunct(this.peek(), p)) return false;
    this.at++;
    return true;
  }

  rest(): readonly Token[] {
    return this.tokens.slice(this.at);
  }
}

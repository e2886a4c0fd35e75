// The tokenizer under every Sluice statement. Each token keeps its 0-based offset so that any error, from a syntax
// error to an unknown column found while binding, can point at the exact character PostgreSQL would.

import { SqlError, SQLSTATE } from '../../engine/errors';

export type TokenKind =
  /** An unquoted identifier or keyword; `value` is folded to lower case like PostgreSQL. */
  | 'word'
  /** A double-quoted identifier; `value` is exactly as written. */
  | 'quoted'
  /** A string constant ('...', E'...', $$...$$); `value` is its content with escapes resolved. */
  | 'string'
  | 'number'
  /** $n; `value` is n as written. */
  | 'param'
  | 'op'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** 0-based offset of the first character. */
  readonly pos: number;
  /** 0-based offset just past the last character. */
  readonly end: number;
}

const MULTI_CHAR_OPS = ['->>', '::', '<=', '>=', '<>', '!=', '||', '->'];
const SINGLE_CHAR_OPS = '(),;.+-*/%=<>[]:';

export function syntaxError(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.syntax_error, message, { position: pos + 1 });
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') { i = skipBlockComment(sql, i); continue; }
    const start = i;
    if ((c === 'E' || c === 'e') && sql[i + 1] === "'") {
      const [value, end] = readString(sql, i + 1, true);
      tokens.push({ kind: 'string', value, pos: start, end });
      i = end;
    } else if (c === "'") {
      const [value, end] = readString(sql, i, false);
      tokens.push({ kind: 'string', value, pos: start, end });
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) throw syntaxError('unterminated quoted identifier', start);
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') { value += '"'; j += 2; continue; }
          break;
        }
        value += sql[j++];
      }
      if (value === '') throw syntaxError('zero-length delimited identifier', start);
      tokens.push({ kind: 'quoted', value, pos: start, end: j + 1 });
      i = j + 1;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      tokens.push({ kind: 'param', value: sql.slice(i + 1, j), pos: start, end: j });
      i = j;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 64));
      if (!m) throw syntaxError(`syntax error at or near "$"`, start);
      const close = sql.indexOf(m[0], i + m[0].length);
      if (close < 0) throw syntaxError('unterminated dollar-quoted string', start);
      tokens.push({ kind: 'string', value: sql.slice(i + m[0].length, close), pos: start, end: close + m[0].length });
      i = close + m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!;
      let j = i + m[0].length;
      // `1..2` is not a number followed by `.`: PostgreSQL stops the number before a second dot.
      if (/[A-Za-z_]/.test(sql[j] ?? '')) throw syntaxError(`trailing junk after numeric literal at or near "${sql.slice(i, j + 1)}"`, start);
      tokens.push({ kind: 'number', value: m[0], pos: start, end: j });
      i = j;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j])) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j).toLowerCase(), pos: start, end: j });
      i = j;
    } else {
      const op = MULTI_CHAR_OPS.find((o) => sql.startsWith(o, i));
      if (op !== undefined) {
        tokens.push({ kind: 'op', value: op === '!=' ? '<>' : op, pos: start, end: i + op.length });
        i += op.length;
      } else if (SINGLE_CHAR_OPS.includes(c)) {
        tokens.push({ kind: 'op', value: c, pos: start, end: i + 1 });
        i++;
      } else {
        throw syntaxError(`syntax error at or near "${c}"`, start);
      }
    }
  }
  tokens.push({ kind: 'eof', value: '', pos: n, end: n });
  return tokens;
}

function readString(sql: string, quotePos: number, escapes: boolean): [string, number] {
  let j = quotePos + 1;
  let value = '';
  for (;;) {
    if (j >= sql.length) throw syntaxError('unterminated quoted string', quotePos);
    const ch = sql[j];
    if (ch === "'") {
      if (sql[j + 1] === "'") { value += "'"; j += 2; continue; }
      return [value, j + 1];
    }
    if (escapes && ch === '\\') {
      const next = sql[j + 1] ?? '';
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
      value += map[next] ?? next;
      j += 2;
      continue;
    }
    value += ch;
    j++;
  }
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql[j] === '/' && sql[j + 1] === '*') { depth++; j += 2; continue; }
    if (sql[j] === '*' && sql[j + 1] === '/') { depth--; j += 2; if (depth === 0) return j; continue; }
    j++;
  }
  throw syntaxError('unterminated /* comment', i);
}

// JSONB as PostgreSQL normalizes it: keys unique (last wins) and sorted by length then bytes, numbers kept as
// NUMERIC text (1.50 stays 1.50, 1e2 becomes 100), printed with a space after ':' and ','. The engine carries jsonb
// values as their normalized text; `->` and `->>` parse it back.

import { SqlError, SQLSTATE } from '../errors';

export type Json =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly Json[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Json])[] };

function invalidJson(detail: string): SqlError {
  return new SqlError(SQLSTATE.invalid_text_representation, 'invalid input syntax for type json', { detail });
}

/** NUMERIC's canonical text of a JSON number: no exponent, no sign on zero, scale kept. */
export function normalizeJsonNumber(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw invalidJson(`Token "${text}" is invalid.`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  const digits = m[2] + frac;
  const scale = frac.length - exp;
  let intPart: string;
  let fracPart: string;
  if (scale <= 0) {
    intPart = digits + '0'.repeat(-scale);
    fracPart = '';
  } else if (scale >= digits.length) {
    intPart = '0';
    fracPart = '0'.repeat(scale - digits.length) + digits;
  } else {
    intPart = digits.slice(0, digits.length - scale);
    fracPart = digits.slice(digits.length - scale);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  const isZero = /^0*$/.test(intPart + fracPart);
  const sign = m[1] === '-' && !isZero ? '-' : '';
  return sign + intPart + (fracPart ? '.' + fracPart : '');
}

class JsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): Json {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length) throw invalidJson(`Token "${this.tokenAt()}" is invalid.`);
    return value;
  }

  private tokenAt(): string {
    const m = /^[^\s,:\]}]*/.exec(this.text.slice(this.pos));
    return m && m[0] ? m[0] : this.text[this.pos] ?? '';
  }

  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  private parseValue(): Json {
    this.skipSpace();
    if (this.pos >= this.text.length) throw invalidJson('The input string ended unexpectedly.');
    const c = this.text[this.pos];
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return { kind: 'string', value: this.parseString() };
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.pos, this.pos + 400));
    const tok = this.tokenAt();
    if (!m || m[0].length !== tok.length) throw invalidJson(`Token "${tok}" is invalid.`);
    this.pos += tok.length;
    if (tok === 'true' || tok === 'false') return { kind: 'bool', value: tok === 'true' };
    if (tok === 'null') return { kind: 'null' };
    return { kind: 'number', text: normalizeJsonNumber(tok) };
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) {
      if (this.pos >= this.text.length) throw invalidJson('The input string ended unexpectedly.');
      throw invalidJson(`Expected "${ch}", but found "${this.tokenAt()}".`);
    }
    this.pos++;
  }

  private parseObject(): Json {
    this.pos++;
    const byKey = new Map<string, Json>();
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries: [] };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw invalidJson(`Expected string, but found "${this.tokenAt()}".`);
      const key = this.parseString();
      this.expect(':');
      byKey.delete(key);
      byKey.set(key, this.parseValue());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      break;
    }
    return { kind: 'object', entries: sortEntries([...byKey.entries()]) };
  }

  private parseArray(): Json {
    this.pos++;
    const items: Json[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.parseValue());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return { kind: 'array', items };
    }
  }

  private parseString(): string {
    const start = this.pos + 1;
    let i = start;
    let out = '';
    let chunkStart = start;
    const t = this.text;
    for (;;) {
      if (i >= t.length) throw invalidJson('The input string ended unexpectedly.');
      const c = t.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) throw invalidJson('Character with value 0x' + c.toString(16).padStart(2, '0') + ' must be escaped.');
      if (c === 92) {
        out += t.slice(chunkStart, i);
        const e = t[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
          const code = parseInt(t.slice(i + 2, i + 6), 16);
          if (code === 0) {
            throw new SqlError(SQLSTATE.invalid_text_representation, 'unsupported Unicode escape sequence', {
              detail: '\\u0000 cannot be converted to text.',
            });
          }
          out += String.fromCharCode(code);
          i += 6;
        } else {
          throw invalidJson(`Escape sequence "\\${e ?? ''}" is invalid.`);
        }
        chunkStart = i;
        continue;
      }
      i++;
    }
    out += t.slice(chunkStart, i);
    this.pos = i + 1;
    return out;
  }
}

const utf8 = new TextEncoder();

/** jsonb key order: shorter first, then by UTF-8 bytes. */
function sortEntries(entries: [string, Json][]): [string, Json][] {
  const keyed = entries.map((e) => ({ e, bytes: utf8.encode(e[0]) }));
  keyed.sort((a, b) => {
    if (a.bytes.length !== b.bytes.length) return a.bytes.length - b.bytes.length;
    for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return a.bytes[i] - b.bytes[i];
    return 0;
  });
  return keyed.map((k) => k.e);
}

export function parseJson(text: string): Json {
  return new JsonParser(text).parseDocument();
}

export function quoteJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c >= 32) out += s[i];
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

export function formatJson(j: Json): string {
  switch (j.kind) {
    case 'null': return 'null';
    case 'bool': return j.value ? 'true' : 'false';
    case 'number': return j.text;
    case 'string': return quoteJsonString(j.value);
    case 'array': return '[' + j.items.map(formatJson).join(', ') + ']';
    case 'object': return '{' + j.entries.map(([k, v]) => quoteJsonString(k) + ': ' + formatJson(v)).join(', ') + '}';
  }
}

/** The normalized jsonb text of any JSON text; throws 22P02 for invalid JSON. */
export function normalizeJsonb(text: string): string {
  return formatJson(parseJson(text));
}

/** `json -> key` / `json -> index` (negative index counts from the end); undefined when absent. */
export function jsonGet(j: Json, key: string | number): Json | undefined {
  if (typeof key === 'string') {
    if (j.kind !== 'object') return undefined;
    for (const [k, v] of j.entries) if (k === key) return v;
    return undefined;
  }
  if (j.kind === 'object') return undefined;
  // PostgreSQL keeps a scalar document as a one-element array: `'5'::jsonb -> 0` and `-> -1` are 5.
  const items = j.kind === 'array' ? j.items : [j];
  const i = key < 0 ? items.length + key : key;
  return items[i];
}

/** `jsonb ? key`: a key of an object, a string element of an array, or the string itself, at the top level. */
export function jsonHasKey(j: Json, key: string): boolean {
  switch (j.kind) {
    case 'object': return j.entries.some(([k]) => k === key);
    case 'array': return j.items.some((item) => item.kind === 'string' && item.value === key);
    case 'string': return j.value === key;
    default: return false;
  }
}

/** `->>`: strings unquoted, JSON null as SQL NULL, anything else as its jsonb text. */
export function jsonAsText(j: Json): string | null {
  if (j.kind === 'null') return null;
  if (j.kind === 'string') return j.value;
  return formatJson(j);
}

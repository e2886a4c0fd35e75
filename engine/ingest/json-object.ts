// A JSON object of fields, as nearly every Kafka JSON message is, scanned over its bytes: the fields' keys and
// values are found in place (ranges of the input), so that the decoder can match keys to columns and hand values to
// the column builders without JSON.parse building an object, its strings and its numbers first. The scan checks the
// whole of JSON's grammar (RFC 8259), nested values included, because a record that JSON.parse would refuse must
// still be refused.
//
// The scanner only says yes or no: when the bytes are not one JSON object it reads (invalid JSON, another kind of
// value at the top, nesting deeper than MAX_DEPTH), the caller decodes the record with JSON.parse, which alone words
// the errors. Keys and strings with escapes are left as JSON text for the caller to JSON.parse: they are rare.

/** A string without escapes: its UTF-8 bytes, quotes excluded. */
export const JSON_STRING = 0;
/** A string with escapes: the JSON text of the string, quotes included. */
export const JSON_ESCAPED_STRING = 1;
export const JSON_NUMBER = 2;
export const JSON_TRUE = 3;
export const JSON_FALSE = 4;
export const JSON_NULL = 5;
/** An object or an array: its JSON text. */
export const JSON_NESTED = 6;

/** Nesting beyond this depth is left to JSON.parse rather than recursed into. */
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** The fields of one object, in the order they came, reused from record to record. */
export class JsonFields {
  count = 0;
  /** The key's bytes, quotes excluded (escapes, if keyEscaped, still in). */
  keyStart = new Int32Array(16);
  keyEnd = new Int32Array(16);
  keyEscaped = new Uint8Array(16);
  /** JSON_STRING ... JSON_NESTED, and where the value is (see each kind). */
  kind = new Uint8Array(16);
  start = new Int32Array(16);
  end = new Int32Array(16);

  add(keyStart: number, keyEnd: number, keyEscaped: boolean): number {
    const k = this.count++;
    if (k === this.kind.length) this.grow();
    this.keyStart[k] = keyStart;
    this.keyEnd[k] = keyEnd;
    this.keyEscaped[k] = keyEscaped ? 1 : 0;
    return k;
  }

  private grow(): void {
    const n = 2 * this.kind.length;
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => { const b = new Int32Array(n); b.set(a); return b; };
    const u8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => { const b = new Uint8Array(n); b.set(a); return b; };
    this.keyStart = i32(this.keyStart);
    this.keyEnd = i32(this.keyEnd);
    this.keyEscaped = u8(this.keyEscaped);
    this.kind = u8(this.kind);
    this.start = i32(this.start);
    this.end = i32(this.end);
  }
}

export class JsonObjectScanner {
  /** Whether the last string scanned had a backslash. */
  private escaped = false;

  /** Reads `bytes` (valid UTF-8) as one JSON object into `fields`; false when it must go to JSON.parse instead. */
  scan(bytes: Buffer, fields: JsonFields): boolean {
    fields.count = 0;
    const n = bytes.length;
    let i = skipSpace(bytes, 0, n);
    if (bytes[i] !== LBRACE) return false;
    i = skipSpace(bytes, i + 1, n);
    if (bytes[i] === RBRACE) return skipSpace(bytes, i + 1, n) === n;
    for (;;) {
      if (bytes[i] !== QUOTE) return false;
      const keyEnd = this.stringEnd(bytes, i + 1, n);
      if (keyEnd < 0) return false;
      const k = fields.add(i + 1, keyEnd, this.escaped);
      i = skipSpace(bytes, keyEnd + 1, n);
      if (bytes[i] !== COLON) return false;
      i = this.field(bytes, skipSpace(bytes, i + 1, n), n, fields, k);
      if (i < 0) return false;
      i = skipSpace(bytes, i, n);
      if (bytes[i] === COMMA) {
        i = skipSpace(bytes, i + 1, n);
      } else if (bytes[i] === RBRACE) {
        return skipSpace(bytes, i + 1, n) === n;
      } else {
        return false;
      }
    }
  }

  /** Field k's value at i: its kind and range in `fields`; returns where it ends, or -1. */
  private field(b: Buffer, i: number, n: number, fields: JsonFields, k: number): number {
    const c = b[i];
    let end: number;
    let kind: number;
    let start = i;
    if (c === QUOTE) {
      const close = this.stringEnd(b, i + 1, n);
      if (close < 0) return -1;
      if (this.escaped) {
        kind = JSON_ESCAPED_STRING;
        end = close + 1;
      } else {
        kind = JSON_STRING;
        start = i + 1;
        end = close;
      }
      fields.kind[k] = kind;
      fields.start[k] = start;
      fields.end[k] = end;
      return close + 1;
    }
    if (c === LBRACE || c === LBRACKET) {
      kind = JSON_NESTED;
      end = this.value(b, i, n, 1);
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      kind = JSON_NUMBER;
      end = numberEnd(b, i, n);
    } else if (c === 0x74) { // t
      kind = JSON_TRUE;
      end = literalEnd(b, i, n, TRUE);
    } else if (c === 0x66) { // f
      kind = JSON_FALSE;
      end = literalEnd(b, i, n, FALSE);
    } else if (c === 0x6e) { // n
      kind = JSON_NULL;
      end = literalEnd(b, i, n, NULL);
    } else {
      return -1;
    }
    fields.kind[k] = kind;
    fields.start[k] = start;
    fields.end[k] = end;
    return end;
  }

  /** Checks any JSON value at i, `depth` deep; returns where it ends, or -1. */
  private value(b: Buffer, i: number, n: number, depth: number): number {
    const c = b[i];
    if (c === QUOTE) {
      const close = this.stringEnd(b, i + 1, n);
      return close < 0 ? -1 : close + 1;
    }
    if (c === LBRACE || c === LBRACKET) {
      if (depth > MAX_DEPTH) return -1;
      return this.container(b, i, n, depth);
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) return numberEnd(b, i, n);
    if (c === 0x74) return literalEnd(b, i, n, TRUE);
    if (c === 0x66) return literalEnd(b, i, n, FALSE);
    if (c === 0x6e) return literalEnd(b, i, n, NULL);
    return -1;
  }

  /** An object or array at i; returns where it ends, or -1. */
  private container(b: Buffer, i: number, n: number, depth: number): number {
    const isObject = b[i] === LBRACE;
    const close = isObject ? RBRACE : RBRACKET;
    i = skipSpace(b, i + 1, n);
    if (b[i] === close) return i + 1;
    for (;;) {
      if (isObject) {
        if (b[i] !== QUOTE) return -1;
        const keyEnd = this.stringEnd(b, i + 1, n);
        if (keyEnd < 0) return -1;
        i = skipSpace(b, keyEnd + 1, n);
        if (b[i] !== COLON) return -1;
        i = skipSpace(b, i + 1, n);
      }
      i = this.value(b, i, n, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i, n);
      if (b[i] === close) return i + 1;
      if (b[i] !== COMMA) return -1;
      i = skipSpace(b, i + 1, n);
    }
  }

  /** The closing quote of the string whose content starts at i, or -1; sets `escaped`. */
  private stringEnd(b: Buffer, i: number, n: number): number {
    this.escaped = false;
    for (; i < n; i++) {
      const c = b[i];
      if (STRING_STOP[c] === 0) continue;
      if (c === QUOTE) return i;
      if (c !== BACKSLASH) return -1; // a control character
      this.escaped = true;
      const e = b[++i];
      if (e === 0x75) { // \uXXXX
        if (!isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4])) return -1;
        i += 4;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) {
        return -1; // not one of \" \\ \/ \b \f \n \r \t
      }
    }
    return -1;
  }
}

/** 1 for the bytes that end a run of plain string content: the quote, the backslash, control characters. */
const STRING_STOP = new Uint8Array(256);
STRING_STOP.fill(1, 0, 0x20);
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** The first byte at or after i that is not JSON whitespace. */
function skipSpace(b: Buffer, i: number, n: number): number {
  while (i < n) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` at i: where it ends, or -1. */
function numberEnd(b: Buffer, i: number, n: number): number {
  if (b[i] === MINUS) i++;
  if (b[i] === ZERO) i++;
  else if (isDigit(b[i])) while (i < n && isDigit(b[i])) i++;
  else return -1;
  if (b[i] === DOT) {
    if (!isDigit(b[++i])) return -1;
    while (i < n && isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) { // e E
    i++;
    if (b[i] === PLUS || b[i] === MINUS) i++;
    if (!isDigit(b[i])) return -1;
    while (i < n && isDigit(b[i])) i++;
  }
  return i;
}

function literalEnd(b: Buffer, i: number, n: number, word: Buffer): number {
  if (i + word.length > n) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}

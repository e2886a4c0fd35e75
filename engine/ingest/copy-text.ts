// PostgreSQL's COPY text format, scanned over bytes: one line per row (a \r before the \n is dropped), fields
// separated by a delimiter (tab by default), the NULL string (\N by default) for NULL, backslash escapes (\t \n \r
// \b \f \v \\, octal \NNN and hex \xHH), and a line `\.` that ends the data. A field without a backslash stays a
// range of the input's bytes; only an escaped one becomes a string. Lines without a backslash (nearly all) are cut
// at their delimiters by Buffer.indexOf, several times faster than looking at each byte in JS.

import { delimiterByte } from './csv';
import { END_MARKER, sameBytes, type DelimitedOptions, type RecordFields, type RecordScanner } from './record-fields';

export type TextOptions = DelimitedOptions;

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

export class CopyTextScanner implements RecordScanner {
  private readonly delimiter: number;
  private readonly nullBytes: Buffer;
  /** After the `\.` line nothing more is read. */
  private ended = false;

  constructor(options: TextOptions) {
    this.delimiter = delimiterByte(options.delimiter);
    this.nullBytes = Buffer.from(options.nullString, 'utf8');
  }

  scan(bytes: Buffer, from: number, limit: number, final: boolean, fields: RecordFields): number {
    fields.clear();
    if (this.ended) return limit;
    let newline = bytes.indexOf(LF, from);
    if (newline < 0 || newline >= limit) {
      if (!final) return -1;
      newline = limit;
    }
    const end = newline > from && bytes[newline - 1] === CR ? newline - 1 : newline;
    if (sameBytes(bytes, from, end, END_MARKER)) {
      this.ended = true;
      return limit;
    }
    const backslash = this.nextBackslash(bytes, from);
    if (backslash < 0 || backslash >= end) this.plainFields(bytes, from, end, fields);
    else this.escapedFields(bytes, from, end, fields);
    return Math.min(newline + 1, limit);
  }

  /**
   * The first backslash at or after `from` in `bytes` (-1: none), found once per run of lines: most data has no
   * escapes at all, and looking again on every line would scan the rest of the chunk each time. Callers hand in a
   * chunk's bytes unchanged from one call to the next (a new chunk is a new Buffer).
   */
  private nextBackslash(bytes: Buffer, from: number): number {
    if (bytes !== this.searched || (this.backslashAt >= 0 && this.backslashAt < from)) {
      this.searched = bytes;
      this.backslashAt = bytes.indexOf(BACKSLASH, from);
    }
    return this.backslashAt;
  }

  private searched: Buffer | null = null;
  private backslashAt = -1;

  /** A line without escapes: fields found by the native byte search, each a range of the input. */
  private plainFields(bytes: Buffer, from: number, end: number, fields: RecordFields): void {
    let fieldStart = from;
    for (;;) {
      let at = bytes.indexOf(this.delimiter, fieldStart);
      if (at < 0 || at > end) at = end;
      if (sameBytes(bytes, fieldStart, at, this.nullBytes)) fields.null();
      else fields.raw(fieldStart, at);
      if (at === end) return;
      fieldStart = at + 1;
    }
  }

  private escapedFields(bytes: Buffer, from: number, end: number, fields: RecordFields): void {
    const delimiter = this.delimiter;
    let fieldStart = from;
    let escaped = false;
    for (let i = from; i <= end; i++) {
      const c = i === end ? delimiter : bytes[i];
      if (c === BACKSLASH) {
        escaped = true;
      } else if (c === delimiter) {
        if (sameBytes(bytes, fieldStart, i, this.nullBytes)) fields.null();
        else if (escaped) fields.string(unescape(bytes.toString('utf8', fieldStart, i)));
        else fields.raw(fieldStart, i);
        fieldStart = i + 1;
        escaped = false;
      }
    }
  }
}

const SIMPLE: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

function unescape(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) { out += c; continue; }
    const n = raw[++i];
    if (SIMPLE[n] !== undefined) out += SIMPLE[n];
    else if (n >= '0' && n <= '7') {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === 'x' && /^[0-9a-fA-F]/.test(raw[i + 1] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 16));
      i += m.length;
    } else out += n;
  }
  return out;
}

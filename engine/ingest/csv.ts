// CSV records as PostgreSQL's COPY ... (FORMAT csv) reads them, scanned over bytes: fields separated by a
// delimiter, optionally quoted with ", a quote inside quotes doubled, newlines allowed inside quotes, a record ended
// by \n, \r\n or \r. An unquoted field equal to the NULL string (by default the empty string) is NULL; a quoted empty
// string is an empty string. A quote may open anywhere in a field and the field goes on after it closes (`a"b"c` is
// abc), as in PostgreSQL.
//
// The delimiter and the quote are single ASCII bytes, which never occur inside a multi-byte UTF-8 character, so the
// scan works on bytes and a field without quotes stays a range of them; only a quoted field becomes a string.

import { SqlError, SQLSTATE } from '../errors';
import { END_MARKER, RAW, RecordFormatError, sameBytes, TEXT, type DelimitedOptions, type RecordFields, type RecordScanner } from './record-fields';

export interface CsvOptions extends DelimitedOptions {
  /** COPY ends its CSV data at a line holding only `\.`; a Kafka message is data through and through. */
  readonly endMarker: boolean;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The byte of a one-byte delimiter; PostgreSQL takes no other. */
export function delimiterByte(delimiter: string): number {
  const code = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || code > 0x7f) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'COPY delimiter must be a single one-byte character');
  }
  return code;
}

export class CsvScanner implements RecordScanner {
  private readonly delimiter: number;
  private readonly nullBytes: Buffer;
  /** The unquoted content of the quoted field being read. */
  private scratch = Buffer.allocUnsafe(256);
  private scratchLength = 0;

  constructor(private readonly options: CsvOptions) {
    this.delimiter = delimiterByte(options.delimiter);
    this.nullBytes = Buffer.from(options.nullString, 'utf8');
  }

  scan(bytes: Buffer, from: number, limit: number, final: boolean, fields: RecordFields): number {
    fields.clear();
    const delimiter = this.delimiter;
    let fieldStart = from;
    // Once a field has a quote, its content is copied into scratch (quotes dropped); until then it is a byte range.
    let quoted = false;
    let inQuotes = false;
    let i = from;
    for (;;) {
      if (i >= limit) {
        if (!final) return -1;
        if (inQuotes) throw new RecordFormatError('unterminated CSV quoted field');
        this.endField(bytes, fieldStart, limit, quoted, fields);
        return this.endRecord(bytes, limit, fields);
      }
      const c = bytes[i];
      if (inQuotes) {
        if (c !== QUOTE) {
          this.keep(c);
          i++;
        } else if (i + 1 < limit) {
          if (bytes[i + 1] === QUOTE) {
            this.keep(QUOTE);
            i += 2;
          } else {
            inQuotes = false;
            i++;
          }
        } else {
          if (!final) return -1;
          inQuotes = false;
          i++;
        }
      } else if (c === QUOTE) {
        if (!quoted) {
          quoted = true;
          this.scratchLength = 0;
          for (let k = fieldStart; k < i; k++) this.keep(bytes[k]);
        }
        inQuotes = true;
        i++;
      } else if (c === delimiter) {
        this.endField(bytes, fieldStart, i, quoted, fields);
        quoted = false;
        fieldStart = ++i;
      } else if (c === LF) {
        this.endField(bytes, fieldStart, i, quoted, fields);
        return this.endRecord(bytes, i + 1, fields);
      } else if (c === CR) {
        if (i + 1 >= limit && !final) return -1;
        this.endField(bytes, fieldStart, i, quoted, fields);
        return this.endRecord(bytes, i + 1 < limit && bytes[i + 1] === LF ? i + 2 : i + 1, fields);
      } else {
        if (quoted) this.keep(c);
        i++;
      }
    }
  }

  private endField(bytes: Buffer, start: number, end: number, quoted: boolean, fields: RecordFields): void {
    if (quoted) fields.string(this.scratch.toString('utf8', 0, this.scratchLength));
    else if (sameBytes(bytes, start, end, this.nullBytes)) fields.null();
    else fields.raw(start, end);
  }

  /** PostgreSQL's end-of-data marker in CSV is a line with \. alone: no record. */
  private endRecord(bytes: Buffer, next: number, fields: RecordFields): number {
    if (!this.options.endMarker || fields.count !== 1) return next;
    const kind = fields.kind[0];
    if ((kind === RAW && sameBytes(bytes, fields.start[0], fields.end[0], END_MARKER)) || (kind === TEXT && fields.text[0] === '\\.')) {
      fields.clear();
    }
    return next;
  }

  private keep(byte: number): void {
    if (this.scratchLength === this.scratch.length) {
      const bigger = Buffer.allocUnsafe(this.scratch.length * 2);
      this.scratch.copy(bigger);
      this.scratch = bigger;
    }
    this.scratch[this.scratchLength++] = byte;
  }
}

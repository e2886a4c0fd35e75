// Rows as COPY TO STDOUT data, in PostgreSQL's text and csv formats: one line per row, each line a separate
// Uint8Array because the protocol sends one CopyData message per row. Used by COPY (SUBSCRIBE ...) TO STDOUT,
// COPY (SELECT ...) TO STDOUT, COPY relation TO STDOUT, file sinks' CSV files and Kafka sinks' CSV messages (one
// CSV encoder for all, so a value's text and quoting are the same everywhere).
//
// text: columns separated by a tab, NULL as \N, and backslash escapes for backslash, newline, carriage return, tab,
// backspace, form feed and vertical tab (PostgreSQL's CopyAttributeOut).
// csv: columns separated by a comma, NULL as an empty unquoted field; a value is quoted (with the quote and escape
// characters preceded by the escape character inside, so " becomes "" by default) when it contains the delimiter, the
// quote, a newline or a carriage return, when it equals the NULL string (the empty string by default, so it differs
// from NULL), when it is `\.` and the only column (a line of `\.` alone would end COPY's data), and in a FORCE_QUOTE
// column (PostgreSQL's CopyAttributeOutCSV). NULL is never quoted.

import { formatValue } from '../text';
import type { Schema, Value } from '../types';
import { UTC_ZONE, type TimeZone } from '../values/timezone';

export type CopyFormat = 'text' | 'csv';

export interface CopyFormatOptions {
  readonly format: CopyFormat;
  /** Default: tab for text, comma for csv. */
  readonly delimiter?: string;
  /** Default: \N for text, the empty string for csv. */
  readonly null?: string;
  /** csv only; default ". */
  readonly quote?: string;
  /** csv only: what precedes a quote or itself inside a quoted value; default: the quote. */
  readonly escape?: string;
  /** csv only: per column, quote every non-NULL value (FORCE_QUOTE); default none. */
  readonly forceQuote?: readonly boolean[];
}

const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v',
};
const TEXT_SPECIAL = /[\\\n\r\t\b\f\v]/g;

const utf8 = new TextEncoder();

/**
 * Encodes rows of `schema` into COPY lines; one encoder per statement, reused for every row. A timestamptz prints
 * in `zone`, the session's.
 */
export class CopyLineEncoder {
  private readonly csv: boolean;
  private readonly delimiter: string;
  private readonly nullText: string;
  private readonly quote: string;
  private readonly escape: string;
  private readonly forceQuote: readonly boolean[];

  constructor(private readonly schema: Schema, options: CopyFormatOptions, readonly zone: TimeZone = UTC_ZONE) {
    this.csv = options.format === 'csv';
    this.delimiter = options.delimiter ?? (this.csv ? ',' : '\t');
    this.nullText = options.null ?? (this.csv ? '' : '\\N');
    this.quote = options.quote ?? '"';
    this.escape = options.escape ?? this.quote;
    this.forceQuote = options.forceQuote ?? [];
  }

  /** One row as one line, ending in a newline. */
  line(row: readonly Value[]): Uint8Array {
    return utf8.encode(`${this.text(row)}\n`);
  }

  /** One row's fields, delimited and quoted, without the newline (a Kafka CSV sink's message value). */
  text(row: readonly Value[]): string {
    let out = '';
    for (let c = 0; c < this.schema.length; c++) {
      if (c > 0) out += this.delimiter;
      const v = row[c];
      out += v === null || v === undefined ? this.nullText : this.field(formatValue(v, this.schema[c].type, this.zone), this.forceQuote[c] === true);
    }
    return out;
  }

  lines(rows: readonly (readonly Value[])[]): Uint8Array[] {
    return rows.map((r) => this.line(r));
  }

  /** HEADER's line: the column names, quoted or escaped as values are (never forced into quotes). */
  headerLine(): Uint8Array {
    return utf8.encode(`${this.schema.map((f) => this.field(f.name, false)).join(this.delimiter)}\n`);
  }

  private field(text: string, forceQuote: boolean): string {
    return this.csv ? this.csvField(text, forceQuote) : this.textField(text);
  }

  private textField(text: string): string {
    const escaped = text.replace(TEXT_SPECIAL, (ch) => TEXT_ESCAPES[ch]);
    return this.delimiter === '\t' || !escaped.includes(this.delimiter) ? escaped : escaped.split(this.delimiter).join(`\\${this.delimiter}`);
  }

  private csvField(text: string, forceQuote: boolean): string {
    const quote = forceQuote || (text === '' ? this.nullText === '' : text === this.nullText || (text === '\\.' && this.schema.length === 1) ||
      text.includes(this.delimiter) || text.includes(this.quote) || text.includes('\n') || text.includes('\r'));
    if (!quote) return text;
    // The escape character doubled first, so the escapes put before quotes are not doubled again.
    let inside = text.split(this.escape).join(this.escape + this.escape);
    if (this.quote !== this.escape) inside = inside.split(this.quote).join(this.escape + this.quote);
    return this.quote + inside + this.quote;
  }
}

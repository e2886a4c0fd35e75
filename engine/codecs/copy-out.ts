// Rows as COPY TO STDOUT data, in PostgreSQL's text and csv formats: one line per row, each line a separate
// Uint8Array because the protocol sends one CopyData message per row. Used by COPY (SUBSCRIBE ...) TO STDOUT and meant
// for COPY (SELECT ...) / COPY relation TO STDOUT too.
//
// text: columns separated by a tab, NULL as \N, and backslash escapes for backslash, newline, carriage return, tab,
// backspace, form feed and vertical tab (PostgreSQL's CopyAttributeOut).
// csv: columns separated by a comma, NULL as an empty unquoted field; a value is quoted (with " doubled inside) when
// it contains the delimiter, a quote, a newline or a carriage return, when it is the empty string (so it differs from
// NULL) and when it is `\.` alone (PostgreSQL's CopyAttributeOutCSV).

import { formatValue } from '../text';
import type { Schema, Value } from '../types';

export type CopyFormat = 'text' | 'csv';

export interface CopyFormatOptions {
  readonly format: CopyFormat;
  /** Default: tab for text, comma for csv. */
  readonly delimiter?: string;
  /** Default: \N for text, the empty string for csv. */
  readonly null?: string;
}

const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v',
};
const TEXT_SPECIAL = /[\\\n\r\t\b\f\v]/g;

const utf8 = new TextEncoder();

/** Encodes rows of `schema` into COPY lines; one encoder per statement, reused for every row. */
export class CopyLineEncoder {
  private readonly delimiter: string;
  private readonly nullText: string;
  private readonly field: (text: string) => string;

  constructor(private readonly schema: Schema, options: CopyFormatOptions) {
    const csv = options.format === 'csv';
    this.delimiter = options.delimiter ?? (csv ? ',' : '\t');
    this.nullText = options.null ?? (csv ? '' : '\\N');
    this.field = csv ? (t) => this.csvField(t) : (t) => this.textField(t);
  }

  /** One row as one line, ending in a newline. */
  line(row: readonly Value[]): Uint8Array {
    let out = '';
    for (let c = 0; c < this.schema.length; c++) {
      if (c > 0) out += this.delimiter;
      const v = row[c];
      out += v === null || v === undefined ? this.nullText : this.field(formatValue(v, this.schema[c].type));
    }
    return utf8.encode(`${out}\n`);
  }

  lines(rows: readonly (readonly Value[])[]): Uint8Array[] {
    return rows.map((r) => this.line(r));
  }

  private textField(text: string): string {
    const escaped = text.replace(TEXT_SPECIAL, (ch) => TEXT_ESCAPES[ch]);
    return this.delimiter === '\t' || !escaped.includes(this.delimiter) ? escaped : escaped.split(this.delimiter).join(`\\${this.delimiter}`);
  }

  private csvField(text: string): string {
    const quote = text === '' ? this.nullText === '' : text === this.nullText || text === '\\.' ||
      text.includes(this.delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r');
    return quote ? `"${text.replace(/"/g, '""')}"` : text;
  }
}

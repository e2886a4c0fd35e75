// CSV records as PostgreSQL's COPY ... (FORMAT csv) reads them: fields separated by a delimiter, optionally quoted
// with ", a quote inside quotes doubled, newlines allowed inside quotes. An unquoted field equal to the NULL string
// (by default the empty string) is NULL; a quoted empty string is an empty string. Fed in chunks, so a record may
// span chunks.

export type Fields = (string | null)[];

export interface CsvOptions {
  readonly delimiter: string;
  readonly nullString: string;
  readonly quote: string;
}

export const DEFAULT_CSV: CsvOptions = { delimiter: ',', nullString: '', quote: '"' };

export class CsvReader {
  private fields: Fields = [];
  private field = '';
  private quoted = false;
  private inQuotes = false;
  /** A quote seen inside quotes: either the end of the quoted part or the first half of a doubled quote. */
  private quotePending = false;
  private fieldStarted = false;

  constructor(private readonly options: CsvOptions = DEFAULT_CSV, private readonly onRecord: (f: Fields) => void) {}

  feed(text: string): void {
    const { delimiter, quote } = this.options;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === quote) { this.field += quote; continue; }
          this.inQuotes = false;
          // fall through: c is handled as outside quotes
        } else if (c === quote) {
          this.quotePending = true;
          continue;
        } else {
          this.field += c;
          continue;
        }
      }
      if (c === quote && !this.inQuotes) {
        this.inQuotes = true;
        this.quoted = true;
        this.fieldStarted = true;
      } else if (c === delimiter) {
        this.endField();
      } else if (c === '\n') {
        this.endRecord();
      } else if (c === '\r') {
        if (text[i + 1] !== '\n') this.endRecord();
      } else {
        this.field += c;
        this.fieldStarted = true;
      }
    }
  }

  /** Ends the input: a last record without a newline is still a record; an open quote is an error. */
  end(): void {
    if (this.quotePending) { this.quotePending = false; this.inQuotes = false; }
    if (this.inQuotes) throw new Error('unterminated CSV quoted field');
    if (this.fieldStarted || this.fields.length > 0) this.endRecord();
  }

  private endField(): void {
    const isNull = !this.quoted && this.field === this.options.nullString;
    this.fields.push(isNull ? null : this.field);
    this.field = '';
    this.quoted = false;
    this.fieldStarted = false;
  }

  private endRecord(): void {
    this.endField();
    const record = this.fields;
    this.fields = [];
    // PostgreSQL's end-of-data marker in CSV is a line with \. alone.
    if (record.length === 1 && record[0] === '\\.') return;
    this.onRecord(record);
  }
}

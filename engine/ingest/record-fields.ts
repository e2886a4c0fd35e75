// The fields of one record as a scanner (csv.ts, copy-text.ts) finds them, reused from record to record so that
// scanning allocates nothing per field: most fields are a range of the input's bytes, read in place by the column
// builders; a field that needed unquoting or unescaping is a string; NULL is NULL.

/** What every delimited record format takes: one-byte delimiter, and the text that stands for NULL. */
export interface DelimitedOptions {
  readonly delimiter: string;
  readonly nullString: string;
}

/** The line COPY's csv and text data end with (`\.`). */
export const END_MARKER: Uint8Array = Buffer.from('\\.');

/** A range of the input's bytes. */
export const RAW = 0;
export const NULL = 1;
/** A string in `text`. */
export const TEXT = 2;

export class RecordFields {
  /** How many fields the record has; 0 means the scan found no record (an end-of-data marker). */
  count = 0;
  kind = new Uint8Array(16);
  start = new Int32Array(16);
  end = new Int32Array(16);
  readonly text: string[] = [];

  clear(): void {
    this.count = 0;
  }

  raw(start: number, end: number): void {
    const k = this.next();
    this.kind[k] = RAW;
    this.start[k] = start;
    this.end[k] = end;
  }

  null(): void {
    this.kind[this.next()] = NULL;
  }

  string(s: string): void {
    const k = this.next();
    this.kind[k] = TEXT;
    this.text[k] = s;
  }

  /** Field k as a string (null for NULL), for messages and the rare callers that need strings. */
  textAt(k: number, bytes: Buffer): string | null {
    switch (this.kind[k]) {
      case RAW: return bytes.toString('utf8', this.start[k], this.end[k]);
      case NULL: return null;
      default: return this.text[k];
    }
  }

  private next(): number {
    const k = this.count++;
    if (k === this.kind.length) {
      const grow = <A extends Uint8Array | Int32Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kind = grow(this.kind, (n) => new Uint8Array(n));
      this.start = grow(this.start, (n) => new Int32Array(n));
      this.end = grow(this.end, (n) => new Int32Array(n));
    }
    return k;
  }
}

/** A record the format cannot read (an unterminated quoted field): COPY says where, Kafka makes it a dead letter. */
export class RecordFormatError extends Error {}

/** One record format over bytes: CSV or COPY's text format. */
export interface RecordScanner {
  /**
   * Reads the record that starts at `from` into `fields` and returns where the next one starts. A record ends at a
   * newline; with `final` also at `limit` (the rest of the input is the last record, even if empty). Without `final`,
   * a record that does not end before `limit` returns -1: more input is needed. Throws RecordFormatError.
   */
  scan(bytes: Buffer, from: number, limit: number, final: boolean, fields: RecordFields): number;
}

/** Whether bytes[start, end) are exactly `want`. */
export function sameBytes(bytes: Buffer, start: number, end: number, want: Uint8Array): boolean {
  if (end - start !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (bytes[start + i] !== want[i]) return false;
  return true;
}

// COPY ... FROM STDIN's data, decoded as it arrives: the bytes of each complete line are checked as UTF-8, scanned
// into records (csv.ts, copy-text.ts) and written by the row validator straight into typed column builders of the
// target's declared columns; columns the COPY does not list are NULL. Rows collect in batches of bounded size, so a
// big COPY holds typed arrays, not a Value per field. Nothing here applies anything: the caller takes the completed
// batches as they come (takeBatches, so it need not hold them all) or at end(), and makes them durable. The first
// problem fails the COPY with its SQLSTATE and where it was (`COPY name, line N, column c: "text"`); later writes
// repeat that error.

import { isUtf8 } from 'node:buffer';
import type { RecordBatch } from 'apache-arrow';
import { batchFromData } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import type { Field } from '../types';
import { CopyTextScanner } from './copy-text';
import { CsvScanner } from './csv';
import { relationOwner, type ColumnProblem } from './problems';
import { RecordFields, RecordFormatError, type RecordScanner } from './record-fields';
import { RowBuilder, RowRules } from './row-builder';
import type { TimeZone } from '../values/timezone';

export interface CopyOptions {
  /** The target's name, as errors say it. */
  readonly name: string;
  readonly targetKind: 'stream' | 'table';
  /** All columns of the target, in order: the batches have exactly these. */
  readonly columns: readonly Field[];
  /** Indexes into `columns`, in the order the data has them. */
  readonly dataColumns: readonly number[];
  readonly format: 'csv' | 'text';
  readonly header: boolean;
  readonly delimiter: string;
  readonly nullString: string;
  /** The session's zone: a TIMESTAMPTZ without an offset is a wall-clock time there. */
  readonly zone: TimeZone;
}

/** The first batch is small (most COPYs are), each next one twice as big, up to this many rows. */
const FIRST_BATCH_ROWS = 1024;
export const MAX_BATCH_ROWS = 64 * 1024;

const LF = 0x0a;
const NOT_UTF8 = 'The encoded data was not valid for encoding utf-8';

export class CopyDecoder {
  private readonly scanner: RecordScanner;
  private readonly fields = new RecordFields();
  private readonly rules: RowRules;
  /** Columns the data does not have: NULL in every row. */
  private readonly absentColumns: readonly number[];
  private readonly batches: RecordBatch[] = [];
  private rows: RowBuilder;
  private capacity = FIRST_BATCH_ROWS;
  private rowCount = 0;
  /** Input after the last complete line, waiting for the rest of its line. */
  private pending: Buffer[] = [];
  /** Records read so far, the header included: the line number errors give. */
  private line = 0;
  private failure: SqlError | null = null;

  constructor(private readonly options: CopyOptions) {
    this.scanner = options.format === 'csv'
      ? new CsvScanner({ delimiter: options.delimiter, nullString: options.nullString, endMarker: true })
      : new CopyTextScanner({ delimiter: options.delimiter, nullString: options.nullString });
    this.rules = new RowRules(options.columns, [], relationOwner(options.targetKind, options.name), options.zone);
    this.absentColumns = options.columns.map((_, c) => c).filter((c) => !options.dataColumns.includes(c));
    this.rows = new RowBuilder(this.rules, this.capacity);
  }

  /** Takes the next piece of the data; throws SqlError when the data so far cannot all go in. */
  write(chunk: Uint8Array): void {
    this.throwIfFailed();
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lastNewline = bytes.lastIndexOf(LF);
    if (lastNewline < 0) {
      this.pending.push(Buffer.from(bytes)); // a copy: the caller may reuse its buffer
      return;
    }
    const lines = this.pending.length === 0 ? bytes.subarray(0, lastNewline + 1) : this.finishPendingLine(bytes, lastNewline);
    const used = this.guarded(() => this.decode(lines, false));
    // A CSV record may go on past the last newline (inside quotes): it waits, whole, for the next piece.
    const rest = [lines.subarray(used), bytes.subarray(lastNewline + 1)].filter((b) => b.length > 0);
    this.pending = rest.length === 0 ? [] : [Buffer.concat(rest)];
  }

  /**
   * Decodes the line the earlier pieces began, which ends in `bytes`: only that line is joined (copied), and the
   * lines after it are returned to be read in place. A CSV record still open at that newline (a quoted field across
   * lines) is returned joined to them, to be read again from its start.
   */
  private finishPendingLine(bytes: Buffer, lastNewline: number): Buffer {
    const lineEnd = bytes.indexOf(LF) + 1;
    const joined = Buffer.concat([...this.pending, bytes.subarray(0, lineEnd)]);
    this.pending = [];
    const used = this.guarded(() => this.decode(joined, false));
    const after = bytes.subarray(lineEnd, lastNewline + 1);
    return used === joined.length ? after : Buffer.concat([joined.subarray(used), after]);
  }

  /** The batches completed since the last call, which the decoder then forgets. */
  takeBatches(): RecordBatch[] {
    return this.batches.splice(0);
  }

  /** Ends the data: the rows not yet taken, in batches of the target's declared columns. Throws SqlError. */
  end(): RecordBatch[] {
    this.throwIfFailed();
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    if (rest.length > 0) this.guarded(() => this.decode(rest, true));
    if (this.rowCount > 0) this.finishBatch();
    return this.batches.splice(0);
  }

  /** Drops what was decoded: the COPY failed or the client went away. */
  abort(): void {
    this.batches.length = 0;
    this.pending = [];
  }

  /** Decodes the records of `bytes` (whole lines, or the last piece with `final`); returns how many bytes it used. */
  private decode(bytes: Buffer, final: boolean): number {
    // Lines end at \n, which is never part of a multi-byte character, so whole lines are checked at once; when the
    // check fails, each record is checked on its own to say which line is bad.
    const checkEach = !isUtf8(bytes);
    let at = 0;
    while (at < bytes.length) {
      const next = this.scanner.scan(bytes, at, bytes.length, final, this.fields);
      if (next < 0) break;
      if (checkEach && !isUtf8(bytes.subarray(at, next))) throw new RecordFormatError(NOT_UTF8);
      if (this.fields.count > 0) this.record(bytes);
      at = next;
    }
    return at;
  }

  private record(bytes: Buffer): void {
    const line = ++this.line;
    if (line === 1 && this.options.header) return;
    const { columns, dataColumns } = this.options;
    const f = this.fields;
    if (f.count !== dataColumns.length) {
      const where = { detail: `COPY ${this.options.name}, line ${line}` };
      if (f.count > dataColumns.length) throw new SqlError(SQLSTATE.bad_copy_file_format, 'extra data after last expected column', where);
      throw new SqlError(SQLSTATE.bad_copy_file_format, `missing data for column "${columns[dataColumns[f.count]].name}"`, where);
    }
    const rows = this.rows;
    const row = this.rowCount;
    for (let k = 0; k < f.count; k++) {
      const problem = rows.setField(dataColumns[k], row, f, k, bytes);
      if (problem !== null) throw this.error(problem, line, f.textAt(k, bytes));
    }
    for (const c of this.absentColumns) {
      const problem = rows.setNull(c, row);
      if (problem !== null) throw this.error(problem, line, null);
    }
    if (++this.rowCount === this.capacity) {
      this.finishBatch();
      this.capacity = Math.min(2 * this.capacity, MAX_BATCH_ROWS);
      this.rows = new RowBuilder(this.rules, this.capacity);
    }
  }

  private finishBatch(): void {
    this.batches.push(batchFromData(this.options.columns, this.rows.finish(this.rowCount), this.rowCount));
    this.rowCount = 0;
  }

  private error(problem: ColumnProblem, line: number, text: string | null): SqlError {
    const where = `COPY ${this.options.name}, line ${line}, column ${this.options.columns[problem.column].name}`;
    return new SqlError(problem.code, problem.message, { detail: text === null ? where : `${where}: "${text}"` });
  }

  /** Runs a decoding step; its failure becomes the COPY's, a format error saying on which line. */
  private guarded(step: () => number): number {
    try {
      return step();
    } catch (e) {
      if (e instanceof RecordFormatError) {
        this.failure = new SqlError(SQLSTATE.bad_copy_file_format, `COPY ${this.options.name}, line ${this.line + 1}: ${e.message}`);
      } else if (e instanceof SqlError) {
        this.failure = e;
      }
      throw this.failure ?? e;
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}

// COPY ... FROM STDIN: records are parsed as they arrive and checked as they are parsed; nothing is applied until
// the client ends the data, and then every row goes in at once (one durable log entry), so a COPY is all or nothing.

import type { Field, Value } from '../../engine/types';
import { SqlError, SQLSTATE } from '../../engine/errors';
import { parseValue } from '../../engine/text';
import { CsvReader, type Fields } from '../../engine/formats/csv';
import { CopyTextReader } from '../../engine/formats/copy-text';
import type { CopyInResult } from '../backend';

export interface CopyTarget {
  readonly name: string;
  /** All columns of the target, in order. */
  readonly columns: readonly Field[];
  /** Indexes into `columns`, in the order the data has them. */
  readonly dataColumns: readonly number[];
  readonly format: 'csv' | 'text';
  readonly header: boolean;
  readonly delimiter: string;
  readonly nullString: string;
  /** Applies the rows durably; resolves with how many went in. */
  insert(rows: Value[][]): Promise<number>;
}

export function copyIn(target: CopyTarget): CopyInResult {
  const rows: Value[][] = [];
  let line = 0;
  let failure: SqlError | null = null;
  const onRecord = (fields: Fields): void => {
    line++;
    if (failure || (target.header && line === 1)) return;
    try {
      rows.push(toRow(target, fields, line));
    } catch (e) {
      failure = e instanceof SqlError ? e : new SqlError(SQLSTATE.bad_copy_file_format, String(e));
    }
  };
  const reader = target.format === 'csv'
    ? new CsvReader({ delimiter: target.delimiter, nullString: target.nullString, quote: '"' }, onRecord)
    : new CopyTextReader({ delimiter: target.delimiter, nullString: target.nullString }, onRecord);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = (): never => {
    throw failure!;
  };
  return {
    kind: 'copy_in',
    format: target.format,
    columnCount: target.dataColumns.length,
    write(chunk: Uint8Array): void {
      if (failure) fail();
      try {
        reader.feed(decoder.decode(chunk, { stream: true }));
      } catch (e) {
        failure ??= new SqlError(SQLSTATE.bad_copy_file_format, `COPY ${target.name}, line ${line + 1}: ${(e as Error).message}`);
      }
      if (failure) fail();
    },
    async end(): Promise<string> {
      try {
        reader.feed(decoder.decode());
        reader.end();
      } catch (e) {
        failure ??= new SqlError(SQLSTATE.bad_copy_file_format, `COPY ${target.name}, line ${line + 1}: ${(e as Error).message}`);
      }
      if (failure) fail();
      const n = await target.insert(rows);
      return `COPY ${n}`;
    },
    abort(): void {
      rows.length = 0;
    },
  };
}

function toRow(target: CopyTarget, fields: Fields, line: number): Value[] {
  const where = `COPY ${target.name}, line ${line}`;
  if (fields.length < target.dataColumns.length) {
    const missing = target.columns[target.dataColumns[fields.length]].name;
    throw new SqlError(SQLSTATE.bad_copy_file_format, `missing data for column "${missing}"`, { detail: where });
  }
  if (fields.length > target.dataColumns.length) {
    throw new SqlError(SQLSTATE.bad_copy_file_format, 'extra data after last expected column', { detail: where });
  }
  const row: Value[] = new Array(target.columns.length).fill(null);
  for (let i = 0; i < fields.length; i++) {
    const col = target.columns[target.dataColumns[i]];
    const text = fields[i];
    if (text === null) continue;
    try {
      row[target.dataColumns[i]] = parseValue(text, col.type);
    } catch (e) {
      if (e instanceof SqlError) {
        throw new SqlError(e.code, e.message, { detail: `${where}, column ${col.name}: "${text}"` });
      }
      throw e;
    }
  }
  return row;
}

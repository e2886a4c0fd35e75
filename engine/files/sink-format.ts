// The contents of one sink file, built in memory as the log's changes come (a file is at most roll_bytes, bounded
// by options.ts), then written whole. Every row carries its change in a last column `_diff`: 1 for a row added, -1
// for a row removed (an update is its old row with -1 and its new row with 1), as the relation's change log has it.
//   csv   : a header line of the column names, then one line per change (COPY ... CSV's quoting, NULL empty)
//   json  : one JSON object per line, as a Kafka sink writes a row, with "_diff"
//   arrow : an Arrow IPC file (the file format, readable with tableFromIPC) of one record batch per log entry

import { type RecordBatch, Table, tableToIPC } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { CopyLineEncoder } from '../codecs/copy-out';
import { batchFromRows, rowsFromBatch } from '../columns';
import { SinkEncoder } from '../kafka/sink-encode';
import { T, type Schema, type Value } from '../types';
import type { SinkFormat } from './options';

export const DIFF_COLUMN = '_diff';

export interface FileContents {
  /** Changes added so far. */
  readonly rows: number;
  /** About the size of the file so far (exact for csv and json). */
  readonly bytes: number;
  add(batch: ChangeBatch): void;
  finish(): Uint8Array;
}

export function fileContents(format: SinkFormat, schema: Schema, sinkName: string): FileContents {
  const withDiff: Schema = [...schema, { name: DIFF_COLUMN, type: T.int4, nullable: false }];
  if (format === 'arrow') return new ArrowContents(withDiff);
  if (format === 'csv') {
    const csv = new CopyLineEncoder(withDiff, { format: 'csv' });
    return new LineContents(schema, (row) => csv.line(row), csv.headerLine());
  }
  const json = new SinkEncoder(schema, [], sinkName);
  const diffKey = `${schema.length > 0 ? ',' : ''}${JSON.stringify(DIFF_COLUMN)}:`;
  return new LineContents(schema, (row) => {
    const object = json.rowJson(row.slice(0, schema.length));
    return Buffer.from(`${object.slice(0, -1)}${diffKey}${row[schema.length]}}\n`);
  }, null);
}

function rowsWithDiff(batch: ChangeBatch, schema: Schema): Value[][] {
  return rowsFromBatch(batch.data, schema).map((row, i) => [...row, batch.diffs === null ? 1 : batch.diffs[i]]);
}

class LineContents implements FileContents {
  rows = 0;
  bytes = 0;
  private readonly parts: Uint8Array[] = [];

  constructor(private readonly schema: Schema, private readonly line: (row: Value[]) => Uint8Array, header: Uint8Array | null) {
    if (header !== null) this.push(header);
  }

  add(batch: ChangeBatch): void {
    for (const row of rowsWithDiff(batch, this.schema)) {
      this.push(this.line(row));
      this.rows++;
    }
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.bytes += bytes.length;
  }
}

class ArrowContents implements FileContents {
  rows = 0;
  bytes = 0;
  private readonly batches: RecordBatch[] = [];

  constructor(private readonly schema: Schema) {}

  add(batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    const b = batchFromRows(this.schema, rowsWithDiff(batch, this.schema.slice(0, -1)));
    this.batches.push(b);
    this.rows += b.numRows;
    this.bytes += b.data.byteLength;
  }

  finish(): Uint8Array {
    return tableToIPC(new Table(this.batches), 'file');
  }
}

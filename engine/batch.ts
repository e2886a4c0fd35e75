// The unit of data between operators: an Arrow RecordBatch plus, per row, its weight in the change stream.
// +1 inserts the row, -1 deletes one copy of it; an update is a delete followed by an insert. Streams only ever
// insert, so their batches carry no weights (null = every row +1), which keeps the common path free of work.

import type { RecordBatch } from 'apache-arrow';

export interface ChangeBatch {
  readonly data: RecordBatch;
  /** One weight per row of `data`, +1 or -1; null when every row is an insert. */
  readonly diffs: Int32Array | null;
  /**
   * On a stream's log entry only: the stream's watermark once the entry is ingested (µs), written with the entry
   * (engine/runtime/stream-watermarks.ts). Every reader of the log agrees on it; a row of the entry is late when
   * below the watermark of the entries before it. Absent when the stream declares no watermark.
   */
  readonly watermark?: number;
}

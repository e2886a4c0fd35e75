// COPY ... FROM STDIN: the data goes to the engine's CopyDecoder (engine/ingest) as it arrives, which checks it and
// builds Arrow batches of the target's columns; nothing is applied until the client ends the data, and then every
// batch goes in at once (one durable log entry), so a COPY is all or nothing.

import type { RecordBatch } from 'apache-arrow';
import { CopyDecoder, type CopyOptions } from '../../engine/ingest';
import type { CopyInResult } from '../backend';

export interface CopyTarget extends CopyOptions {
  /** Applies the batches durably, all or nothing; resolves with how many rows went in. */
  insertBatches(batches: readonly RecordBatch[]): Promise<number>;
}

export function copyIn(target: CopyTarget): CopyInResult {
  const decoder = new CopyDecoder(target);
  return {
    kind: 'copy_in',
    format: target.format,
    columnCount: target.dataColumns.length,
    write(chunk: Uint8Array): void {
      decoder.write(chunk);
    },
    async end(): Promise<string> {
      const n = await target.insertBatches(decoder.end());
      return `COPY ${n}`;
    },
    abort(): void {
      decoder.abort();
    },
  };
}

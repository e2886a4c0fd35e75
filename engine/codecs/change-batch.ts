// A change batch on disk: an 8-byte header, the stream watermark (when the batch carries one) as a little-endian
// float64, the weights (when the batch has any) as little-endian Int32 padded to 8 bytes, then the rows as one Arrow
// IPC stream (schema message + one record batch). The weights stay outside Arrow so that the common stream case
// (inserts only) costs nothing extra and decoding needs no column surgery. The IPC stream is written by
// arrow-stream.ts, which reuses each schema's encoded message.
//
//   byte 0: FORMAT (1)   byte 1: HAS_DIFFS (0|1)   byte 2: HAS_WATERMARK (0|1)   byte 3: 0   bytes 4-7: row count u32 LE
//   [watermark µs as f64 LE]   [row count × i32 LE weights, zero padded to a multiple of 8]   Arrow IPC stream
//
// Entries written before watermarks existed have 0 in byte 2, so they read as batches without one.

import { RecordBatch, Table, tableFromIPC } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { StorageError, sealable } from '../../storage';
import { batchStream } from './arrow-stream';

const FORMAT = 1;
const HEADER = 8;
const WATERMARK_BYTES = 8;

export function encodeChangeBatch(b: ChangeBatch): Uint8Array {
  const rows = b.data.numRows;
  if (b.diffs !== null && b.diffs.length !== rows) {
    throw new RangeError(`change batch has ${rows} rows but ${b.diffs.length} weights`);
  }
  const ipc = batchStream(b.data);
  const watermarkBytes = b.watermark === undefined ? 0 : WATERMARK_BYTES;
  const diffBytes = b.diffs === null ? 0 : align8(rows * 4);
  // Encoded where storage frames it (checksum, log header) without copying: an entry is written once.
  const out = sealable(HEADER + watermarkBytes + diffBytes + ipc.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = FORMAT;
  out[1] = b.diffs === null ? 0 : 1;
  out[2] = b.watermark === undefined ? 0 : 1;
  view.setUint32(4, rows, true);
  if (b.watermark !== undefined) view.setFloat64(HEADER, b.watermark, true);
  if (b.diffs !== null) {
    // Copy through a byte view: Int32Array is platform-endian, and every supported platform is little-endian.
    out.set(new Uint8Array(b.diffs.buffer, b.diffs.byteOffset, rows * 4), HEADER + watermarkBytes);
  }
  ipc.writeInto(out, HEADER + watermarkBytes + diffBytes);
  return out;
}

/** The watermark an encoded change batch carries, read from its header alone; undefined when it has none. */
export function changeBatchWatermark(bytes: Uint8Array): number | undefined {
  checkHeader(bytes);
  if (bytes[2] === 0) return undefined;
  if (bytes.length < HEADER + WATERMARK_BYTES) throw bad('change batch shorter than its watermark');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(HEADER, true);
}

export function decodeChangeBatch(bytes: Uint8Array): ChangeBatch {
  const watermark = changeBatchWatermark(bytes);
  const rows = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const hasDiffs = bytes[1] === 1;
  const at = HEADER + (watermark === undefined ? 0 : WATERMARK_BYTES);
  const diffBytes = hasDiffs ? align8(rows * 4) : 0;
  if (bytes.length < at + diffBytes) throw bad('change batch shorter than its weights');
  let diffs: Int32Array | null = null;
  if (hasDiffs) {
    // Copy so the weights are aligned and do not pin the value buffer.
    diffs = new Int32Array(rows);
    new Uint8Array(diffs.buffer).set(bytes.subarray(at, at + rows * 4));
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes.subarray(at + diffBytes));
  } catch (e) {
    throw bad('change batch rows do not decode as Arrow IPC', e);
  }
  if (table.batches.length !== 1) throw bad(`change batch holds ${table.batches.length} record batches, not 1`);
  const data: RecordBatch = table.batches[0];
  if (data.numRows !== rows) throw bad(`change batch header says ${rows} rows, Arrow says ${data.numRows}`);
  return watermark === undefined ? { data, diffs } : { data, diffs, watermark };
}

function checkHeader(bytes: Uint8Array): void {
  if (bytes.length < HEADER || bytes[0] !== FORMAT || bytes[1] > 1 || bytes[2] > 1) throw bad('unknown change batch header');
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function bad(what: string, cause?: unknown): StorageError {
  return new StorageError('corrupt', `stored change batch is damaged: ${what}`, cause);
}

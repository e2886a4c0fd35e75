// What a log key holds. Its first byte says what follows: the entry's bytes themselves (every INSERT, epoch result
// and Kafka batch), or a reference to the chunks a COPY staged before it committed (staging.ts), which readers
// expand in chunk order. The reference is what lets a big COPY become visible with one small write.
//
//   INLINE  0x00, then the entry's bytes
//   STAGED  0x01, then stage u64, chunk count u32 (big-endian)

import { StorageError } from './errors';

const INLINE = 0x00;
const STAGED = 0x01;
const STAGED_LENGTH = 13;

export type LogValue =
  | { readonly kind: 'inline'; readonly bytes: Uint8Array }
  | { readonly kind: 'staged'; readonly stage: bigint; readonly chunks: number };

/** The header that goes in front of an inline entry's bytes (db-io put takes the parts without joining them). */
export const INLINE_HEADER: Uint8Array = Uint8Array.of(INLINE);

export function stagedReference(stage: bigint, chunks: number): Uint8Array {
  const out = new Uint8Array(STAGED_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = STAGED;
  view.setBigUint64(1, stage);
  view.setUint32(9, chunks);
  return out;
}

/** Reads a verified log payload; `where` names the entry for the error a damaged one raises. */
export function readLogValue(payload: Uint8Array, where: () => string): LogValue {
  if (payload.length >= 1 && payload[0] === INLINE) return { kind: 'inline', bytes: payload.subarray(1) };
  if (payload.length === STAGED_LENGTH && payload[0] === STAGED) {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    return { kind: 'staged', stage: view.getBigUint64(1), chunks: view.getUint32(9) };
  }
  throw new StorageError('corrupt', `${where()} has an unknown form`, undefined, 'Restore the data directory from a backup.');
}

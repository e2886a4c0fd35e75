// What a SUBSCRIBE asks for, once the planner has checked its WITH options, and the columns its rows have.

import { T, type Field, type Schema } from '../types';

export interface SubscribeOptions {
  /** Send the relation's current contents first, as inserts at the epoch the changes continue from. */
  readonly snapshot: boolean;
  /** Send a progress row (sluice_progress = true, NULL columns) when an epoch commits with no change. */
  readonly progress: boolean;
  /** Replay every change after this epoch from the change log, then go on live; null: start now. */
  readonly fromEpoch: bigint | null;
}

/** How the rows go out: DataRows, or COPY-out data in text or csv. */
export type SubscribeOutput = 'rows' | 'copy_text' | 'copy_csv';

export const EPOCH_COLUMN = 'sluice_epoch';
export const DIFF_COLUMN = 'sluice_diff';
export const PROGRESS_COLUMN = 'sluice_progress';

/** A subscription's rows: the relation's visible columns, sluice_epoch, sluice_diff and, with progress, sluice_progress. */
export function subscribeSchema(columns: readonly Field[], progress: boolean): Schema {
  // A column that may be NULL in a progress row is nullable there, whatever the relation says.
  const relation = progress ? columns.map((f) => ({ ...f, nullable: true })) : [...columns];
  const out: Field[] = [
    ...relation,
    { name: EPOCH_COLUMN, type: T.int8, nullable: false },
    { name: DIFF_COLUMN, type: T.int4, nullable: progress },
  ];
  if (progress) out.push({ name: PROGRESS_COLUMN, type: T.bool, nullable: false });
  return out;
}

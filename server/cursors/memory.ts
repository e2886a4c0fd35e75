// The memory all cursors of the server hold, with a limit. A SELECT cursor keeps its query's rows from DECLARE until
// it is closed (WITH HOLD: across transactions), a SUBSCRIBE cursor the part of an epoch's rows its FETCHes have not
// taken yet; many or huge cursors could otherwise grow the heap until V8 aborts the whole process. Past the limit
// the DECLARE (a SUBSCRIBE cursor's FETCH) fails with 53200 and the server goes on.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Value } from '../../engine/types';
import type { Row } from './row-source';

/** The default limit on the memory all cursors together hold, in MiB (--max-cursor-memory). */
export const DEFAULT_CURSOR_MEMORY_MB = 512;

export class CursorMemory {
  private held = 0;

  constructor(readonly limitBytes: number) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Takes `bytes` from the budget, or throws 53200 (taking nothing) when they do not fit. */
  reserve(bytes: number): void {
    if (this.held + bytes > this.limitBytes) {
      throw new SqlError(SQLSTATE.out_of_memory, 'out of memory for cursors', {
        detail: `The cursor's rows need about ${bytes} bytes; cursors already hold ${this.held} of the server's ${this.limitBytes}.`,
        hint: 'Close cursors that are no longer needed, or select fewer rows.',
      });
    }
    this.held += bytes;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}

/** About how many bytes of heap the rows take: an estimate that errs high, cheap enough to run once per DECLARE. */
export function estimateRowsBytes(rows: readonly Row[]): number {
  let bytes = 0;
  for (const row of rows) {
    bytes += 32 + 8 * row.length;
    for (const v of row) bytes += valueBytes(v);
  }
  return bytes;
}

function valueBytes(v: Value): number {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return 0;
  if (typeof v === 'string') return 16 + 2 * v.length;
  if (typeof v === 'bigint') return 24;
  return 64;
}

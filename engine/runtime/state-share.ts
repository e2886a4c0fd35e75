// A continuous query's share of the memory limit (engine/memory/limit.ts queryStateBytes): the most its operators'
// state may hold. Past it the query fails alone with 53200 and stays failed, even across restarts, so one query that
// outgrows memory can neither abort the process nor, replayed by recovery, abort it again at every start.

import { SqlError, SQLSTATE } from '../errors';

const MIB = 1024 * 1024;

/** The query's state share and what to do when a query passes it. */
export interface StateShare {
  readonly bytes: number;
  /** Marks the query failed for good (durably) and lets go of its runner, so its state's memory comes back. */
  exceeded(query: string, reason: string): Promise<void>;
}

/** Throws 53200 when `stateBytes` is over the share; the runner turns it into the query's failure. */
export function checkStateShare(query: string, stateBytes: number, shareBytes: number): void {
  if (stateBytes <= shareBytes) return;
  throw new SqlError(SQLSTATE.out_of_memory,
    `out of memory: continuous query "${query}" holds ${mb(stateBytes)} MB of state, more than its share of ` +
    `${mb(shareBytes)} MB (a quarter of --memory-limit); SQLSTATE 53200. DROP it, or recreate it after restarting ` +
    'with a larger --memory-limit');
}

export function isStateShareExceeded(e: unknown): e is SqlError {
  return e instanceof SqlError && e.code === SQLSTATE.out_of_memory;
}

function mb(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

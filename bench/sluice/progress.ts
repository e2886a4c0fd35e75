// How far a continuous query has got, read the way a user would: `sluice.queries`. rows_in counts the input rows
// its committed epochs have consumed, so once it reaches the number of rows ingested so far, every one of them is
// reflected in the query's visible result.

import type { SluiceTarget } from './target';

/** What reading progress needs: a way to run SQL (a SluiceTarget, or a workload's own connection). */
export type SqlRunner = Pick<SluiceTarget, 'sql'>;

export interface Progress {
  readonly rowsIn: number;
  readonly status: string;
  readonly lastError: string | null;
  readonly stateBytes: number | null;
}

export async function readProgress(target: SqlRunner, queryName: string): Promise<Progress | null> {
  const rows = await target.sql(
    `SELECT rows_in, status, last_error, state_bytes FROM sluice.queries WHERE name = '${queryName}'`);
  if (rows.length === 0) return null;
  const [rowsIn, status, lastError, stateBytes] = rows[0];
  return {
    rowsIn: Number(rowsIn ?? 0),
    status: String(status ?? ''),
    lastError: lastError === null || lastError === undefined ? null : String(lastError),
    stateBytes: stateBytes === null || stateBytes === undefined ? null : Number(stateBytes),
  };
}

export class QueryFailed extends Error {}

/** A query whose rows_in has not moved for this long, with rows still to consume, is stuck. */
const STALL_MS = 30_000;

/**
 * Polls until rows_in reaches `rows`; throws QueryFailed if the query fails, stalls (rows_in unmoved for `stallMs`),
 * or times out.
 */
export async function waitForRowsIn(
  target: SqlRunner, queryName: string, rows: number, timeoutMs: number, everyMs: number, stallMs = STALL_MS,
): Promise<Progress> {
  const began = performance.now();
  let lastRows: number | null = null;
  let movedAt = began;
  for (;;) {
    const p = await readProgress(target, queryName);
    const now = performance.now();
    if (p?.status === 'failed') throw new QueryFailed(`query failed: ${p.lastError ?? 'no reason given'}`);
    if (p && p.rowsIn >= rows) return p;
    const rowsIn = p?.rowsIn ?? null;
    if (rowsIn !== lastRows) movedAt = now;
    lastRows = rowsIn;
    if (now - movedAt > stallMs || now - began > timeoutMs) {
      throw new QueryFailed(`${now - began > timeoutMs ? 'timeout' : 'stalled'}: rows_in ${lastRows ?? 'n/a'} of ` +
        `${rows} after ${Math.round((now - began) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

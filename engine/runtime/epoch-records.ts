// What a continuous query's epoch writes besides its operators' state, and reads back at start: the plan fingerprint
// and the counters kept among the state keys, the result's chunks as storage's result rows, and the epoch's output
// gathered into the one change batch its log entry holds.

import type { ChangeBatch } from '../batch';
import { concatBatches } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import type { DeadLetter, EpochCommit } from '../../storage';
import type { RelationStore } from '../catalog';
import type { LateRow } from '../operators/operator';
import type { StateDelta } from '../state/chunks';
import type { Schema } from '../types';

/** The state key holding the plan fingerprint; the DAG's keys all hold a slash, so it cannot collide. */
export const PLAN_KEY = 'plan';
/** The state key holding the query's counters (rows in / out, late rows), so sluice.queries survives a restart. */
export const COUNTERS_KEY = 'counters';

export interface QueryCounters {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly lateRows: number;
  readonly errorRows: number;
}

function planRecord(fingerprint: string): Uint8Array {
  return Buffer.from(fingerprint, 'utf8');
}

function countersRecord(counters: QueryCounters): Uint8Array {
  return Buffer.from(JSON.stringify(counters), 'utf8');
}

/**
 * The operators' changed state with the query's own records beside it: the plan fingerprint (`plan`, with the first
 * epoch only: null after it) and the counters after this epoch.
 */
export function withQueryRecords(
  changes: Map<string, Uint8Array | null>, plan: string | null, counters: QueryCounters,
): Map<string, Uint8Array | null> {
  if (plan !== null) changes.set(PLAN_KEY, planRecord(plan));
  changes.set(COUNTERS_KEY, countersRecord(counters));
  return changes;
}

/** The epoch's input offsets by relation name, for sluice.checkpoints. */
export function namedOffsets(store: RelationStore, ends: ReadonlyMap<number, bigint>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, seq] of ends) out[store.getDefById(id)?.def.name ?? String(id)] = seq.toString();
  return out;
}

/** A row refused as late, as the dead letter committed with its epoch. */
export function lateDeadLetter(query: string, r: LateRow): DeadLetter {
  return {
    source: query, partition: null, offset: null, raw: new TextEncoder().encode(r.raw), reason: 'late', error: r.message,
    at: new Date(),
  };
}

/** Takes the plan fingerprint and the counters out of a loaded state map, leaving the operators' keys. */
export function takeQueryRecords(state: Map<string, Uint8Array>): { storedPlan: string | null; counters: QueryCounters | null } {
  const plan = state.get(PLAN_KEY);
  state.delete(PLAN_KEY);
  const raw = state.get(COUNTERS_KEY);
  state.delete(COUNTERS_KEY);
  let counters: QueryCounters | null = null;
  if (raw !== undefined) {
    const c = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<QueryCounters>;
    counters = { rowsIn: c.rowsIn ?? 0, rowsOut: c.rowsOut ?? 0, lateRows: c.lateRows ?? 0, errorRows: c.errorRows ?? 0 };
  }
  return { storedPlan: plan === undefined ? null : Buffer.from(plan).toString('utf8'), counters };
}

/** Operator state is laid out by the plan that wrote it; read by another plan it would be garbage. */
export function checkStoredPlan(query: string, storedPlan: string | null, fingerprint: string): void {
  if (storedPlan === null || storedPlan === fingerprint) return;
  throw new SqlError(SQLSTATE.object_not_in_prerequisite_state,
    `the stored state of continuous query "${query}" was written by a different plan`, {
      detail: `stored plan ${storedPlan}, current plan ${fingerprint}`,
      hint: 'Drop and re-create the continuous query to recompute it with the current plan.',
    });
}

/** The epoch's output as one change batch (one entry in the query's log), or null when there is none. */
export function collectOutput(schema: Schema, output: readonly ChangeBatch[]): ChangeBatch | null {
  const nonEmpty = output.filter((b) => b.data.numRows > 0);
  if (nonEmpty.length === 0) return null;
  if (nonEmpty.length === 1) return nonEmpty[0];
  const data = concatBatches(schema, nonEmpty.map((b) => b.data));
  let diffs: Int32Array | null = null;
  if (nonEmpty.some((b) => b.diffs !== null)) {
    diffs = new Int32Array(data.numRows);
    let at = 0;
    for (const b of nonEmpty) {
      if (b.diffs) diffs.set(b.diffs, at);
      else diffs.fill(1, at, at + b.data.numRows);
      at += b.data.numRows;
    }
  }
  return { data, diffs };
}

/** The result's chunks as storage's result rows, named by their chunk names. */
export function resultChunks(chunks: StateDelta): EpochCommit['resultRows'] {
  if (chunks.size === 0) return null;
  const puts = [];
  const dels = [];
  for (const [name, value] of chunks) {
    const key = Buffer.from(name, 'utf8');
    if (value === null) dels.push(key);
    else puts.push({ key, value });
  }
  return { puts, dels };
}

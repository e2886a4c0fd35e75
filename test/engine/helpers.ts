// Builders for hand-written plans and expressions in engine tests.

import type { ChangeBatch } from '../../engine/batch';
import type { DagSource } from '../../engine/dag';
import { StreamClock } from '../../engine/runtime/stream-watermarks';
import type { AggCall, AggFn, Expr, ScalarFn } from '../../engine/plan';
import { T, type Field, type Schema, type SqlType, type Value } from '../../engine/types';

export const col = (index: number, type: SqlType): Expr => ({ kind: 'column', index, type });
export const lit = (value: Value, type: SqlType): Expr => ({ kind: 'literal', value, type });
export const call = (fn: ScalarFn, type: SqlType, ...args: Expr[]): Expr => ({ kind: 'call', fn, args, type });
export const cast = (expr: Expr, type: SqlType): Expr => ({ kind: 'cast', expr, type });
export const agg = (fn: AggFn, type: SqlType, args: Expr[] = [], distinct = false): AggCall => ({ fn, args, distinct, type });

export const field = (name: string, type: SqlType, nullable = true): Field => ({ name, type, nullable });
export const schemaOf = (...fields: [string, SqlType][]): Schema => fields.map(([n, t]) => field(n, t));

export { T };

/** Rows as a sorted multiset of JSON-ish strings, for order-insensitive comparisons. */
export function multiset(rows: readonly (readonly Value[])[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

import { seededRandom as rng } from '../helpers/random';
export { rng };

/**
 * Feeds a DAG source as a stream with WATERMARK FOR is read: each call is one log entry, pushed, then the stream's
 * watermark after it (its largest event time so far minus `delayMicros`, engine/runtime/stream-watermarks.ts).
 */
export function streamFeed(source: DagSource, schema: Schema, timeColumn: number, delayMicros: number): (batch: ChangeBatch) => void {
  const entries = streamEntries(schema, timeColumn, delayMicros);
  return (batch) => {
    const entry = entries(batch);
    source.push(entry);
    if (entry.watermark !== undefined) source.advanceWatermark(entry.watermark);
  };
}

/** Each batch as a stream's log entry, carrying the stream's watermark as of it (for pull queries' sources). */
export function streamEntries(schema: Schema, timeColumn: number, delayMicros: number): (batch: ChangeBatch) => ChangeBatch {
  const clock = new StreamClock(schema, timeColumn, delayMicros, undefined);
  return (batch) => {
    const watermark = clock.after(batch.data);
    clock.reached(watermark);
    return watermark === undefined ? batch : { ...batch, watermark };
  };
}

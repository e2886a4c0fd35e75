// The accumulator contract: one per aggregate per group. Every accumulator takes retractions (weight -1 undoes a
// +1), except the sketches, which refuse them with 0A000. State round-trips through bytes for durability, and two
// accumulators of the same aggregate merge (session windows merge sessions).

import { SqlError, SQLSTATE } from '../errors';
import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';

export interface Accumulator {
  /** Applies row `row` of the evaluated argument columns with weight `weight` (+1 insert, -1 delete). */
  update(args: readonly Vec[], row: number, weight: number): void;
  /** The aggregate's value (canonical Value; int8 results may be plain numbers). */
  result(): Value;
  /** Adds another accumulator of the same aggregate into this one. */
  merge(other: Accumulator): void;
  write(w: ByteWriter): void;
  read(r: ByteReader): void;
  /** Approximate memory held, for sluice.queries.state_bytes. */
  bytes(): number;
}

export type AccumulatorFactory = () => Accumulator;

export function cannotRetract(fn: string): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported,
    `${fn} cannot take deletes or updates in its input (its sketch cannot forget a value)`,
    { hint: `Use ${fn} over an append-only stream, or an exact aggregate over changing input.` });
}

export const isNullAt = (v: Vec, i: number): boolean => v.nulls !== null && v.nulls[i] === 1;

// One aggregate call's state for every group of a hash aggregate, by group number (engine/operators/group-store.ts
// numbers the groups). An aggregate whose state is a few numbers keeps them as columns, a typed array per field
// indexed by group (engine/aggregate/columnar.ts): 100 K groups are a handful of arrays, not 100 K objects, and a
// batch updates them in one tight loop. Any other aggregate (DISTINCT, min / max over a retracting input, sketches,
// intervals) keeps one boxed Accumulator per group, as it always did. A group's bytes are the same either way, so
// stored state reads back whichever form its plan chooses.

import type { Vec } from '../columns/vec';
import type { AggCall } from '../plan';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import type { Accumulator, AccumulatorFactory } from './accumulator';
import { columnarAggregate } from './columnar';
import { accumulatorFactory } from './index';

export interface GroupedAggregate {
  /** Makes room for group numbers below `capacity` (which only grows). */
  grow(capacity: number): void;
  /** Group `g` starts with no rows (a new group, or a number reused). */
  clear(g: number): void;
  /** Group `g` is gone: let go of what it holds. */
  release(g: number): void;
  /**
   * Applies rows [0, n) of the evaluated argument columns: row i goes to group `groups[i]`, or nowhere when that is
   * negative, with weight `weights[i]` (+1 when `weights` is null).
   */
  update(args: readonly Vec[], groups: Int32Array, weights: Int32Array | null, n: number): void;
  result(g: number): Value;
  write(w: ByteWriter, g: number): void;
  read(r: ByteReader, g: number): void;
  /** Approximate memory held for group `g`, for sluice.queries.state_bytes. */
  bytes(g: number): number;
}

/** The grouped form of one aggregate call: columns where the function allows it, boxed accumulators otherwise. */
export function groupedAggregate(call: AggCall, appendOnly: boolean): GroupedAggregate {
  return columnarAggregate(call) ?? new BoxedAggregate(accumulatorFactory(call, appendOnly));
}

/** An Accumulator object per group. */
class BoxedAggregate implements GroupedAggregate {
  private accs: (Accumulator | undefined)[] = [];

  constructor(private readonly factory: AccumulatorFactory) {}

  grow(capacity: number): void {
    this.accs.length = capacity;
  }

  clear(g: number): void {
    this.accs[g] = this.factory();
  }

  release(g: number): void {
    this.accs[g] = undefined;
  }

  update(args: readonly Vec[], groups: Int32Array, weights: Int32Array | null, n: number): void {
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g >= 0) this.accs[g]!.update(args, i, weights === null ? 1 : weights[i]);
    }
  }

  result(g: number): Value {
    return this.accs[g]!.result();
  }

  write(w: ByteWriter, g: number): void {
    this.accs[g]!.write(w);
  }

  read(r: ByteReader, g: number): void {
    this.accs[g]!.read(r);
  }

  bytes(g: number): number {
    return this.accs[g]!.bytes();
  }
}

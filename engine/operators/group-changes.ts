// The changes a hash aggregate emits at an epoch's end, collected by column: for each change its group number and
// weight, and each aggregate's value (the one emitted before, for a retraction; the current one, for an insert).
// The key columns are gathered from the group store's columns in one pass when the batch is built, so no row array
// and no boxed key value is made per changed group. The groups must not be removed before `batch` has run.

import type { ChangeBatch } from '../batch';
import { batchFromVecs } from '../columns/rows';
import { vecFromValues } from '../columns/vec';
import type { Schema, Value } from '../types';
import type { GroupStore } from './group-store';

export class GroupChanges {
  private readonly groups: number[] = [];
  private readonly weights: number[] = [];
  private readonly results: Value[][];

  constructor(private readonly store: GroupStore) {
    this.results = store.aggs.map(() => []);
  }

  get size(): number {
    return this.groups.length;
  }

  /** Group g's row as it last emitted it goes out. */
  retract(g: number): void {
    this.add(g, -1);
    this.results.forEach((values, a) => values.push(this.store.emittedResult(g, a)));
  }

  /** Group g's row as it is now comes in. */
  insert(g: number): void {
    this.add(g, 1);
    this.results.forEach((values, a) => values.push(this.store.result(g, a)));
  }

  private add(g: number, weight: number): void {
    this.groups.push(g);
    this.weights.push(weight);
  }

  /** The changes as one batch of `schema` (the key columns, then the aggregates). */
  batch(schema: Schema): ChangeBatch {
    const groups = Int32Array.from(this.groups);
    const keyCount = schema.length - this.results.length;
    const columns = [
      ...Array.from({ length: keyCount }, (_, c) => this.store.keys.gather(c, groups)),
      ...this.results.map((values, a) => vecFromValues(values, schema[keyCount + a].type)),
    ];
    const allInserts = this.weights.every((w) => w === 1);
    return { data: batchFromVecs(schema, columns, groups.length), diffs: allInserts ? null : Int32Array.from(this.weights) };
  }
}

// ORDER BY ... LIMIT n OFFSET m in a continuous query: the rows at ranks m+1 .. m+n of all input so far (ranked by
// row-order.ts, ties broken by the whole row), kept current. Every input row's copies live in a state table, and in
// memory also in rank order; at an epoch's end the operator walks the first m+n copies and emits the difference from
// what it emitted before (deletes, then inserts), so the result is always the top n and only changes once per epoch.
//
// Over an input that never retracts (a stream, a filter or projection of one), a row ranked past m+n can never come
// back: the operator keeps only the first m+n copies, and drops a new row at once when it ranks past them. Over an
// input with retractions (an aggregate's result, a table) it keeps every row, since a delete in the top lets the next
// one in (docs/sql.md says what that costs).

import type { ChangeBatch } from '../batch';
import { rowsFromBatch } from '../columns/rows';
import { BatchColumns } from '../expr/context';
import type { TopNNode } from '../plan';
import { RowKeyer, type Key } from '../state/keys';
import type { StateTable, ValueCodec } from '../state/table';
import type { Value } from '../types';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector } from './groups';
import type { Operator, OperatorContext, OperatorOutput } from './operator';
import { RowOrder, type RankedRow } from './row-order';

interface Entry extends RankedRow {
  /** Copies of the row in the input (in what is kept of it). */
  count: number;
  /** Copies of the row in the output. */
  emitted: number;
}

export class TopNOperator implements Operator {
  private readonly order: RowOrder;
  private readonly keyer: RowKeyer;
  private readonly entries: StateTable<Entry>;
  /** The entries with a positive count, in rank order. */
  private readonly ranked: Entry[] = [];
  /** Copies held in `ranked`. */
  private held = 0;
  /** The entries with emitted > 0. */
  private readonly shown = new Map<Key, Entry>();
  /** Keys whose count or emitted copies changed since the last flush. */
  private readonly changed = new Set<Key>();
  /** Copies ranked before the end of the window: offset + limit. */
  private readonly end: number;

  constructor(private readonly node: TopNNode, ctx: OperatorContext, private readonly out: OperatorOutput) {
    this.order = new RowOrder(node.input.schema, node.keys);
    this.keyer = new RowKeyer(node.input.schema.map((f) => f.type));
    this.end = node.limit === null ? Infinity : node.offset + node.limit;
    const order = this.order;
    const codec: ValueCodec<Entry> = {
      write(w, e) {
        w.svar(e.count).svar(e.emitted).uvar(e.row.length);
        for (const v of e.row) w.value(v);
      },
      read(r, key) {
        const count = r.svar();
        const emitted = r.svar();
        const row: Value[] = [];
        for (let n = r.uvar(); n > 0; n--) row.push(r.value());
        return { key, row, ranks: order.ranksOf(row), count, emitted };
      },
    };
    this.entries = ctx.tables('rows', codec);
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const schema = this.node.input.schema;
    const view = new BatchColumns(batch.data, schema);
    const cols = schema.map((_, c) => view.column(c));
    let rows: Value[][] | null = null;
    for (let i = 0; i < n; i++) {
      const key = this.keyer.key(cols, i);
      let e = this.entries.get(key);
      if (e === undefined) {
        rows ??= rowsFromBatch(batch.data, schema);
        const candidate: Entry = { key, row: rows[i], ranks: this.order.ranksOf(rows[i]), count: 0, emitted: 0 };
        if (this.node.appendOnly && this.pastTheEnd(candidate)) continue;
        e = candidate;
        this.entries.put(key, e);
      }
      this.add(e, weightAt(batch, i));
      if (this.node.appendOnly) this.trim();
    }
  }

  /** Whether a new row of an append-only input would rank past the copies worth keeping. */
  private pastTheEnd(e: Entry): boolean {
    if (this.held < this.end) return false;
    const last = this.ranked[this.ranked.length - 1];
    // Nothing held and nothing to hold: LIMIT 0 with no OFFSET.
    return last === undefined || this.order.compare(e, last) > 0;
  }

  private add(e: Entry, weight: number): void {
    const before = e.count;
    e.count += weight;
    this.changed.add(e.key);
    if (before > 0) this.held -= before;
    if (e.count > 0) this.held += e.count;
    if (before <= 0 && e.count > 0) this.ranked.splice(this.rankIndex(e), 0, e);
    else if (before > 0 && e.count <= 0) this.ranked.splice(this.rankIndex(e), 1);
  }

  /** Append-only input: drops the last ranked rows while the copies before them already reach the end. */
  private trim(): void {
    for (;;) {
      const last = this.ranked[this.ranked.length - 1];
      if (last === undefined || this.held - last.count < this.end) return;
      this.add(last, -last.count);
    }
  }

  /** Where `e` is, or would go, in `ranked` (binary search). */
  private rankIndex(e: Entry): number {
    let lo = 0;
    let hi = this.ranked.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order.compare(this.ranked[mid], e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Copies of each row in ranks offset+1 .. offset+limit. */
  private window(): Map<Key, { entry: Entry; copies: number }> {
    const want = new Map<Key, { entry: Entry; copies: number }>();
    let rank = 0;
    for (const e of this.ranked) {
      if (rank >= this.end) break;
      const copies = Math.min(rank + e.count, this.end) - Math.max(rank, this.node.offset);
      if (copies > 0) want.set(e.key, { entry: e, copies });
      rank += e.count;
    }
    return want;
  }

  onWatermark(_micros: number): void {
    // Not handed on: a delete in the top lets an old row back into the output, however old its event time.
  }

  flush(): void {
    if (this.changed.size === 0) return;
    const want = this.window();
    const out = new ChangeCollector();
    for (const [key, e] of this.shown) {
      if (want.has(key)) continue;
      out.add(e.row as Value[], -e.emitted);
      this.show(e, 0);
    }
    for (const { entry, copies } of want.values()) {
      if (copies === entry.emitted) continue;
      out.add(entry.row as Value[], copies - entry.emitted);
      this.show(entry, copies);
    }
    for (const key of this.changed) {
      const e = this.entries.get(key);
      if (e === undefined) continue;
      if (e.count === 0 && e.emitted === 0) this.entries.delete(key);
      else this.entries.put(key, e);
    }
    this.changed.clear();
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  private show(e: Entry, copies: number): void {
    e.emitted = copies;
    this.changed.add(e.key);
    if (copies > 0) this.shown.set(e.key, e);
    else this.shown.delete(e.key);
  }

  endOfInput(): void {
    this.flush();
  }

  restored(): void {
    for (const e of this.entries.values()) {
      if (e.count > 0) {
        this.ranked.push(e);
        this.held += e.count;
      }
      if (e.emitted > 0) this.shown.set(e.key, e);
    }
    this.ranked.sort((a, b) => this.order.compare(a, b));
  }

  stateBytes(): number {
    return this.entries.size * (64 + this.node.schema.length * 16);
  }
}

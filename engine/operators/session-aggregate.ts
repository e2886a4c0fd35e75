// SESSION windows with their aggregates. Per key, a session runs from its first row's time to its last row's time
// plus the gap; a row closer than the gap to a session joins it, and a row that bridges two sessions merges them
// (the merged sessions' rows are deleted and the merged row inserted). A session whose end is at or below the
// watermark can grow no more: it is emitted (ON WINDOW CLOSE) and evicted. Sessions over changing input (deletes)
// are not supported: a delete could split a session, which needs every row kept. Each key's sessions are one value
// of a state table, which the runner makes durable.

import { accumulatorFactory, type AccumulatorFactory } from '../aggregate';
import type { ChangeBatch } from '../batch';
import { valueAt, type Vec } from '../columns/vec';
import { SqlError, SQLSTATE } from '../errors';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import type { SessionAggregateNode } from '../plan';
import type { ByteReader, ByteWriter } from '../state/codec';
import { RowKeyer, type Key } from '../state/keys';
import type { StateTable } from '../state/table';
import type { Value } from '../types';
import { intervalMicros } from '../values/interval';
import { changesFromRows, weightAt } from './changes';
import { ChangeCollector, newGroup, readGroup, sameRow, writeGroup, type Group } from './groups';
import { neverRetracts } from './properties';
import type { Operator, OperatorContext, OperatorOutput } from './operator';
import { EventClock, reportLate } from './window';

interface Session extends Group {
  start: number;
  last: number;
}

export class SessionAggregateOperator implements Operator {
  /** Per key, its open sessions ordered by start. */
  private readonly sessions: StateTable<Session[]>;
  /** Keys whose sessions changed since the last flush: to emit, and to put back in the state table. */
  private readonly changed = new Set<Key>();
  /** Output rows of sessions merged away since the last flush, to delete. */
  private retracted: Value[][] = [];
  private readonly factories: AccumulatorFactory[];
  private readonly args: CompiledExpr[][];
  private readonly keyer: RowKeyer;
  private readonly gap: number;
  private readonly clock: EventClock;

  constructor(private readonly node: SessionAggregateNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    this.factories = node.aggs.map((a) => accumulatorFactory(a, neverRetracts(node.input)));
    this.args = node.aggs.map((a) => a.args.map(compileExpr));
    this.keyer = new RowKeyer(node.keys.map((i) => node.input.schema[i].type));
    this.gap = intervalMicros(node.gap, 'session gap');
    this.clock = new EventClock(node.time);
    this.sessions = ctx.tables('sessions', {
      write: (w, list) => this.writeSessions(w, list),
      read: (r, key) => this.readSessions(r, key),
    });
  }

  private writeSessions(w: ByteWriter, list: readonly Session[]): void {
    w.uvar(list.length);
    for (const s of list) {
      writeGroup(w, s);
      w.f64(s.start).f64(s.last);
    }
  }

  private readSessions(r: ByteReader, key: Key): Session[] {
    const list: Session[] = [];
    for (let n = r.uvar(); n > 0; n--) {
      const g = readGroup(r, key, this.factories);
      list.push({ ...g, start: r.f64(), last: r.f64() });
    }
    return list;
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const keyCols: Vec[] = this.node.keys.map((i) => view.column(i));
    const time = view.column(this.node.time.column);
    if (time.kind !== 'num') throw new Error('engine: session time column is not a timestamp');
    const argVecs: Vec[][] = this.args.map((exprs) => exprs.map((e) => e.eval(view, this.ctx.eval)));
    for (let i = 0; i < n; i++) {
      if (weightAt(batch, i) < 0) {
        throw new SqlError(SQLSTATE.feature_not_supported,
          'SESSION windows over a changing input (deletes or updates) are not supported');
      }
      const isNull = time.nulls !== null && time.nulls[i] === 1;
      const t = time.values[i];
      if (isNull || this.clock.isLate(t)) {
        reportLate(this.ctx, this.node, batch, i, isNull ? null : t, this.clock);
        continue;
      }
      const key = this.keyer.key(keyCols, i);
      const s = this.sessionFor(key, keyCols, i, t);
      s.rows += 1;
      for (let a = 0; a < s.accs.length; a++) s.accs[a].update(argVecs[a], i, 1);
      this.changed.add(key);
    }
  }

  /** The session row time t belongs to: a new one, an existing one, or several merged into one. */
  private sessionFor(key: Key, keyCols: Vec[], i: number, t: number): Session {
    let list = this.sessions.get(key);
    if (list === undefined) this.sessions.put(key, (list = []));
    const touching = list.filter((s) => t > s.start - this.gap && t < s.last + this.gap);
    if (touching.length === 0) {
      const s: Session = { ...newGroup(key, keyCols.map((c) => valueAt(c, i)), this.factories), start: t, last: t };
      list.push(s);
      list.sort((a, b) => a.start - b.start);
      return s;
    }
    const [first, ...rest] = touching;
    first.start = Math.min(first.start, t);
    first.last = Math.max(first.last, t);
    for (const other of rest) {
      first.start = Math.min(first.start, other.start);
      first.last = Math.max(first.last, other.last);
      first.rows += other.rows;
      for (let a = 0; a < first.accs.length; a++) first.accs[a].merge(other.accs[a]);
      if (other.emitted !== null) this.retracted.push(other.emitted);
      list.splice(list.indexOf(other), 1);
    }
    return first;
  }

  private row(s: Session): Value[] {
    return [...s.keyValues, s.start, s.last + this.gap, ...s.accs.map((a) => a.result())];
  }

  onWatermark(micros: number): void {
    this.clock.advance(micros);
  }

  flush(): void {
    const out = new ChangeCollector();
    if (this.node.emit === 'changes') for (const r of this.retracted) out.add(r, -1);
    for (const key of this.changed) {
      const list = this.sessions.get(key)!;
      if (this.node.emit === 'changes') {
        for (const s of list) {
          const row = this.row(s);
          if (sameRow(s.emitted, row)) continue;
          if (s.emitted !== null) out.add(s.emitted, -1);
          out.add(row, 1);
          s.emitted = row;
        }
      }
      this.sessions.put(key, list);
    }
    this.retracted = [];
    this.changed.clear();
    const w = this.clock.flush();
    this.close(w ?? -Infinity, out);
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
    if (w !== null) this.out.emitWatermark(w);
  }

  /** Sessions ending at or before `upTo` can no longer grow: emit them (ON WINDOW CLOSE) and evict them. */
  private close(upTo: number, out: ChangeCollector): void {
    for (const [key, list] of this.sessions.entries()) {
      const open = list.filter((s) => s.last + this.gap > upTo);
      if (open.length === list.length) continue;
      if (this.node.emit === 'on_window_close') {
        for (const s of list) if (s.last + this.gap <= upTo) out.add(this.row(s), 1);
      }
      if (open.length === 0) this.sessions.delete(key);
      else this.sessions.put(key, open);
    }
  }

  endOfInput(): void {
    this.flush();
    const out = new ChangeCollector();
    this.close(Infinity, out);
    if (out.size > 0) this.out.emit(changesFromRows(this.node.schema, out.rows, out.weights));
  }

  restored(): void {
    // The sessions are in their state table; the DAG delivers the input's watermark again.
  }

  stateBytes(): number {
    let total = 0;
    for (const list of this.sessions.values()) {
      for (const s of list) {
        total += 80;
        for (const a of s.accs) total += a.bytes();
      }
    }
    return total;
  }
}

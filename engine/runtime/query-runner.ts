// Runs one continuous query, one epoch at a time. An epoch reads each input log from the query's committed offset
// to the log's end as it was when the epoch began, pushes those changes through the operator DAG, and commits the
// state changes, the result changes, the new offsets and the epoch number in one atomic storage batch. Only then
// does the result change in memory, so SELECT never sees what a crash could take back.
//
// The input goes into the DAG in bounded slices with a yield to the event loop between them (engine/slices.ts), and
// the epoch's end (the operators' flush, netting the result, encoding state and result) is paced by the same Pacer,
// so an epoch over millions of rows never freezes the other sessions. Slicing changes neither which rows an epoch reads
// nor their order, and operators emit watermarks only at the epoch's end, so the epoch's output is the same.

import type { ChangeBatch } from '../batch';
import type { QueryDef } from '../catalog';
import type { Schema } from '../types';
import { SQLSTATE, toSqlError } from '../errors';
import type { DeadLetter, Offsets } from '../../storage';
import type { RelationStore } from '../catalog';
import { decodeChangeBatch, encodeChangeBatch } from '../codecs/change-batch';
import { buildDag, type Dag } from '../dag';
import { Pacer } from '../slices';
import type { PlanNode } from '../plan';
import { planFingerprint } from '../plan-fingerprint';
import type { LateRow } from '../operators/operator';
import type { DagFigures } from '../dag-figures';
import { EpochDurations } from './epoch-durations';
import { EpochTimer } from './epoch-timer';
import { AppendResult, KeyedResult, neverRetracts, type ResultDelta, type ResultSet } from './result-set';
import type { LogReader } from './log-reader';
import { feedInputs, type ResultAt } from './dag-input';
import type { EpochGate } from './epoch-gate';
import { checkStateShare, isStateShareExceeded, type StateShare } from './state-share';
import {
  checkStoredPlan, collectOutput, lateDeadLetter, namedOffsets, resultChunks, takeQueryRecords, withQueryRecords,
} from './epoch-records';

const utf8 = new TextDecoder();


export type QueryStatus = 'running' | 'paused' | 'failed';

export interface QueryStats {
  status: QueryStatus;
  epoch: number;
  watermark: number | null;
  rowsIn: number;
  rowsOut: number;
  lateRows: number;
  errorRows: number;
  lastBatchMs: number | null;
  lastError: string | null;
}

export interface QueryRunnerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export class QueryRunner {
  /** What SELECT reads: the log's batches for an append-only query, rows by key otherwise. */
  result!: ResultSet;
  private keyed!: KeyedResult | null;
  private appended!: AppendResult | null;
  /** Relation id of each DAG source, in the same order. */
  private readonly inputIds: readonly number[];
  /** A hash of the plan (engine/plan-fingerprint.ts), stored with the state it writes. */
  private readonly planFingerprint: string;
  private planStored = false;
  readonly stats: QueryStats;
  /** The duration of every epoch this process committed. */
  readonly epochDurations = new EpochDurations();
  private committedStateBytes = 0;
  private offsets = new Map<number, bigint>();
  /** Inputs this query has never committed an offset for: a keyed query among them starts from its result. */
  private readonly unstartedInputs = new Set<number>();
  /** The last entry of the query's own log that the result (as readers see it) includes. */
  private resultSeq = 0n;
  /** Every change up to this epoch has been trimmed from the query's own log: from_epoch must be at least this. */
  trimmedThrough = 0n;
  private dag!: Dag;
  /** Late rows of the epoch in progress, stored as dead letters with it. */
  private late: LateRow[] = [];
  private readonly timer: EpochTimer;
  private stopped = false;
  /** Failed because a write found the disk full: reloads and runs again once the store has reopened. */
  private failedForDisk = false;

  constructor(
    readonly id: number,
    readonly def: QueryDef,
    private readonly plan: PlanNode,
    /** The relation id of a source node's relation. */
    relationId: (name: string) => number,
    private readonly store: RelationStore,
    /** Reads the input logs, sharing each entry's decoding with the runtime's other readers. */
    private readonly inputLogs: LogReader,
    /** Bounds how many of the runtime's epochs compute at once. */
    private readonly gate: EpochGate,
    private readonly log: QueryRunnerLog,
    /** What the operators' state may hold (engine/runtime/state-share.ts). */
    private readonly share: StateShare,
    /** Called after each committed epoch (the runtime trims the input logs every reader has passed). */
    private readonly afterCommit: () => Promise<void> = async () => {},
    /** The result of the query with relation id `id`, when its log may have been trimmed; null: not a keyed query. */
    private readonly resultOf: (id: number) => Promise<ResultAt> | null = () => null,
  ) {
    this.emptyState();
    this.result = (this.keyed ?? this.appended)!;
    // A query that never committed runs its first epoch even over no input (see epoch()).
    this.timer = new EpochTimer({
      intervalMs: def.triggerIntervalMs,
      canRun: () => !this.stopped && this.stats.status === 'running',
      hasWork: () => this.stats.epoch === 0 || this.lag() > 0,
      runEpoch: () => this.runEpoch(),
    });
    this.planFingerprint = planFingerprint(plan);
    this.inputIds = this.dag.sources.map((s) => relationId(s.node.relation.name));
    this.stats = {
      status: def.paused ? 'paused' : 'running', epoch: 0, watermark: null, rowsIn: 0, rowsOut: 0,
      lateRows: 0, errorRows: 0, lastBatchMs: null, lastError: null,
    };
  }

  /** A DAG and result with nothing in them, for start() to load the last committed epoch into. */
  private emptyState(): void {
    this.dag = buildDag(this.plan, { mode: 'incremental', late: (row) => this.late.push(row) });
    this.offsets = new Map();
    const appendOnly = neverRetracts(this.plan);
    this.appended = appendOnly ? new AppendResult(this.def.columns) : null;
    this.keyed = appendOnly ? null : new KeyedResult();
  }

  /**
   * The store reopened after a full disk: a query that failed for that reason drops its DAG, which may hold half an
   * epoch, reloads the last committed epoch and runs again. SELECT reads the old result (the committed epoch's: a
   * failed commit never reaches it) until the reloaded one replaces it.
   */
  async reloadAfterDiskFull(): Promise<void> {
    if (!this.failedForDisk || this.stopped) return;
    this.failedForDisk = false;
    await this.epochChain;
    this.emptyState();
    this.stats.status = this.def.paused ? 'paused' : 'running';
    this.stats.lastError = null;
    try {
      await this.start();
      this.result = (this.keyed ?? this.appended)!;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Marks the query failed, with the reason in sluice.queries.last_error. */
  private fail(e: unknown): void {
    const err = toSqlError(e);
    this.stats.status = 'failed';
    this.stats.lastError = err.message;
    this.failedForDisk = err.code === SQLSTATE.disk_full;
    this.log.error('continuous query failed', { query: this.def.name, error: err.message, code: err.code });
  }

  get schema(): Schema {
    return this.def.columns;
  }

  /**
   * How far the query's own log may be trimmed: up to the last entry its result (as readers see it) includes, since
   * a new query over it starts from that result; null when its result is that log (append-only).
   */
  trimmableUpTo(): bigint | null {
    return this.keyed === null ? null : this.resultSeq;
  }

  changesTrimmedThrough(epoch: number): void {
    if (BigInt(epoch) > this.trimmedThrough) this.trimmedThrough = BigInt(epoch);
  }

  /**
   * The result as inserts and the log entry it is the sum of, for a new query over this one whose log was trimmed;
   * null for an append-only query (its log is kept whole). The rows are taken in the step the entry is read.
   */
  resultWithSeq(): Promise<ResultAt> | null {
    if (this.keyed === null) return null;
    const seq = this.resultSeq;
    const all = this.schema.map((_, i) => i);
    return this.keyed.batches(all, this.schema, new Pacer()).then((batches) => ({ seq, batches }));
  }

  /** Loads the last committed epoch (state, results, offsets) and starts the epoch timer unless paused. */
  async start(): Promise<void> {
    const loaded = await this.store.loadQuery(this.id);
    this.stats.epoch = loaded.epoch;
    for (const id of new Set(this.inputIds)) {
      const committed = loaded.offsets[id];
      if (committed === undefined) this.unstartedInputs.add(id);
      // A query that never committed starts at the first entry its inputs still hold.
      this.offsets.set(id, committed ?? this.store.firstSeq(id) - 1n);
    }
    const state = new Map(loaded.state);
    const { storedPlan, counters } = takeQueryRecords(state);
    if (counters !== null) Object.assign(this.stats, counters);
    checkStoredPlan(this.def.name, storedPlan, this.planFingerprint);
    this.planStored = storedPlan !== null;
    this.dag.restore(state);
    this.resultSeq = loaded.resultSeq;
    if (this.appended !== null) {
      // The query's own log holds every row it produced (an append-only query's log is never trimmed): the result
      // is that log.
      for await (const entry of this.store.readLog(this.id, this.store.firstSeq(this.id) - 1n, loaded.resultSeq)) {
        this.appended.append(decodeChangeBatch(entry.bytes));
      }
    } else {
      this.keyed!.restore(loaded.results.map((r) => [utf8.decode(r.key), r.value]));
    }
    this.stats.watermark = this.dag.watermark();
    this.committedStateBytes = this.dag.stateBytes();
    // A limit lowered since the state was committed: recovery holds the query to it like any epoch would.
    checkStateShare(this.def.name, this.committedStateBytes, this.share.bytes);
    if (!this.def.paused) this.timer.schedule();
  }

  pause(): void {
    this.stats.status = 'paused';
    void this.timer.cancel();
  }

  resume(): void {
    if (this.stats.status === 'running') return;
    this.stats.status = 'running';
    this.stats.lastError = null;
    this.timer.schedule();
  }

  /** Waits for the epoch in flight, if any, and stops the timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.timer.cancel();
  }

  /** How far the query is behind its inputs, in log entries. */
  lag(): number {
    let lag = 0;
    for (const [id, off] of this.offsets) lag += Number(this.store.lastSeq(id) - off);
    return lag;
  }

  /**
   * The operators' state size after the last committed epoch. Measured once per epoch, not per read: it walks every
   * group, and sluice.queries may be polled far more often than epochs run.
   */
  stateBytes(): number {
    return this.committedStateBytes;
  }

  /** Each operator's rows, time and state size (as of the last committed epoch), for EXPLAIN ANALYZE. */
  operatorFigures(): DagFigures {
    return this.dag.figures();
  }

  /** Called when a log this query reads has grown (the runtime hears every durable append). */
  inputAppended(): void {
    this.timer.inputAppended();
  }

  /**
   * Runs one epoch, after any epoch already running (the timer's and a caller's never overlap). Never throws: a
   * failure marks the query failed with the reason in sluice.queries.last_error.
   */
  runEpoch(): Promise<void> {
    const next = this.epochChain.then(() => this.epoch());
    this.epochChain = next;
    return next;
  }

  private epochChain: Promise<void> = Promise.resolve();

  private async epoch(): Promise<void> {
    if (this.stats.status === 'failed') return;
    // A query that never committed runs one epoch even over no input: a global aggregate has its row from the start.
    if (this.stats.epoch > 0 && this.lag() === 0) return;
    // The input ends are noted once the epoch may compute, so it reads what arrived while it waited too.
    const leaveGate = await this.gate.enter();
    const ends = new Map<number, bigint>();
    for (const id of this.offsets.keys()) ends.set(id, this.store.lastSeq(id));
    const started = performance.now();
    try {
      this.late = [];
      this.dag.beginEpoch(Date.now() * 1000);
      const pacer = new Pacer();
      const rowsIn = await feedInputs({
        ends, offsets: this.offsets, unstarted: this.unstartedInputs, logs: this.inputLogs, resultOf: this.resultOf,
        sourcesOf: (id) => this.dag.sources.filter((_, i) => this.inputIds[i] === id),
        // Per slice, not per epoch: one epoch can read millions of rows, and the state must stop growing in time.
        afterSlice: () => this.checkStateShare(),
      }, pacer);
      const output = await this.dag.endEpochPaced(pacer);
      this.checkStateShare();
      // The end of an epoch is work too: the flush, the result's netting and the state and result chunks run in
      // slices paced like the input, and other sessions get a turn between the steps that are one piece once the
      // turn has spent its budget (a one-row epoch fits in one turn).
      await pacer.between();
      const late = this.late;
      const changes = collectOutput(this.schema, output);
      let delta: ResultDelta[] = [];
      let rowsOut = 0;
      if (this.keyed !== null) {
        delta = await this.keyed.plan(changes, this.schema, pacer);
        rowsOut = changes?.data.numRows ?? 0;
      } else if (changes !== null) {
        // Before anything is written: an append-only query that retracts is a bug, and fails the query.
        AppendResult.check(changes);
        rowsOut = changes.data.numRows;
      }
      await pacer.between();
      const epoch = this.stats.epoch + 1;
      const offsets: Record<number, bigint> = Object.fromEntries(ends);
      const stateChanges = await this.stateChanges(epoch, { rowsIn, rowsOut, lateRows: late.length }, pacer);
      const resultRows = this.keyed === null ? null : resultChunks(await this.keyed.chunk(epoch, delta, pacer));
      const committed = this.store.commitEpoch({
        queryId: this.id,
        epoch,
        stateChanges,
        resultChanges: changes === null ? null : encodeChangeBatch(changes),
        resultRows,
        offsets: offsets as Offsets,
        checkpoint: { durationMs: performance.now() - started, offsets: namedOffsets(this.store, ends) },
        deadLetters: late.map((r) => lateDeadLetter(this.def.name, r)),
      });
      // Submitted: waiting for the disk is no work, so another epoch may compute meanwhile.
      leaveGate();
      const appendedSeq = await committed;
      if (this.keyed !== null) await this.keyed.applyHidden(delta, pacer);
      // One synchronous step from here: readers see the epoch's result and its number together.
      if (this.keyed !== null) this.keyed.reveal();
      else if (changes !== null) this.appended!.append(changes);
      this.planStored = true;
      if (appendedSeq !== null) this.resultSeq = appendedSeq;
      this.offsets = new Map(ends);
      this.unstartedInputs.clear();
      this.stats.epoch = epoch;
      this.stats.rowsIn += rowsIn;
      this.stats.rowsOut += rowsOut;
      this.stats.lateRows += late.length;
      this.stats.watermark = this.dag.watermark();
      this.committedStateBytes = this.dag.stateBytes();
      this.stats.lastBatchMs = performance.now() - started;
      this.epochDurations.observe(this.stats.lastBatchMs / 1000);
      this.announceCommit();
    } catch (e) {
      // The DAG may hold half an epoch: it is not trusted again until it reloads the committed state (at a restart,
      // or after a full disk once the store has reopened).
      this.fail(e);
      leaveGate();
      if (isStateShareExceeded(e)) await this.share.exceeded(this.def.name, toSqlError(e).message);
      return;
    } finally {
      leaveGate();
    }
    await this.afterCommit().catch((e: unknown) => {
      this.log.error('trimming input logs failed', { query: this.def.name, error: toSqlError(e).message });
    });
  }

  /**
   * Calls `listener` after each committed epoch, once its result and `stats.epoch` show it (subscriptions wake on
   * it); returns the unsubscribe.
   */
  onEpochCommitted(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  private readonly commitListeners = new Set<() => void>();

  private announceCommit(): void {
    for (const listener of this.commitListeners) {
      try {
        listener();
      } catch (e) {
        this.log.error('an epoch listener failed', { query: this.def.name, error: toSqlError(e).message });
      }
    }
  }

  /** The operators' changed state, plus the plan fingerprint with the first epoch and the counters after this one. */
  private async stateChanges(
    epoch: number, counts: { rowsIn: number; rowsOut: number; lateRows: number }, pacer: Pacer,
  ): Promise<Map<string, Uint8Array | null>> {
    const s = this.stats;
    return withQueryRecords(await this.dag.snapshot(epoch, pacer), this.planStored ? null : this.planFingerprint, {
      rowsIn: s.rowsIn + counts.rowsIn, rowsOut: s.rowsOut + counts.rowsOut, lateRows: s.lateRows + counts.lateRows,
      errorRows: s.errorRows,
    });
  }

  /** Fails the epoch (53200) once the operators hold more than the query's share of the memory limit. */
  private checkStateShare(): void {
    checkStateShare(this.def.name, this.dag.stateBytes(), this.share.bytes);
  }
}

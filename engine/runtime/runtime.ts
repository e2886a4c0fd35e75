// The running database: the catalog of objects, their durable logs, the tables' rows and one QueryRunner per
// continuous query. Planned statements reach it through engine/execute/ as definitions and plans (it never parses
// SQL); rows written into streams and tables commit through commit.ts; storage makes everything durable.

import { describeRelation, streamSchema, type QueryDef, type RelationDef, type RelationStore, type StoredRelation } from '../catalog';
import { RoleCatalog } from './roles';
import type { RecordBatch } from 'apache-arrow';
import { SqlError, SQLSTATE } from '../errors';
import type { PlanNode } from '../plan';
import type { Schema, Value } from '../types';
import type { EvalContext } from '../expr/context';
import { consolidate } from '../batch-run';
import { consolidateBatches } from '../operators/changes';
import { QueryRunner, type QueryRunnerLog } from './query-runner';
import { systemViewRows } from './system-rows';
import { pullChanges, type PullSources } from './pull';
import { StatementMemory } from '../memory/statement';
import { TableState } from './table-state';
import { ReaderIndex } from './readers';
import { StreamTrimmer } from './stream-trimmer';
import { DEFAULT_RESULT_LOG_RETENTION_MS } from './result-log-retention';
import { DECODED_ENTRY_BUDGET_BYTES, LogReader } from './log-reader';
import { EpochGate } from './epoch-gate';
import { StreamRowCounts } from './stream-row-counts';
import { Writes } from './writes';
import { DEFAULT_SUBSCRIPTION_LIMITS, SubscriptionHub } from '../subscribe/hub';
import type { SubscribeOptions } from '../subscribe/options';
import { queryLogSource, relationLogSource } from '../subscribe/sources';
import type { Subscription, SubscriptionLimits } from '../subscribe/subscription';
import { kafkaConnector } from '../kafka';
import { fileConnector, type FileConnectorSettings } from '../files';
import { postgresCdcConnector } from '../cdc';
import { Connectors, type RunningConnector } from '../connectors';
import { defaultMemoryLimitMb, type MemoryLimits, memoryLimits } from '../memory/limit';
import { isStateShareExceeded, type StateShare } from './state-share';

export interface RuntimeLog extends QueryRunnerLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export class Runtime {
  private readonly tables = new Map<string, TableState>();
  private readonly queries = new Map<string, QueryRunner>();
  /** Which queries and sinks read each relation; follows every CREATE and DROP. */
  private readonly readers = new ReaderIndex();
  private readonly trimmer: StreamTrimmer;
  /** The continuous queries' input logs, each entry decoded once for all the queries reading it. */
  private readonly inputLogs: LogReader;
  /** How many continuous queries' epochs compute at once (epoch-gate.ts). */
  private readonly epochGate = new EpochGate();
  /** Sources (streams and tables fed by Kafka, files, ...) and sinks, by name. */
  readonly connectors: Connectors;
  /** The live SUBSCRIBEs: readers of the change logs too. */
  readonly subscriptions: SubscriptionHub;

  /** Rows into streams and tables: which relations take them, their checks, and the commit (writes.ts). */
  readonly writes: Writes;
  /** Rows each stream took since the server started, by every path (sluice.streams, /metrics). */
  readonly streamRows = new StreamRowCounts();

  /** Roles, durable beside the relations; a change to them is a catalog change (the mirror shows them). */
  readonly roles: RoleCatalog;

  private constructor(
    readonly store: RelationStore, private readonly log: RuntimeLog, limits: SubscriptionLimits,
    /** What statements and continuous queries may hold (engine/memory/limit.ts); past a share, 53200. */
    memory: MemoryLimits,
    files: FileConnectorSettings,
  ) {
    this.roles = new RoleCatalog(store, () => this.catalogChanged());
    this.statementMemoryBytes = memory.statementBytes;
    this.stateShare = { bytes: memory.queryStateBytes, exceeded: (name, reason) => this.failForGood(name, reason) };
    this.subscriptions = new SubscriptionHub(limits);
    this.writes = new Writes({
      store, streamRows: this.streamRows, relation: (name) => this.mustGet(name), table: (name) => this.tables.get(name),
    });
    this.connectors = new Connectors({ store, log, streamRows: this.streamRows }, [kafkaConnector(), fileConnector(files), postgresCdcConnector()]);
    this.trimmer = new StreamTrimmer(store, (name) => this.readers.readersOf(name), log,
      (id) => this.subscriptions.pinnedSeq(id), {
        trimmableUpTo: (id) => this.runnerById(id)?.trimmableUpTo() ?? null,
        trimmed: (id, epoch) => this.runnerById(id)?.changesTrimmedThrough(epoch),
        retentionMs: limits.changelogRetentionMs ?? DEFAULT_RESULT_LOG_RETENTION_MS,
      });
    this.inputLogs = new LogReader(store, DECODED_ENTRY_BUDGET_BYTES, (id) => {
      const name = store.getDefById(id)?.def.name;
      return name === undefined ? 0 : this.readers.countOf(name);
    });
    this.stopWaking = store.onLogAppend((id) => this.wakeReadersOf(id));
    // Queries that failed because the disk was full run again as soon as the store takes writes again, rather than
    // on a timer of their own: the store's retry loop is the one place that knows when there is room.
    this.stopReloading = store.onReopen(() => {
      for (const q of this.queries.values()) void q.reloadAfterDiskFull();
      void this.connectors.restartFailed().catch((e: unknown) => this.log.warn('restarting connectors after a full disk failed', { error: String(e) }));
    });
  }

  private readonly stopReloading: () => void;

  /** Unsubscribes the wake-ups of queries when the runtime closes. */
  private readonly stopWaking: () => void;

  /** A log grew: the queries reading it that sleep for want of input schedule their next epoch. */
  private wakeReadersOf(relationId: number): void {
    const name = this.store.getDefById(relationId)?.def.name;
    if (name === undefined) return;
    for (const reader of this.readers.readersOf(name)) this.queries.get(reader)?.inputAppended();
  }

  /** Loads tables; continuous queries start when the server hands their plans to `startQuery`. */
  /** `memory`: the shares of --memory-limit that one statement and one continuous query's state may hold. */
  static async open(
    store: RelationStore, log: RuntimeLog, limits = DEFAULT_SUBSCRIPTION_LIMITS,
    memory: MemoryLimits = memoryLimits(defaultMemoryLimitMb()),
    files: FileConnectorSettings = { root: null },
  ): Promise<Runtime> {
    const rt = new Runtime(store, log, limits, memory, files);
    for (const s of store.listDefs()) {
      rt.readers.add(s.def);
      if (s.def.kind === 'table') {
        const t = new TableState(s.id, s.def, store);
        await t.load();
        rt.tables.set(s.def.name, t);
      }
    }
    for (const s of store.listDefs()) rt.startConnector(s);
    rt.trimmer.watchRetainedStreams();
    return rt;
  }

  /** Starts the source of a stream or table fed by a connector, or a sink. */
  private startConnector(stored: StoredRelation): void {
    const def = stored.def;
    const kind = this.connectors.kindOf(def);
    if (kind === undefined) return;
    if (def.kind === 'sink') {
      const from = this.mustGet(def.from);
      this.connectors.startSink(kind, { sinkId: stored.id, def, fromRelationId: from.id, fromSchema: visibleColumns(from.def) });
    } else if (def.kind === 'stream' || def.kind === 'table') {
      this.connectors.startSource(kind, { relationId: stored.id, def, table: def.kind === 'table' ? this.tables.get(def.name) : undefined });
    }
  }

  /** True when `name` exists and IF NOT EXISTS was given; 42P07 when it exists without. */
  private nameTaken(name: string, ifNotExists = false): boolean {
    if (!this.store.getDef(name)) return false;
    if (ifNotExists) return true;
    throw new SqlError(SQLSTATE.duplicate_table, `relation "${name}" already exists`);
  }

  /** Checks a connector's WITH options before anything is created. */
  private checkConnector(def: RelationDef): Promise<void> {
    return this.connectors.check(def, def.kind === 'sink' ? visibleColumns(this.mustGet(def.from).def) : undefined);
  }

  /** Called after every change to the catalog (the server's catalog mirror follows it); returns an unsubscribe. */
  onCatalogChange(listener: () => void): () => void {
    this.catalogListeners.add(listener);
    return () => this.catalogListeners.delete(listener);
  }

  private readonly catalogListeners = new Set<() => void>();

  private catalogChanged(): void {
    for (const listener of this.catalogListeners) listener();
  }

  defs(): RelationDef[] {
    return this.store.listDefs().map((s) => s.def);
  }

  def(name: string): RelationDef | undefined {
    return this.store.getDef(name)?.def;
  }

  /** The full schema of a relation's log: a stream's declared columns plus `_arrival`. */
  relationSchema(def: RelationDef): Schema {
    switch (def.kind) {
      case 'stream': return streamSchema(def);
      case 'table':
      case 'query': return def.columns;
      case 'sink': return [];
    }
  }

  // --- DDL --------------------------------------------------------------------------------------------------------

  /**
   * CREATE: the one place that refuses a name already taken (42P07), against the catalog as it is when the
   * statement runs. With `ifNotExists` a taken name is no error and nothing is created. Resolves whether it created.
   */
  async create(def: RelationDef, options: { plan?: PlanNode; ifNotExists?: boolean } = {}): Promise<boolean> {
    if (this.nameTaken(def.name, options.ifNotExists)) return false;
    await this.checkConnector(def);
    // The check may have waited on a connector's far end: another session may have taken the name meanwhile.
    if (this.nameTaken(def.name, options.ifNotExists)) return false;
    const id = await this.store.putDef(def);
    this.readers.add(def);
    if (def.kind === 'table') this.tables.set(def.name, new TableState(id, def, this.store));
    if (def.kind === 'query') {
      if (!options.plan) throw new Error(`continuous query ${def.name} created without a plan`);
      await this.startQuery(def, options.plan);
    }
    this.startConnector({ id, def });
    this.catalogChanged();
    return true;
  }

  /**
   * Starts a continuous query from its last committed epoch (or from scratch); one that failed for want of memory
   * stays failed and is not loaded at all.
   */
  async startQuery(def: QueryDef, plan: PlanNode): Promise<void> {
    if (def.failed !== undefined) {
      this.failQuery(def, def.failed);
      return;
    }
    const stored = this.mustGet(def.name);
    // After each committed epoch the query asks for its inputs' logs and its own to be trimmed; the trimmer batches
    // the asks. A first epoch over a query whose log may be trimmed starts from that query's result.
    const runner = new QueryRunner(stored.id, def, plan, (name) => this.mustGet(name).id, this.store,
      this.inputLogs, this.epochGate, this.log, this.stateShare, async () => this.trimmer.request([...def.dependsOn, def.name]),
      (id) => this.runnerById(id)?.resultWithSeq() ?? null);
    try {
      await runner.start();
    } catch (e) {
      if (!isStateShareExceeded(e)) throw e;
      this.log.error('continuous query not started', { query: def.name, reason: e.message, code: e.code });
      await this.stateShare.exceeded(def.name, e.message);
      return;
    }
    this.queries.set(def.name, runner);
  }

  private readonly stateShare: StateShare;
  /** What one pull query may hold (memoryLimits(--memory-limit).statementBytes); past it, 53200. */
  private readonly statementMemoryBytes: number;

  /**
   * A query passed its state share: its runner goes (and its state's memory with it), and the failure is stored
   * with its definition, so sluice.queries shows it and no restart replays the query into the same failure.
   */
  private async failForGood(name: string, reason: string): Promise<void> {
    const stored = this.store.getDef(name);
    if (stored?.def.kind !== 'query') return;
    this.queries.delete(name);
    this.failed.set(name, reason);
    await this.store.putDef({ ...stored.def, failed: reason });
    this.catalogChanged();
  }

  /** Marks a query failed without running it (its plan could not be built at startup), keeping its state. */
  failQuery(def: QueryDef, reason: string): void {
    this.log.error('continuous query not started', { query: def.name, reason });
    this.failed.set(def.name, reason);
  }

  private readonly failed = new Map<string, string>();

  /** Objects that read `name`: queries over it and sinks from it. */
  dependents(name: string): RelationDef[] {
    return this.readers.readersOf(name).map((reader) => this.mustGet(reader).def);
  }

  /** Drops `name` (and with cascade everything that reads it, transitively); returns the names dropped. */
  async drop(name: string, cascade: boolean): Promise<string[]> {
    const order: string[] = [];
    const visit = (n: string): void => {
      for (const d of this.dependents(n)) if (!order.includes(d.name)) visit(d.name);
      if (!order.includes(n)) order.push(n);
    };
    const direct = this.dependents(name);
    if (direct.length > 0 && !cascade) {
      throw new SqlError(SQLSTATE.dependent_objects_still_exist, `cannot drop ${describeRelation(this.mustGet(name).def)} because other objects depend on it`, {
        detail: direct.map((d) => `${describeRelation(d)} depends on ${describeRelation(this.mustGet(name).def)}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    visit(name);
    const dropped = order.map((n) => this.mustGet(n).def);
    const stopped: RunningConnector[] = [];
    for (const n of order) {
      this.subscriptions.relationDropped(n);
      const connector = await this.connectors.stop(n);
      if (connector) stopped.push(connector);
      await this.queries.get(n)?.stop();
      this.queries.delete(n);
      this.tables.delete(n);
      this.failed.delete(n);
    }
    await this.store.changeCatalog({ delete: order });
    for (const c of stopped) void c.dropped?.();
    for (const def of dropped) this.readers.remove(def);
    this.catalogChanged();
    return order;
  }

  /** GRANT / REVOKE: the definitions with their new privileges, in one atomic write. */
  async setAcls(changed: readonly RelationDef[]): Promise<void> {
    await this.store.changeCatalog({ put: changed });
    this.catalogChanged();
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    const def = this.def(name);
    if (!def || def.kind !== 'query') {
      throw new SqlError(SQLSTATE.undefined_table, `continuous query "${name}" does not exist`);
    }
    await this.store.putDef({ ...def, paused });
    const runner = this.queries.get(name);
    if (paused) runner?.pause();
    else runner?.resume();
    this.catalogChanged();
  }

  // --- pull queries -----------------------------------------------------------------------------------------------

  /**
   * Runs a plan once over the current contents of the relations it reads; the result's rows. The work goes in
   * slices that let other sessions run (engine/slices.ts); an aborted `signal` stops it between slices with 57014.
   * What it holds is counted against the statement's memory share: past it, 53200.
   */
  async pull(plan: PlanNode, ctx: EvalContext, signal?: AbortSignal): Promise<Value[][]> {
    return consolidate(await pullChanges(this.pullSources(), plan, ctx, signal), plan.schema);
  }

  /**
   * The result of a pull as one Arrow batch of the plan's schema (INSERT ... SELECT / VALUES writes it as it is):
   * the operators' batches consolidated, with no row ever made.
   */
  async pullBatch(plan: PlanNode, ctx: EvalContext, signal?: AbortSignal): Promise<RecordBatch> {
    return consolidateBatches(plan.schema, await pullChanges(this.pullSources(), plan, ctx, signal));
  }

  /** A new statement's memory account, against its share of --memory-limit. */
  statementMemory(): StatementMemory {
    return new StatementMemory(this.statementMemoryBytes);
  }

  private pullSources(): PullSources {
    return {
      store: this.store,
      stored: (name) => this.mustGet(name),
      tableRows: (name) => this.writes.tableState(name).snapshot(),
      queryResult: (name) => this.queryRunner(name).result,
      systemRows: (schema, view) => systemViewRows(this, schema, view),
      statementMemoryBytes: this.statementMemoryBytes,
    };
  }

  // --- subscriptions ----------------------------------------------------------------------------------------------

  /** A SUBSCRIBE to a stream, table or continuous query (engine/subscribe/); it runs until `signal` aborts. */
  async subscribe(name: string, options: SubscribeOptions, signal: AbortSignal): Promise<Subscription> {
    const stored = this.mustGet(name);
    const def = stored.def;
    if (def.kind === 'sink') throw new SqlError(SQLSTATE.wrong_object_type, `cannot subscribe to ${describeRelation(def)}`);
    const source = def.kind === 'query'
      ? await queryLogSource(this.store, this.queryRunner(name))
      : relationLogSource(this.store, stored, def.kind === 'table' ? this.writes.tableState(name) : null);
    return this.subscriptions.open(def.name, source, options, signal);
  }

  private runnerById(id: number): QueryRunner | undefined {
    const name = this.store.getDefById(id)?.def.name;
    return name === undefined ? undefined : this.queries.get(name);
  }

  queryRunner(name: string): QueryRunner {
    const q = this.queries.get(name);
    if (!q) {
      const reason = this.failed.get(name);
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `continuous query "${name}" is not running`, {
        detail: reason,
      });
    }
    return q;
  }

  runners(): ReadonlyMap<string, QueryRunner> {
    return this.queries;
  }

  failures(): ReadonlyMap<string, string> {
    return this.failed;
  }

  async close(): Promise<void> {
    this.stopWaking();
    this.stopReloading();
    await this.connectors.stopAll();
    for (const q of this.queries.values()) await q.stop();
    this.queries.clear();
    await this.trimmer.close();
  }

  private mustGet(name: string): StoredRelation {
    const s = this.store.getDef(name);
    if (!s) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`);
    return s;
  }
}

/** The columns a reader sees: a stream's without `_arrival`. */
function visibleColumns(def: RelationDef): Schema {
  return def.kind === 'sink' ? [] : def.columns;
}

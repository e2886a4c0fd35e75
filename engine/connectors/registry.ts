// The running sources and sinks of a server, by relation name, whatever their kind: the runtime starts them at
// CREATE and at startup, stops them at DROP and shutdown, and shows them in sluice.sources. A stream or table whose
// `connector` names no registered kind (none, or 'http', which the HTTP API feeds) has nothing running here.

import type { RelationDef, SinkDef, StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import type { Schema } from '../types';
import type { ConnectorEnvironment, ConnectorKind, ConnectorStatus, RunningConnector, SinkStart, SourceStart } from './connector';

interface Running {
  readonly kind: ConnectorKind;
  readonly def: StreamDef | TableDef | SinkDef;
  connector: RunningConnector;
  /** Starts it afresh from its stored positions (restartFailed). */
  readonly start: () => RunningConnector;
}

export interface ConnectorRow {
  readonly name: string;
  readonly connector: string;
  readonly target: string | null;
  readonly status: ConnectorStatus;
}

export class Connectors {
  private readonly kinds = new Map<string, ConnectorKind>();
  private readonly running = new Map<string, Running>();

  constructor(private readonly env: ConnectorEnvironment, kinds: readonly ConnectorKind[]) {
    for (const k of kinds) this.kinds.set(k.name, k);
  }

  /** The kind that runs `def`'s connector, if it has one. */
  kindOf(def: RelationDef): ConnectorKind | undefined {
    if (def.kind !== 'sink' && def.kind !== 'stream' && def.kind !== 'table') return undefined;
    const name = (def.options.connector ?? '').toLowerCase();
    const kind = this.kinds.get(name);
    if (def.kind === 'sink' && kind?.startSink === undefined) {
      throw new SqlError(SQLSTATE.feature_not_supported, `connector "${name}" cannot be a sink`);
    }
    return kind;
  }

  /** Checks `def`'s connector options before anything is created; `fromSchema` for a sink. */
  async check(def: RelationDef, fromSchema?: Schema): Promise<void> {
    const kind = this.kindOf(def);
    if (kind === undefined) return;
    if (def.kind === 'sink') kind.checkSink?.(def, fromSchema ?? []);
    else if (def.kind === 'stream' || def.kind === 'table') await kind.checkSource?.(def);
  }

  startSource(kind: ConnectorKind, start: SourceStart): void {
    if (kind.startSource === undefined) throw new SqlError(SQLSTATE.feature_not_supported, `connector "${kind.name}" cannot be a source`);
    this.add(kind, start.def, () => kind.startSource!(this.env, start));
  }

  startSink(kind: ConnectorKind, start: SinkStart): void {
    this.add(kind, start.def, () => kind.startSink!(this.env, start));
  }

  status(name: string): ConnectorStatus | undefined {
    return this.running.get(name)?.connector.status();
  }

  rows(): ConnectorRow[] {
    return [...this.running].map(([name, r]) => ({
      name, connector: r.kind.name, target: r.kind.target(r.def), status: r.connector.status(),
    }));
  }

  /** Stops the source or sink of `name`, if there is one (DROP); resolves it, for its `dropped` once the DROP is done. */
  async stop(name: string): Promise<RunningConnector | undefined> {
    const r = this.running.get(name);
    this.running.delete(name);
    await r?.connector.stop();
    return r?.connector;
  }

  /**
   * Starts every failed connector afresh, from the positions it stored: called when the store takes writes again
   * after a full disk, which fails connectors as it fails queries. One that failed for another reason (a record
   * that stops it under on_error = 'fail', say) meets the same reason again and shows it again.
   */
  async restartFailed(): Promise<void> {
    for (const [name, r] of this.running) {
      if (r.connector.status().state !== 'failed') continue;
      await r.connector.stop();
      // A DROP may have stopped it meanwhile: only what is still registered starts again.
      if (this.running.get(name) === r) r.connector = r.start();
    }
  }

  /** Stops everything (shutdown); once it resolves no connector writes to the store any more. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.connector.stop()));
  }

  private add(kind: ConnectorKind, def: StreamDef | TableDef | SinkDef, start: () => RunningConnector): void {
    if (this.running.has(def.name)) throw new Error(`the ${kind.name} connector of ${def.name} is already running`);
    this.running.set(def.name, { kind, def, connector: start(), start });
  }
}

// What a kind of connector (Kafka, files, PostgreSQL change data capture, ...) gives the runtime. Each kind lives in
// its own folder and registers one ConnectorKind; the runtime starts, checks, shows and stops every connector through
// the registry (registry.ts) without knowing which kind it is.

import type { RelationStore, SinkDef, StreamDef, TableDef } from '../catalog';
import type { StreamRowCounts } from '../runtime/stream-row-counts';
import type { TableState } from '../runtime/table-state';
import type { Schema } from '../types';
import type { ConnectorState } from './health';

/** What sluice.sources and /metrics show of one running source or sink. */
export interface ConnectorStatus {
  readonly kind: 'source' | 'sink';
  /** running · waiting (its far end is unreachable; retrying) · failed (stopped, see lastError): health.ts. */
  readonly state: ConnectorState;
  readonly lastError: string | null;
  /**
   * How far it has durably got, in the far end's terms: a Kafka source's next offset per partition (`0:120,1:98`), a
   * sink's last shipped log entry, a file's byte offset, a replication LSN. Null before it has a position.
   */
  readonly position: string | null;
  /** Records not yet read (a source) or entries not yet shipped (a sink). */
  readonly lag: number;
  /** Records read or shipped since the server started. */
  readonly messages: number;
  /** Bad records a source sent to sluice.dead_letters since the server started (0 for a sink). */
  readonly deadLetters: number;
}

export interface RunningConnector {
  status(): ConnectorStatus;
  /** Stops reading or shipping; once it resolves the connector writes nothing more to the store. Idempotent. */
  stop(): Promise<void>;
  /**
   * After DROP (stopped, and gone from the catalog): lets go of what it made at the far end (a replication slot,
   * which would keep WAL forever). Best effort, in the background: never rejects.
   */
  dropped?(): Promise<void>;
}

export interface ConnectorLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What every connector of the server shares. */
export interface ConnectorEnvironment {
  readonly store: RelationStore;
  readonly log: ConnectorLog;
  readonly streamRows: StreamRowCounts;
}

export interface SourceStart {
  readonly relationId: number;
  readonly def: StreamDef | TableDef;
  /** A table's rows, which a table's source changes (absent for a stream). */
  readonly table?: TableState;
}

export interface SinkStart {
  readonly sinkId: number;
  readonly def: SinkDef;
  /** The relation shipped, and its visible columns (a stream's without `_arrival`). */
  readonly fromRelationId: number;
  readonly fromSchema: Schema;
}

export interface ConnectorKind {
  /** The value of the `connector` option that names this kind. */
  readonly name: string;
  /** What a connector of this kind reads or writes, as sluice.sources shows it (a topic, a path, a table). */
  target(def: StreamDef | TableDef | SinkDef): string | null;
  /**
   * Checks a source's WITH options before anything is created (SqlError 22023 / 0A000), and may look at the far end
   * (a PostgreSQL table's columns); absent: not a source.
   */
  checkSource?(def: StreamDef | TableDef): void | Promise<void>;
  checkSink?(def: SinkDef, fromSchema: Schema): void;
  startSource?(env: ConnectorEnvironment, start: SourceStart): RunningConnector;
  startSink?(env: ConnectorEnvironment, start: SinkStart): RunningConnector;
}

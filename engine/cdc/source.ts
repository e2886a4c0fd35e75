// A Sluice table fed by a PostgreSQL table, exactly once. The first start snapshots the table, then every start
// streams the publication's changes through a logical replication slot from the LSN stored with the table's rows.
//
// Snapshot consistency: when Sluice creates the slot, it does so with EXPORT_SNAPSHOT and reads the table in that
// snapshot (REPEATABLE READ), so the snapshot is exactly the state at the slot's consistent point and streaming from
// there neither misses nor repeats a change. When the slot already exists (given by the user, or ours after a crash
// before the snapshot was stored) the snapshot is read in a fresh REPEATABLE READ transaction and streaming starts
// at the slot's confirmed position, which is not later than that snapshot: changes already in it are applied again,
// which is harmless because every change is an upsert or delete by primary key, and after the replay reaches the
// snapshot's point the table is exact again. The snapshot is fetched through a cursor and written in pieces, the LSN
// with the last one only (see snapshot()).
//
// Exactly once afterwards: each write of changes carries the end LSN of its last transaction in the SAME atomic
// storage write as the rows (TableState.upsert with progress), and only once that write is durable is the LSN
// confirmed to PostgreSQL (the slot then may drop WAL before it). A restart (of Sluice after kill -9, or of
// PostgreSQL) streams again from the stored LSN; PostgreSQL skips transactions that committed before it.

import type { Client } from 'pg';
import type { TableDef } from '../catalog';
import type { ConnectorEnvironment, ConnectorStatus, RunningConnector, SourceStart } from '../connectors/connector';
import { SqlError } from '../errors';
import { errorText, Sleeper } from '../kafka/client';
import type { TableState } from '../runtime/table-state';
import { ChangeCollector, SchemaChanged } from './changes';
import { type CdcOptions, cdcOptions } from './options';
import { lsnText, parseLsn } from './pgoutput';
import { checkColumns, valueOf } from './types';
import { ConnectorHealth } from '../connectors/health';
import {
  connectUpstream, createSlot, dropSlotAndPublication, ensurePublication, readSnapshot, type ReplicationStream, slotPosition, startReplication,
  upstreamColumns,
} from './upstream';

const INITIAL_RETRY_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** How often the durable position is confirmed even when PostgreSQL does not ask (its wal_sender_timeout is 60 s). */
const STATUS_INTERVAL_MS = 10_000;
/** Rows of the initial snapshot fetched and written at a time: memory stays bounded whatever the table's size. */
const SNAPSHOT_PIECE_ROWS = 10_000;

export function startCdcSource(env: ConnectorEnvironment, start: SourceStart): RunningConnector {
  if (start.def.kind !== 'table' || start.table === undefined) throw new Error(`postgres-cdc source of ${start.def.name} without a table`);
  const source = new CdcSource(env, start.relationId, start.def, start.table, cdcOptions(start.def));
  source.start();
  return source;
}

class CdcSource implements RunningConnector {
  private readonly health: ConnectorHealth;
  private messages = 0;
  /** The end of the last transaction durable in the table; null before the initial snapshot is stored. */
  private durable: bigint | null;
  /** The end of WAL as the server last reported it (for lag). */
  private walEnd = 0n;
  /**
   * What was last confirmed to PostgreSQL: the durable position, or past it a keepalive's WAL end when nothing
   * received was waiting to be written (nothing before that end concerns us then).
   */
  private confirmed = 0n;
  private writesInFlight = 0;
  private readonly sleeper = new Sleeper();
  private stopping = false;
  private stream: ReplicationStream | null = null;
  private loop: Promise<void> = Promise.resolve();
  private backoffMs = INITIAL_RETRY_MS;
  private readonly upstreamName: string;

  constructor(
    private readonly env: ConnectorEnvironment, private readonly relationId: number, private readonly def: TableDef,
    private readonly table: TableState, private readonly o: CdcOptions,
  ) {
    const stored = env.store.sourcePositions(relationId).lsn;
    this.durable = stored === undefined ? null : parseLsn(stored);
    this.upstreamName = `${o.schema}.${o.table}`;
    this.health = new ConnectorHealth(env.log, 'postgres-cdc source', { relation: def.name },
      'postgres-cdc source waiting for PostgreSQL');
  }

  status(): ConnectorStatus {
    const at = this.durable !== null && this.durable > this.confirmed ? this.durable : this.confirmed;
    const lag = this.durable !== null && this.walEnd > at ? Number(this.walEnd - at) : 0;
    return {
      kind: 'source', state: this.health.state, lastError: this.health.lastError, position: this.durable === null ? null : lsnText(this.durable),
      lag, messages: this.messages, deadLetters: 0,
    };
  }

  start(): void {
    this.loop = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.stream?.close();
    await this.loop;
  }

  /** After DROP: the slot and publication Sluice named itself go (given ones are the user's to keep). */
  async dropped(): Promise<void> {
    const dropSlot = this.def.options.slot_name === undefined;
    const dropPublication = this.def.options.publication_name === undefined;
    if (!dropSlot && !dropPublication) return;
    try {
      const c = await connectUpstream(this.o);
      try {
        await dropSlotAndPublication(c, this.o, dropSlot, dropPublication);
      } finally {
        await c.end().catch(() => undefined);
      }
      this.env.log.info('postgres-cdc dropped its slot and publication', { relation: this.def.name, slot: this.o.slot });
    } catch (e) {
      this.env.log.warn('postgres-cdc could not drop its slot or publication upstream: drop them there', {
        relation: this.def.name, slot: this.o.slot, publication: this.o.publication, error: errorText(e),
      });
    }
  }

  /** Runs the source, reconnecting with backoff after each failure, until stopped or failed. Never rejects. */
  private async supervise(): Promise<void> {
    while (!this.stopping && !this.health.failed) {
      try {
        await this.runOnce();
      } catch (e) {
        if (this.stopping || this.health.failed) break;
        if (e instanceof SqlError || e instanceof SchemaChanged) {
          this.health.fail(e instanceof SqlError ? `${e.code}: ${e.message}` : e.message);
          break;
        }
        this.health.waiting(errorText(e), this.backoffMs);
        await this.sleeper.sleep(this.backoffMs);
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** One replication connection: resolves when stopped, rejects when PostgreSQL fails us or the data is wrong. */
  private async runOnce(): Promise<void> {
    const meta = await connectUpstream(this.o);
    let repl: Client | null = null;
    try {
      checkColumns(this.def.columns, await upstreamColumns(meta, this.o), this.upstreamName);
      await ensurePublication(meta, this.o);
      repl = await connectUpstream(this.o, true);
      if (this.durable === null) await this.snapshot(meta, repl);
    } catch (e) {
      await repl?.end().catch(() => undefined);
      throw e;
    } finally {
      await meta.end().catch(() => undefined);
    }
    if (this.stopping) return void (await repl.end().catch(() => undefined));
    await this.streamFrom(repl, this.durable!);
  }

  /**
   * Reads the snapshot in pieces and writes each as it comes, the LSN only with the last: a crash mid-snapshot leaves
   * no position, so the next start reads the snapshot again (and nothing was confirmed to PostgreSQL before the whole
   * snapshot is durable). Each FETCH and write is an await on I/O, so other sessions run between pieces.
   */
  private async snapshot(meta: Client, repl: Client): Promise<void> {
    const existing = await slotPosition(meta, this.o);
    const slot = existing === null ? await createSlot(repl, this.o) : { lsn: existing, snapshot: null };
    this.running();
    await this.clearUnconfirmedRows();
    const cols = this.def.columns;
    let rowsRead = 0;
    let complete = false;
    await readSnapshot(meta, this.o, cols.map((c) => c.name), slot.snapshot, SNAPSHOT_PIECE_ROWS, async (rows, last) => {
      if (this.stopping) return false;
      const values = rows.map((r) => r.map((t, j) => valueOf(cols[j], t)));
      await this.table.upsert(values, [], last ? { positions: { lsn: lsnText(slot.lsn) }, deadLetters: [] } : undefined);
      rowsRead += values.length;
      this.messages += values.length;
      complete = last;
      return true;
    });
    if (!complete) return;
    this.durable = slot.lsn;
    this.env.log.info('postgres-cdc snapshot stored', { relation: this.def.name, rows: rowsRead, lsn: lsnText(slot.lsn) });
  }

  /**
   * Rows a crashed snapshot left (no LSN is stored yet, so none of them is confirmed) go before the snapshot is read
   * again: a row deleted upstream meanwhile would otherwise survive whenever the slot cannot replay that delete (it
   * was dropped or invalidated and Sluice created a new one). Deleted in pieces, like the snapshot is written.
   */
  private async clearUnconfirmedRows(): Promise<void> {
    const rows = this.table.snapshot();
    if (rows.length === 0) return;
    this.env.log.info('postgres-cdc restarting an unfinished snapshot', { relation: this.def.name, rows: rows.length });
    for (let i = 0; i < rows.length && !this.stopping; i += SNAPSHOT_PIECE_ROWS) {
      await this.table.upsert([], rows.slice(i, i + SNAPSHOT_PIECE_ROWS));
    }
  }

  private async streamFrom(repl: Client, from: bigint): Promise<void> {
    const collector = new ChangeCollector(this.def, this.table, this.o);
    let writing: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    const stream = startReplication(repl, this.o, from, () => this.running(), (frame) => {
      if (frame.walEnd > this.walEnd) this.walEnd = frame.walEnd;
      if (frame.tag === 'keepalive') {
        if (frame.replyNow) this.confirm(stream, collector.idle && this.writesInFlight === 0 ? frame.walEnd : null);
      } else if (collector.take(frame.message)) {
        // One write at a time; transactions committed meanwhile join the next one.
        this.writesInFlight++;
        writing = writing.then(() => this.write(collector, stream)).catch((e) => {
          writeError ??= e;
          void stream.close();
        }).finally(() => this.writesInFlight--);
      }
    });
    this.stream = stream;
    const ticker = setInterval(() => this.confirm(stream, null), STATUS_INTERVAL_MS);
    try {
      await stream.ended;
    } catch (e) {
      if (!this.stopping) throw e;
    } finally {
      clearInterval(ticker);
      this.stream = null;
      await writing;
    }
    if (writeError !== null) throw writeError;
    if (!this.stopping) throw new Error('PostgreSQL ended the replication stream');
  }

  private async write(collector: ChangeCollector, stream: ReplicationStream): Promise<void> {
    const w = collector.drain();
    if (w === null || this.stopping) return;
    try {
      await this.table.upsert(w.upserts, w.deleteKeys, { positions: { lsn: lsnText(w.lsn) }, deadLetters: [] });
    } catch (e) {
      // The table's store refused the write: retrying cannot help, and the position stays where it was.
      this.health.fail(`postgres-cdc source of ${this.def.name} stopped: ${errorText(e)}`);
      throw e;
    }
    this.durable = w.lsn;
    this.messages += w.changes;
    this.confirm(stream, null);
  }

  /**
   * Only a durable position is ever confirmed (PostgreSQL may drop the WAL before it), or `idleEnd`: a keepalive's
   * WAL end when everything received is durable. Confirming that matters: at a fast shutdown PostgreSQL's walsender
   * waits for the client to confirm its last position, and would hold the shutdown up forever otherwise.
   */
  private confirm(stream: ReplicationStream, idleEnd: bigint | null): void {
    if (this.durable === null) return;
    const at = [this.durable, this.confirmed, idleEnd ?? 0n].reduce((a, b) => (b > a ? b : a));
    this.confirmed = at;
    try {
      stream.confirm(at);
    } catch {
      // The connection is going; the next one confirms.
    }
  }

  /** PostgreSQL answered: the source runs (again), and the next outage backs off from the start. */
  private running(): void {
    if (this.health.state !== 'waiting') return;
    this.health.running();
    this.backoffMs = INITIAL_RETRY_MS;
  }
}

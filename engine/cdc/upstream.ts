// The PostgreSQL end of a CDC source: its catalog (the table's columns), the publication and replication slot, the
// initial snapshot, and the replication stream (CopyBoth over node-postgres's replication connection). Our own small
// decoder (pgoutput.ts) reads the stream: pg already speaks the protocol, and no library is needed for the few
// messages a table's feed uses.

import { Client, type ClientConfig } from 'pg';
import { SqlError, SQLSTATE } from '../errors';
import type { CdcOptions } from './options';
import { decodeFrame, lsnText, parseLsn, type ReplicationFrame, standbyStatus } from './pgoutput';
import type { UpstreamColumn } from './types';

const CONNECT_TIMEOUT_MS = 10_000;

/** Text output that Sluice's parser reads back exactly, whatever the server's or role's defaults. */
const SESSION_SETTINGS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3';

export async function connectUpstream(o: CdcOptions, replication = false): Promise<Client> {
  const config: ClientConfig & { replication?: string } = {
    host: o.host, port: o.port, user: o.user, password: o.password, database: o.database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS, options: SESSION_SETTINGS,
    ...(replication ? { replication: 'database' } : {}),
  };
  const c = new Client(config);
  // A lost connection also rejects what is in flight; the event alone must not crash the process.
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(o: CdcOptions): string {
  return `${ident(o.schema)}.${ident(o.table)}`;
}

/** The table's live columns in order; 42P01 when it does not exist. */
export async function upstreamColumns(c: Client, o: CdcOptions): Promise<UpstreamColumn[]> {
  const res = await c.query<{ name: string; oid: number }>(
    `SELECT a.attname AS name, a.atttypid::int AS oid FROM pg_attribute a
       JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [o.schema, o.table]);
  if (res.rows.length === 0) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${o.schema}.${o.table}" does not exist upstream`);
  }
  return res.rows.map((r) => ({ name: r.name, typeOid: r.oid }));
}

/** Creates the publication of the table unless it exists; one that exists must publish the table. */
export async function ensurePublication(c: Client, o: CdcOptions): Promise<void> {
  const exists = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [o.publication]);
  if (exists.rows.length === 0) {
    await c.query(`CREATE PUBLICATION ${ident(o.publication)} FOR TABLE ${qualifiedName(o)}`);
    return;
  }
  const has = await c.query('SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3',
    [o.publication, o.schema, o.table]);
  if (has.rows.length === 0) throw new Error(`publication ${o.publication} does not publish ${o.schema}.${o.table}`);
}

/** The slot's confirmed position, or null when there is no such slot. */
export async function slotPosition(c: Client, o: CdcOptions): Promise<bigint | null> {
  const res = await c.query<{ lsn: string | null; plugin: string | null }>(
    'SELECT confirmed_flush_lsn::text AS lsn, plugin FROM pg_replication_slots WHERE slot_name = $1', [o.slot]);
  if (res.rows.length === 0) return null;
  const { lsn, plugin } = res.rows[0];
  if (plugin !== 'pgoutput' || lsn === null) throw new Error(`replication slot ${o.slot} is not a logical pgoutput slot`);
  return parseLsn(lsn);
}

/** Creates the slot on a replication connection; its snapshot stays importable until that connection's next command. */
export async function createSlot(repl: Client, o: CdcOptions): Promise<{ lsn: bigint; snapshot: string }> {
  const res = await repl.query(`CREATE_REPLICATION_SLOT ${ident(o.slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`);
  const row = res.rows[0] as { consistent_point: string; snapshot_name: string };
  return { lsn: parseLsn(row.consistent_point), snapshot: row.snapshot_name };
}

/**
 * Every row of the table as text, in pieces of `pieceRows` read through a server-side cursor in one REPEATABLE READ
 * transaction (in the slot's snapshot when given), so that only one piece is ever in memory. Each piece goes to
 * `onPiece` (with `last` set on the final one, which may be empty) before the next is fetched; `onPiece` returns
 * false to stop early.
 */
export async function readSnapshot(
  c: Client, o: CdcOptions, columns: readonly string[], snapshot: string | null, pieceRows: number,
  onPiece: (rows: (string | null)[][], last: boolean) => Promise<boolean>,
): Promise<void> {
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    if (snapshot !== null) await c.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
    const list = columns.map((n) => `${ident(n)}::text`).join(', ');
    await c.query(`DECLARE sluice_snapshot NO SCROLL CURSOR FOR SELECT ${list} FROM ${qualifiedName(o)}`);
    for (;;) {
      const res = await c.query({ text: `FETCH ${pieceRows} FROM sluice_snapshot`, rowMode: 'array' });
      const rows = res.rows as (string | null)[][];
      const last = rows.length < pieceRows;
      if (!(await onPiece(rows, last)) || last) return;
    }
  } finally {
    await c.query('COMMIT').catch(() => undefined);
  }
}

/** Internal parts of node-postgres's Client used for CopyBoth (not in its type declarations). */
interface CopyBothConnection {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  on(event: 'replicationStart', listener: () => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
}

export interface ReplicationStream {
  /** Resolves or rejects when the stream ends (the connection closed or failed). */
  readonly ended: Promise<void>;
  /** Tells the server everything up to `lsn` is durable (the slot may drop WAL before it). */
  confirm(lsn: bigint): void;
  close(): Promise<void>;
}

/**
 * Starts streaming the publication's changes after `from`; `onStarted` once the server accepted, then each frame goes
 * to `onFrame` in order.
 */
export function startReplication(
  repl: Client, o: CdcOptions, from: bigint, onStarted: () => void, onFrame: (f: ReplicationFrame) => void,
): ReplicationStream {
  const conn = (repl as unknown as { connection: CopyBothConnection }).connection;
  conn.on('replicationStart', onStarted);
  let frameError: unknown = null;
  conn.on('copyData', (msg) => {
    if (frameError !== null) return;
    try {
      onFrame(decodeFrame(msg.chunk));
    } catch (e) {
      frameError = e;
      void repl.end().catch(() => undefined);
    }
  });
  const options = `proto_version '1', publication_names '${ident(o.publication).replace(/'/g, "''")}'`;
  const ended = repl.query(`START_REPLICATION SLOT ${ident(o.slot)} LOGICAL ${lsnText(from)} (${options})`)
    .then(() => { if (frameError !== null) throw frameError; }, (e) => { throw frameError ?? e; });
  return {
    ended,
    confirm: (lsn) => conn.sendCopyFromChunk(standbyStatus(lsn)),
    close: () => repl.end().catch(() => undefined),
  };
}

const SLOT_RELEASE_MS = 10_000;

/**
 * Drops the slot and publication, waiting (up to 10 s) for the slot's last walsender to let go of it: one still
 * active cannot be dropped.
 */
export async function dropSlotAndPublication(c: Client, o: CdcOptions, dropSlot: boolean, dropPublication: boolean): Promise<void> {
  if (dropSlot) {
    const deadline = Date.now() + SLOT_RELEASE_MS;
    for (;;) {
      const res = await c.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [o.slot]);
      if (res.rows.length === 0) break;
      if (!res.rows[0].active || Date.now() > deadline) {
        await c.query('SELECT pg_drop_replication_slot($1)', [o.slot]);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (dropPublication) await c.query(`DROP PUBLICATION IF EXISTS ${ident(o.publication)}`);
}

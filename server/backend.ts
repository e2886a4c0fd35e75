// The contract between the wire protocol (server/protocol/) and everything that understands SQL. The protocol layer
// knows bytes, messages, formats and sessions; a Backend knows statements. Keeping this seam narrow lets the
// protocol be tested byte by byte and the SQL side be tested through any client.

import type { Value } from '../engine/types';

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly typeOid: number;
  /** pg_type.typlen: -1 for variable length. */
  readonly typeSize: number;
  /** atttypmod: -1 when none. */
  readonly typeModifier: number;
  /** OID of the relation the column comes from, 0 if computed. */
  readonly tableOid: number;
  /** Column number within that relation, 0 if computed. */
  readonly columnAttr: number;
}

/** What the backend may know and change of one connection. Created by the protocol layer at startup. */
export interface SessionState {
  readonly processId: number;
  readonly user: string;
  /** Logged in without a password (trust): a user with no role then acts as a superuser (server/auth/roles.ts). */
  readonly trusted?: boolean;
  /** The database name the client asked for; Sluice has one database, `sluice`. */
  readonly database: string;
  /** Session settings (SET / SHOW / RESET), lower-case names, including the startup parameters. */
  readonly settings: Map<string, string>;
  /** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
  transactionStatus: 'I' | 'T' | 'E';
  /** Sends a NoticeResponse to this session's client. */
  notice(message: string, detail?: string): void;
  /** Announces a changed reportable setting (ParameterStatus), e.g. after SET application_name. */
  parameterStatus(name: string, value: string): void;
}

export interface ExecContext {
  /** Aborted by a CancelRequest for this session; long work checks it and throws SqlError 57014. */
  readonly signal: AbortSignal;
}

export type StatementResult = CommandResult | RowsResult | RowStreamResult | CopyInResult | CopyOutResult;

/** A statement that returns no rows: CommandComplete with this tag ("CREATE STREAM", "INSERT 0 3", ...). */
export interface CommandResult {
  readonly kind: 'command';
  readonly tag: string;
}

/** Rows to send as DataRows, then CommandComplete with `tag`. Values follow engine/types.ts's canonical forms. */
export interface RowsResult {
  readonly kind: 'rows';
  readonly fields: readonly FieldDescription[];
  readonly rows: readonly (readonly Value[])[];
  /** Usually `SELECT n`; n counts the rows actually sent when a portal is executed in parts. */
  readonly tag: (rowsSent: number) => string;
}

/**
 * COPY ... FROM STDIN. The protocol layer sends CopyInResponse, then feeds every CopyData chunk to `write` and calls
 * `end` on CopyDone, or `abort` on CopyFail or a broken connection. Nothing is applied before `end` resolves: a
 * COPY is all or nothing, and `end` resolves only once the rows are durable.
 */
export interface CopyInResult {
  readonly kind: 'copy_in';
  readonly format: 'text' | 'csv' | 'json';
  readonly columnCount: number;
  /**
   * May throw or reject with SqlError (e.g. 22P02 for a value that does not parse); the COPY then fails as a whole.
   * A returned promise is awaited before the next message is read (backpressure).
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Returns the CommandComplete tag, "COPY n". */
  end(): Promise<string>;
  abort(reason: string): void;
  /** Into a stream fed over HTTP: the records its on_error left out (dead-lettered or skipped), once ended. */
  readonly rejected?: () => { readonly deadLettered: number; readonly skipped: number };
}

/**
 * Rows that keep coming (SUBSCRIBE): each group is sent as DataRows as it arrives, until the iterator ends, the
 * statement's signal aborts (57014) or `failed` rejects; then CommandComplete with `tag`.
 */
export interface RowStreamResult {
  readonly kind: 'row_stream';
  readonly fields: readonly FieldDescription[];
  readonly rows: AsyncIterable<readonly (readonly Value[])[]>;
  /** Rejects when the stream fails while the client is not reading (e.g. a subscriber too far behind). */
  readonly failed?: Promise<never>;
  readonly tag: (rowsSent: number) => string;
}

/**
 * COPY ... TO STDOUT, including COPY (SUBSCRIBE TO q) TO STDOUT, which never ends by itself: the protocol layer
 * sends each line (one row, already in COPY's text or csv format) as one CopyData until the iterator finishes, the
 * signal aborts or `failed` rejects. Groups of lines may be shared between sessions: they are never changed.
 */
export interface CopyOutResult {
  readonly kind: 'copy_out';
  readonly columnCount: number;
  readonly lines: AsyncIterable<readonly Uint8Array[]>;
  readonly failed?: Promise<never>;
  readonly tag: (rowsSent: number) => string;
}

/** One parsed statement, ready to be described and executed any number of times. */
export interface PreparedStatement {
  readonly sql: string;
  /** Resolved parameter types ($1..$n), as OIDs; an OID the client sent stays as sent. */
  readonly paramTypeOids: readonly number[];
  /** The columns it returns, or null when it returns none (NoData). */
  describe(session: SessionState): Promise<readonly FieldDescription[] | null>;
  execute(session: SessionState, params: readonly Value[], ctx: ExecContext): Promise<StatementResult>;
  /**
   * How this statement moves the transaction state, so the protocol layer can keep ReadyForQuery right and refuse
   * statements in a failed transaction (25P02) except the ones ending it.
   */
  readonly transaction: 'begin' | 'commit' | 'rollback' | null;
}

export interface Backend {
  /**
   * Splits `sql` into its statements and prepares each. Zero statements means an empty query.
   * `paramTypeOids` are the types the client declared in Parse (0 = unspecified). Throws SqlError.
   */
  prepare(sql: string, paramTypeOids: readonly number[], session: SessionState): Promise<PreparedStatement[]>;
  /** A connection ended: drop whatever the backend kept for it (open transaction, cursors). */
  sessionClosed(session: SessionState): void;
}

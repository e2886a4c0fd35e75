// What executing one planned statement takes and gives back. The server turns a result into protocol messages
// (RowDescription and DataRows, CommandComplete, the COPY sub-protocol); nothing here knows the protocol.

import type { Statement } from '../statement';
import type { Runtime } from '../runtime/runtime';
import type { Schema, Value } from '../types';
import type { EvalContext } from '../expr/context';
import type { TimeZone } from '../values/timezone';
import type { Transaction } from './transaction';
import type { Actor } from '../roles/role';

export type Of<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

export interface Execution {
  readonly runtime: Runtime;
  /** $1..$n, already in the statement's parameter types. */
  readonly params: readonly Value[];
  /** The session's TimeZone: timestamptz text without an offset reads there, and the statement computes there. */
  readonly zone: TimeZone;
  /** The open transaction block's, or null outside a block, where each statement commits by itself. */
  readonly transaction: Transaction | null;
  /** Tells the client something that is not an error (`relation "x" already exists, skipping`). */
  readonly notice: (message: string) => void;
  /** Aborted by a CancelRequest or the client hanging up: a pull query stops at its next slice with 57014. */
  readonly signal: AbortSignal;
  /** Who runs the statement: what it may do (ROLE statements now, GRANTed privileges later). */
  readonly actor: Actor;
  /** A setting's value as SET takes it (ALTER ROLE ... SET), or throws the SqlError SET would. */
  readonly checkSetting: (name: string, value: string) => { readonly name: string; readonly value: string };
}

export type ExecutionResult = CommandResult | RowsResult | CopyFromInput | RowStream | CopyToOutput;

/** A statement that returns no rows, with its command tag ("CREATE STREAM", "INSERT 0 3", ...). */
export interface CommandResult {
  readonly kind: 'command';
  readonly tag: string;
}

/** Rows of `schema`, in canonical Values (engine/types.ts); the tag is told how many rows were sent. */
export interface RowsResult {
  readonly kind: 'rows';
  readonly schema: Schema;
  readonly rows: readonly (readonly Value[])[];
  readonly tag: (rowsSent: number) => string;
}

/**
 * COPY ... FROM STDIN: where the client's data goes, chunk by chunk as it arrives. The engine decodes it
 * (engine/ingest CopyDecoder) and applies nothing until `end`, when every row goes in at once (or is held for COMMIT
 * inside a block); the server only speaks the COPY sub-protocol (server/execute/copy-in.ts).
 */
export interface CopyFromInput {
  readonly kind: 'copy_in';
  readonly format: 'csv' | 'text' | 'json';
  /** How many columns the data has. */
  readonly columnCount: number;
  /**
   * Throws (or rejects with) a SqlError at the first bad record; the COPY then fails as a whole. When it returns a
   * promise, the caller waits for it before the next chunk: that is how a staged COPY keeps its memory bounded.
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Resolves with how many rows went in. */
  end(): Promise<number>;
  abort(): void;
  /** Records left out under the stream's on_error (a COPY into a stream WITH (connector = 'http')), once ended. */
  readonly rejected?: () => RejectedRecords;
}

export interface RejectedRecords {
  readonly deadLettered: number;
  readonly skipped: number;
}

/**
 * Rows that keep coming (SUBSCRIBE): groups of rows of `schema`, each sent as it comes, until the statement's signal
 * aborts. The reader takes one group at a time, so how fast it sends is how fast the rows are read.
 */
export interface RowStream {
  readonly kind: 'row_stream';
  readonly schema: Schema;
  readonly rows: AsyncIterable<readonly (readonly Value[])[]>;
  /** Rejects when the stream fails while its client is not reading (a subscriber too far behind). */
  readonly failed: Promise<never>;
  readonly tag: (rowsSent: number) => string;
}

/**
 * COPY ... TO STDOUT: groups of data lines (engine/codecs/copy-out.ts), one line per row. Groups may be shared with
 * other statements (encoded once): the reader must not change them.
 */
export interface CopyToOutput {
  readonly kind: 'copy_out';
  readonly columnCount: number;
  readonly lines: AsyncIterable<readonly Uint8Array[]>;
  /** Rejects when the output fails while its client is not reading (a subscriber too far behind); absent when it cannot. */
  readonly failed?: Promise<never>;
  readonly tag: (rowsSent: number) => string;
}

/** What the statement's expressions read: its parameters, now(), the session's zone. */
export function statementContext(x: Execution): EvalContext {
  return { params: x.params, nowMicros: Date.now() * 1000, zone: x.zone };
}

export const command = (tag: string): CommandResult => ({ kind: 'command', tag });

// What executing one planned statement takes and gives back. The server turns a result into protocol messages
// (RowDescription and DataRows, CommandComplete, the COPY sub-protocol); nothing here knows the protocol.

import type { Statement } from '../statement';
import type { Runtime } from '../runtime/runtime';
import type { Field, Schema, Value } from '../types';
import type { Transaction } from './transaction';

export type Of<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

export interface Execution {
  readonly runtime: Runtime;
  /** $1..$n, already in the statement's parameter types. */
  readonly params: readonly Value[];
  /** The open transaction block's, or null outside a block, where each statement commits by itself. */
  readonly transaction: Transaction | null;
  /** Tells the client something that is not an error (`relation "x" already exists, skipping`). */
  readonly notice: (message: string) => void;
}

export type ExecutionResult = CommandResult | RowsResult | CopyFromInput;

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
 * COPY ... FROM STDIN: where the client's data goes. The server reads the data (server/execute/copy-in.ts, which
 * takes this object as its target) and calls `insert` once, with every row, when the client ends it.
 */
export interface CopyFromInput {
  readonly kind: 'copy_in';
  readonly name: string;
  /** All columns of the target, in order. */
  readonly columns: readonly Field[];
  /** Indexes into `columns`, in the order the data has them. */
  readonly dataColumns: readonly number[];
  readonly format: 'csv' | 'text';
  readonly header: boolean;
  readonly delimiter: string;
  readonly nullString: string;
  /** Writes the rows (or holds them for COMMIT inside a block); resolves with how many went in. */
  insert(rows: Value[][]): Promise<number>;
}

export const command = (tag: string): CommandResult => ({ kind: 'command', tag });

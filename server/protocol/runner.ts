// Running one statement for either query protocol: the failed-transaction check, the cancelable window, the
// transaction state that follows, sending results, and turning errors into ErrorResponses.

import type { PreparedStatement, StatementResult } from '../backend';
import type { Value } from '../../engine/types';
import type { Logger } from '../log';
import { SqlError, SQLSTATE, isBug, toSqlError } from '../../engine/errors';
import type { Channel } from './channel';
import type { ProtocolSession } from './session';
import { ClientGone } from './errors';
import { commandComplete, dataRow, errorOrNotice } from './messages-out';
import type { ValueEncoder } from './values';

/** What the connection keeps that statements can end: portals (at transaction end) and prepared statements. */
export interface RunnerHooks {
  transactionEnded(): void;
  discardAll(): void;
}

/** Bytes of DataRows written before waiting for a slow client to read them. */
const DRAIN_EVERY_BYTES = 256 * 1024;

export function endsTransaction(stmt: PreparedStatement | null): boolean {
  return stmt !== null && (stmt.transaction === 'commit' || stmt.transaction === 'rollback');
}

export class StatementRunner {
  constructor(
    private readonly channel: Channel,
    private readonly session: ProtocolSession,
    private readonly log: Logger,
    private readonly hooks: RunnerHooks,
  ) {}

  /** In a failed transaction block only COMMIT and ROLLBACK may run. */
  refuseIfAborted(stmt: PreparedStatement | null): void {
    if (this.session.transactionStatus === 'E' && !endsTransaction(stmt)) {
      throw new SqlError(
        SQLSTATE.in_failed_sql_transaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
  }

  /**
   * Executes `stmt` and lets `respond` send its result while the statement still counts as running, so a
   * CancelRequest reaches long COPY TO streams too. The transaction state moves only on success.
   */
  async run(
    stmt: PreparedStatement,
    params: readonly Value[],
    respond: (result: StatementResult, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    this.refuseIfAborted(stmt);
    const signal = this.session.startStatement();
    try {
      const result = await stmt.execute(this.session, params, { signal });
      await respond(result, signal);
    } finally {
      this.session.finished();
    }
    const status = this.session.transactionStatus;
    if (stmt.transaction === 'begin' && status === 'I') this.session.transactionStatus = 'T';
    if (endsTransaction(stmt)) {
      this.session.transactionStatus = 'I';
      this.hooks.transactionEnded();
    }
  }

  commandComplete(tag: string): void {
    this.channel.write(commandComplete(tag));
    if (tag === 'DISCARD ALL' || tag === 'DEALLOCATE ALL') this.hooks.discardAll();
  }

  /** DataRows for rows[from, to), pausing while the client is behind. */
  async sendRows(rows: readonly (readonly Value[])[], from: number, to: number, encoders: readonly ValueEncoder[]): Promise<void> {
    let bytes = 0;
    for (let i = from; i < to; i++) {
      const row = rows[i];
      const message = dataRow(encoders.map((encode, c) => (row[c] === null || row[c] === undefined ? null : encode(row[c]!))));
      this.channel.write(message);
      bytes += message.length;
      if (bytes >= DRAIN_EVERY_BYTES) {
        bytes = 0;
        await this.channel.drain();
        if (this.channel.isClosed) throw new ClientGone();
      }
    }
  }

  /**
   * Sends an ErrorResponse for anything a statement threw. Anything without a SQLSTATE is a bug: the client sees XX000 and the
   * log gets the stack. FATAL errors and a vanished client are rethrown: they end the connection.
   */
  reportError(e: unknown): void {
    if (e instanceof ClientGone) throw e;
    const error = toSqlError(e);
    if (isBug(e)) this.log.error('internal error (a bug)', { error: e });
    if (error.severity !== 'ERROR') throw error;
    this.channel.write(
      errorOrNotice('E', {
        severity: 'ERROR',
        code: error.code,
        message: error.message,
        detail: error.detail,
        hint: error.hint,
        position: error.position,
      }),
    );
    if (this.session.transactionStatus === 'T') this.session.transactionStatus = 'E';
  }
}

// Each session's open transaction block, as an engine Transaction (engine/execute/transaction.ts holds the block's
// writes and commits them). The protocol layer tracks the block's state ('I', 'T', 'E') from BEGIN, COMMIT and
// ROLLBACK; this class begins the engine's transaction on the block's first statement and ends it with the block.

import type { Runtime } from '../../engine/runtime/runtime';
import { Transaction } from '../../engine/execute/transaction';
import type { PreparedStatement, SessionState } from '../backend';

export class SessionTransactions {
  private readonly open = new Map<SessionState, Transaction>();

  constructor(private readonly runtime: Runtime) {}

  /** The transaction of the session's open block, begun on first use; null outside a block. */
  of(session: SessionState): Transaction | null {
    if (session.transactionStatus === 'I') return null;
    let transaction = this.open.get(session);
    if (!transaction) this.open.set(session, (transaction = new Transaction(this.runtime)));
    return transaction;
  }

  /** Drops the session's block and what it held (ROLLBACK, a closed connection). */
  discard(session: SessionState): void {
    this.open.get(session)?.rollback();
    this.open.delete(session);
  }

  /** Wraps COMMIT and ROLLBACK so that they commit or drop the block's writes first. */
  wrap(statement: PreparedStatement): PreparedStatement {
    if (statement.transaction === 'rollback') {
      return { ...statement, execute: async (session, params, ctx) => {
        this.discard(session);
        return statement.execute(session, params, ctx);
      } };
    }
    if (statement.transaction === 'commit') {
      return { ...statement, execute: async (session, params, ctx) => {
        const transaction = this.open.get(session);
        this.open.delete(session);
        // A failed block ('E') commits nothing: COMMIT rolls it back, as in PostgreSQL.
        if (transaction && session.transactionStatus === 'T') {
          try {
            await transaction.commit();
          } catch (e) {
            // As in PostgreSQL, a COMMIT that fails ends the block: nothing of it was applied.
            session.transactionStatus = 'I';
            throw e;
          }
        }
        return statement.execute(session, params, ctx);
      } };
    }
    return statement;
  }
}

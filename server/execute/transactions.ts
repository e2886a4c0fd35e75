// Transaction blocks. Inside BEGIN ... COMMIT, INSERT and COPY rows are checked when the statement runs but held
// by the session; COMMIT applies them, ROLLBACK (or a closed connection) drops them. All the appends of one COMMIT
// go to storage as one atomic LevelDB write. Statements that
// change the catalog or rewrite table rows cannot run inside a block (25001), as in Materialize: Sluice has no way
// to undo them on ROLLBACK, and running them outside the transaction would surprise.
//
// A SELECT inside a block reads committed data: it does not see the block's own pending rows.

import type { RecordBatch } from 'apache-arrow';
import type { Runtime } from '../../engine/runtime/runtime';
import type { RelationWrite } from '../../engine/runtime/commit';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { PreparedStatement, SessionState } from '../backend';

export class PendingWrites {
  private readonly bySession = new Map<SessionState, RelationWrite[]>();

  /** True when `session` is inside a transaction block, where writes wait for COMMIT. */
  inBlock(session: SessionState): boolean {
    return session.transactionStatus !== 'I';
  }

  hold(session: SessionState, relation: string, batch: RecordBatch): void {
    let held = this.bySession.get(session);
    if (!held) this.bySession.set(session, (held = []));
    held.push({ relation, batch });
  }

  discard(session: SessionState): void {
    this.bySession.delete(session);
  }

  /** Applies the session's held rows in one atomic write: the block's writes become durable together or not at all. */
  async apply(session: SessionState, runtime: Runtime): Promise<void> {
    const held = this.bySession.get(session);
    this.bySession.delete(session);
    if (!held || session.transactionStatus === 'E') return;
    await runtime.commitWrites(held);
  }

  /** Wraps COMMIT and ROLLBACK so that they apply or drop the held rows first. */
  wrap(statement: PreparedStatement, runtime: Runtime): PreparedStatement {
    if (statement.transaction === 'rollback') {
      return { ...statement, execute: async (session, params, ctx) => {
        this.discard(session);
        return statement.execute(session, params, ctx);
      } };
    }
    if (statement.transaction === 'commit') {
      return { ...statement, execute: async (session, params, ctx) => {
        try {
          await this.apply(session, runtime);
        } catch (e) {
          // As in PostgreSQL, a COMMIT that fails ends the block: nothing of it was applied.
          session.transactionStatus = 'I';
          throw e;
        }
        return statement.execute(session, params, ctx);
      } };
    }
    return statement;
  }
}

/** For statements that cannot be part of a transaction block. */
export function refuseInBlock(session: SessionState, what: string): void {
  if (session.transactionStatus === 'I') return;
  throw new SqlError(SQLSTATE.active_sql_transaction, `${what} cannot run inside a transaction block`, {
    hint: 'Run it outside BEGIN ... COMMIT; inside a block Sluice accepts SELECT, INSERT and COPY.',
  });
}

// Every session's open cursors, by name, and their lifetimes as PostgreSQL has them: a cursor ends with the
// transaction that declared it, except one declared WITH HOLD whose transaction commits, which lives until CLOSE or
// the session's end. What a cursor holds (rows, a subscription) is let go when it ends.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { PreparedStatement, SessionState } from '../backend';
import type { Cursor } from './cursor';
import type { CursorMemory } from './memory';

export class SessionCursors {
  private readonly bySession = new Map<SessionState, Map<string, Cursor>>();

  /** `memory`: what the rows of all cursors take, which their row sources account in. */
  constructor(readonly memory: CursorMemory) {}

  find(session: SessionState, name: string): Cursor | undefined {
    return this.bySession.get(session)?.get(name);
  }

  /** The open cursor `name`, or 34000. */
  get(session: SessionState, name: string): Cursor {
    const cursor = this.find(session, name);
    if (cursor === undefined) throw new SqlError(SQLSTATE.invalid_cursor_name, `cursor "${name}" does not exist`);
    return cursor;
  }

  /** Refuses a name in use (42P03) before the cursor's query runs. */
  checkNameFree(session: SessionState, name: string): void {
    if (this.find(session, name) !== undefined) {
      throw new SqlError(SQLSTATE.duplicate_cursor, `cursor "${name}" already exists`);
    }
  }

  /** Opens `cursor` (whose name may have been taken meanwhile: it is then closed, never opened). */
  add(session: SessionState, cursor: Cursor): void {
    try {
      this.checkNameFree(session, cursor.name);
    } catch (e) {
      cursor.close();
      throw e;
    }
    let cursors = this.bySession.get(session);
    if (cursors === undefined) this.bySession.set(session, (cursors = new Map()));
    cursors.set(cursor.name, cursor);
  }

  close(session: SessionState, name: string): void {
    this.end(session, this.get(session, name));
  }

  /** CLOSE ALL, DISCARD ALL, the session's end. */
  closeAll(session: SessionState): void {
    for (const cursor of [...(this.bySession.get(session)?.values() ?? [])]) this.end(session, cursor);
    this.bySession.delete(session);
  }

  /** A transaction block ended: its cursors end, but WITH HOLD ones of a committed block live on. */
  transactionEnded(session: SessionState, outcome: 'commit' | 'rollback'): void {
    for (const cursor of [...(this.bySession.get(session)?.values() ?? [])]) {
      if (cursor.committedHold) continue;
      if (outcome === 'commit' && cursor.withHold) cursor.committedHold = true;
      else this.end(session, cursor);
    }
  }

  /**
   * Wraps COMMIT, ROLLBACK and DISCARD ALL so that they end the session's cursors too. A COMMIT that fails, or
   * that ends a failed block, rolls back, and so closes even the WITH HOLD cursors the block declared.
   */
  wrap(statement: PreparedStatement): PreparedStatement {
    return {
      ...statement,
      execute: async (session, params, ctx) => {
        const committing = statement.transaction === 'commit' && session.transactionStatus === 'T';
        const inBlock = session.transactionStatus !== 'I';
        let succeeded = false;
        try {
          const result = await statement.execute(session, params, ctx);
          succeeded = true;
          if (result.kind === 'command' && result.tag === 'DISCARD ALL') this.closeAll(session);
          return result;
        } finally {
          if (inBlock && statement.transaction !== null && statement.transaction !== 'begin') {
            this.transactionEnded(session, committing && succeeded ? 'commit' : 'rollback');
          }
        }
      },
    };
  }

  private end(session: SessionState, cursor: Cursor): void {
    cursor.close();
    this.bySession.get(session)?.delete(cursor.name);
  }
}

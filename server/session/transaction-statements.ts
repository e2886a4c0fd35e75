// BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT. Sluice has no multi-statement transactions over data
// yet: a block groups statements for clients (and restores settings on ROLLBACK); the protocol layer tracks its
// state ('I', 'T', 'E') from PreparedStatement.transaction.

import type { PreparedStatement, SessionState } from '../backend';
import { isWord } from '../../planner/parse/lexer';
import type { TokenCursor } from './token-cursor';
import { commandStatement } from './prepared';
import { beginSettingsTransaction, endSettingsTransaction } from './session-settings';
import { applyTransactionModes, parseTransactionModes } from './transaction-modes';

export function parseBegin(sql: string, c: TokenCursor): PreparedStatement | null {
  let tag = 'BEGIN';
  if (c.acceptWords('start', 'transaction')) tag = 'START TRANSACTION';
  else if (isWord(c.peek(), 'start')) return null;
  else {
    c.next(); // BEGIN
    if (!c.acceptWords('work')) c.acceptWords('transaction');
  }
  const modes = parseTransactionModes(c);
  if (modes === null) return null;
  return commandStatement(
    sql,
    tag,
    (session) => {
      if (session.transactionStatus !== 'I') {
        session.notice('there is already a transaction in progress');
        return;
      }
      beginSettingsTransaction(session);
      applyTransactionModes(session, modes, 'transaction');
    },
    'begin',
  );
}

/** COMMIT [WORK | TRANSACTION] [AND NO CHAIN]; AND CHAIN is not supported. */
function endOfBlock(c: TokenCursor): boolean {
  c.next();
  if (!c.acceptWords('work')) c.acceptWords('transaction');
  c.acceptWords('and', 'no', 'chain');
  return c.done;
}

function finish(session: SessionState, outcome: 'commit' | 'rollback'): void {
  if (session.transactionStatus === 'I') {
    session.notice('there is no transaction in progress');
    return;
  }
  endSettingsTransaction(session, session.transactionStatus === 'E' ? 'rollback' : outcome);
}

export function parseCommit(sql: string, c: TokenCursor): PreparedStatement | null {
  if (!endOfBlock(c)) return null;
  // COMMIT of a failed block rolls it back and says so, as PostgreSQL does.
  const tag = (session: SessionState): string => (session.transactionStatus === 'E' ? 'ROLLBACK' : 'COMMIT');
  return commandStatement(sql, tag, (session) => finish(session, 'commit'), 'commit');
}

export function parseRollback(sql: string, c: TokenCursor): PreparedStatement | null {
  if (!endOfBlock(c)) return null;
  return commandStatement(sql, 'ROLLBACK', (session) => finish(session, 'rollback'), 'rollback');
}

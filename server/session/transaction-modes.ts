// Transaction modes, shared by BEGIN / START TRANSACTION, SET TRANSACTION and SET SESSION CHARACTERISTICS:
// ISOLATION LEVEL {SERIALIZABLE | REPEATABLE READ | READ COMMITTED | READ UNCOMMITTED}, READ {ONLY | WRITE},
// [NOT] DEFERRABLE, optionally separated by commas. Sluice records them (SHOW transaction_isolation); it runs every
// statement the same way whatever the level.

import type { SessionState } from '../backend';
import type { TokenCursor } from './token-cursor';
import { setSetting } from './session-settings';

export interface TransactionModes {
  readonly isolation?: string;
  readonly readOnly?: 'on' | 'off';
  readonly deferrable?: 'on' | 'off';
}

export function parseTransactionModes(c: TokenCursor): TransactionModes | null {
  let modes: TransactionModes = {};
  let first = true;
  while (!c.done) {
    if (!first) c.acceptOp(',');
    first = false;
    if (c.acceptWords('isolation', 'level')) {
      let isolation: string | undefined;
      if (c.acceptWords('serializable')) isolation = 'serializable';
      else if (c.acceptWords('repeatable', 'read')) isolation = 'repeatable read';
      else if (c.acceptWords('read', 'committed')) isolation = 'read committed';
      else if (c.acceptWords('read', 'uncommitted')) isolation = 'read uncommitted';
      else return null;
      modes = { ...modes, isolation };
    } else if (c.acceptWords('read', 'only')) modes = { ...modes, readOnly: 'on' };
    else if (c.acceptWords('read', 'write')) modes = { ...modes, readOnly: 'off' };
    else if (c.acceptWords('deferrable')) modes = { ...modes, deferrable: 'on' };
    else if (c.acceptWords('not', 'deferrable')) modes = { ...modes, deferrable: 'off' };
    else return null;
  }
  return modes;
}

/** 'transaction' sets the current block's characteristics; 'default' those of transactions to come. */
export function applyTransactionModes(session: SessionState, modes: TransactionModes, which: 'transaction' | 'default'): void {
  const prefix = which === 'default' ? 'default_' : '';
  const scope = which === 'default' ? 'session' : 'local';
  if (modes.isolation !== undefined) setSetting(session, `${prefix}transaction_isolation`, modes.isolation, scope);
  if (modes.readOnly !== undefined) setSetting(session, `${prefix}transaction_read_only`, modes.readOnly, scope);
  if (modes.deferrable !== undefined) setSetting(session, `${prefix}transaction_deferrable`, modes.deferrable, scope);
}

// SELECT [pg_catalog.]set_config('name', 'value', is_local), which pg_dump and some drivers send instead of SET
// (pg_dump: set_config('search_path', '', false)). It changes the client's own session, as in PostgreSQL; were it a
// catalog statement it would change the catalog mirror's session, which catalog statements may not (its function
// allowlist refuses set_config there). Returns the setting's new value, as PostgreSQL does.

import type { PreparedStatement } from '../backend';
import type { TokenCursor } from './token-cursor';
import { rowsStatement, textField } from './prepared';
import { setSetting } from './session-settings';

export function parseSetConfig(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // SELECT
  c.acceptWords('pg_catalog') && c.acceptOp('.');
  if (!c.acceptWords('set_config') || !c.acceptOp('(')) return null;
  const name = c.next();
  if (name?.kind !== 'string' || !c.acceptOp(',')) return null;
  const value = c.next();
  if (value?.kind !== 'string' || !c.acceptOp(',')) return null;
  const local = c.acceptWords('true') ? true : c.acceptWords('false') ? false : null;
  if (local === null || !c.acceptOp(')') || !c.done) return null;
  return rowsStatement(sql, () => [textField('set_config')], async (session) => {
    setSetting(session, name.value, value.value, local ? 'local' : 'session');
    return [[session.settings.get(name.value.toLowerCase()) ?? value.value]];
  }, (n) => `SELECT ${n}`);
}

// SELECT [pg_catalog.]set_config('name', 'value', is_local), which pg_dump and some drivers send instead of SET, and
// pg_dump 17's form SELECT set_config(name, 'value', false) FROM pg_settings WHERE name = 'x', which sets x only where
// the server has it. Both change the client's own session, as in PostgreSQL; as catalog statements they would change
// the catalog mirror's session, which catalog statements may not (its function allowlist refuses set_config there).
// Returns the setting's new value, as PostgreSQL does; the pg_settings form returns no row for a setting Sluice lacks.

import type { PreparedStatement, SessionState } from '../backend';
import type { Token } from '../../planner/parse/lexer';
import type { TokenCursor } from './token-cursor';
import { rowsStatement, textField } from './prepared';
import { setSetting } from './session-settings';
import { findSetting } from './settings';

export function parseSetConfig(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // SELECT
  c.acceptWords('pg_catalog') && c.acceptOp('.');
  if (!c.acceptWords('set_config') || !c.acceptOp('(')) return null;
  const name = c.next();
  const fromSettings = name?.kind === 'word' && name.value === 'name';
  if ((name?.kind !== 'string' && !fromSettings) || !c.acceptOp(',')) return null;
  const value = c.next();
  if (value?.kind !== 'string' || !c.acceptOp(',')) return null;
  const local = c.acceptWords('true') ? true : c.acceptWords('false') ? false : null;
  if (local === null || !c.acceptOp(')')) return null;
  const settingName = fromSettings ? settingsRowName(c) : name;
  if (settingName === null || !c.done) return null;
  const set = (session: SessionState): string => {
    setSetting(session, settingName.value, value.value, local ? 'local' : 'session');
    return session.settings.get(settingName.value.toLowerCase()) ?? value.value;
  };
  return rowsStatement(sql, () => [textField('set_config')], async (session) => {
    if (fromSettings && findSetting(settingName.value) === undefined) return [];
    return [[set(session)]];
  }, (n) => `SELECT ${n}`);
}

/** FROM [pg_catalog.]pg_settings WHERE name = 'x': the string 'x'. */
function settingsRowName(c: TokenCursor): Token | null {
  if (!c.acceptWords('from')) return null;
  c.acceptWords('pg_catalog') && c.acceptOp('.');
  if (!c.acceptWords('pg_settings', 'where', 'name') || !c.acceptOp('=')) return null;
  const name = c.next();
  return name?.kind === 'string' ? name : null;
}

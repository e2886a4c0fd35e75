// SHOW name | SHOW ALL | SHOW TIME ZONE | SHOW TRANSACTION ISOLATION LEVEL | SHOW SESSION AUTHORIZATION.
// Sluice's own SHOW forms (SHOW STREAMS, SHOW CONTINUOUS QUERIES, ...) are left to the planner.

import type { PreparedStatement, SessionState } from '../backend';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { TokenCursor } from './token-cursor';
import { failingStatement, rowsStatement, textField } from './prepared';
import { findSetting } from './settings';
import { allSettings } from './session-settings';
import { parseName } from './set-statements';

/** First words of SHOW statements that are about Sluice's objects, not session settings. */
const SLUICE_SHOW_WORDS = new Set([
  'streams', 'tables', 'sinks', 'sources', 'continuous', 'queries', 'views', 'materialized', 'checkpoints', 'columns',
  'create', 'functions', 'topics', 'connectors', 'jobs', 'databases', 'schemas', 'pipelines', 'watermarks', 'epochs',
  'subscriptions', 'dead_letters', 'indexes', 'users',
]);

const showTag = (): string => 'SHOW';

/** Outside a block the transaction characteristics are the defaults of the next transaction. */
function currentValue(session: SessionState, key: string): string | undefined {
  if (session.transactionStatus === 'I' && ['transaction_isolation', 'transaction_read_only', 'transaction_deferrable'].includes(key)) {
    return session.settings.get(`default_${key}`);
  }
  return session.settings.get(key);
}

function showOne(sql: string, name: string): PreparedStatement {
  const key = name.toLowerCase();
  const spec = findSetting(key);
  const column = spec?.name ?? key;
  const unknown = (): SqlError => new SqlError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`);
  return rowsStatement(
    sql,
    (session) => {
      if (spec === undefined && !session.settings.has(key)) throw unknown();
      return [textField(column)];
    },
    async (session) => {
      const value = currentValue(session, key) ?? spec?.defaultValue;
      if (value === undefined) throw unknown();
      return [[value]];
    },
    showTag,
  );
}

export function parseShow(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // SHOW
  if (c.acceptWords('all')) {
    if (!c.done) return null;
    return rowsStatement(
      sql,
      () => [textField('name'), textField('setting'), textField('description')],
      async (session) => allSettings(session),
      showTag,
    );
  }
  if (c.acceptWords('time', 'zone')) return c.done ? showOne(sql, 'TimeZone') : null;
  if (c.acceptWords('transaction', 'isolation', 'level')) return c.done ? showOne(sql, 'transaction_isolation') : null;
  if (c.acceptWords('session', 'authorization')) return c.done ? showOne(sql, 'session_authorization') : null;
  const first = c.peek();
  const name = parseName(c);
  if (name === null || !c.done) return null;
  if (findSetting(name) === undefined && !name.includes('.')) {
    if (first?.kind === 'word' && SLUICE_SHOW_WORDS.has(first.value)) return null;
    return failingStatement(sql, () => new SqlError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`));
  }
  return showOne(sql, name);
}

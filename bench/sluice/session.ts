// Running statements on a Backend without a socket: the session object the protocol layer would otherwise make.

import type { Backend, SessionState, StatementResult } from '../../server/backend';
import type { Value } from '../../engine/types';

export function benchSession(): SessionState {
  return {
    processId: process.pid,
    user: 'bench',
    database: 'sluice',
    settings: new Map([['application_name', 'sluice-bench']]),
    transactionStatus: 'I',
    notice: () => undefined,
    parameterStatus: () => undefined,
    // In process, no login: trusted, so a superuser as a trust-mode login is (docs/security.md).
    trusted: true,
  };
}

/** Runs every statement of `sql` in turn; returns the last one's result. */
export async function execute(backend: Backend, session: SessionState, sql: string): Promise<StatementResult | null> {
  const ctx = { signal: new AbortController().signal };
  let last: StatementResult | null = null;
  for (const statement of await backend.prepare(sql, [], session)) {
    last = await statement.execute(session, [], ctx);
  }
  return last;
}

export function rowsOf(result: StatementResult | null): Value[][] {
  return result?.kind === 'rows' ? result.rows.map((r) => [...r]) : [];
}

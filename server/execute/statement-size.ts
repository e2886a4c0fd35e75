// The statement size limit: SQL text past it is refused with 54000 before any of it is lexed or parsed. PostgreSQL
// accepts up to its 1 GB message limit, but parsing and planning cost memory many times the text's size, and on a
// small server one client's 500 MB statement would starve everyone; a client with that much data has COPY. The
// limit stays below the protocol's per-message limit (server/protocol/server.ts), so the clear 54000, not a broken
// connection, is what a statement just over it gets.

import { SqlError, SQLSTATE } from '../../engine/errors';

export const DEFAULT_MAX_STATEMENT_MB = 16;

/** Throws 54000 when `sql` (one Query or Parse message's text, or one HTTP SQL request) exceeds `maxBytes` in UTF-8. */
export function checkStatementSize(sql: string, maxBytes: number): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most texts are cleared without being measured.
  if (sql.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes <= maxBytes) return;
  throw new SqlError(SQLSTATE.program_limit_exceeded, `statement of ${bytes} bytes exceeds the maximum of ${maxBytes} bytes`, {
    hint: 'Send the statement in smaller parts, or load data with COPY. The limit is set with --max-statement-size.',
  });
}

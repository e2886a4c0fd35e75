// Small, token-exact rewrites that let clients written for PostgreSQL 15 run against the mirror, which is
// PostgreSQL 18 (PGlite 0.5):
//  - columns renamed since 15: pg_database.daticulocale → datlocale, pg_collation.colliculocale → colllocale
//    (psql 15's \l reads daticulocale);
//  - calls whose answer Sluice knows better than the mirror go to functions in the hidden schema pg_sluice:
//    pg_get_viewdef (the continuous query's SELECT rather than the placeholder body), version() and
//    current_setting('server_version' | 'server_version_num') (Sluice's PostgreSQL-15-compatible version).
// Built-in functions cannot be replaced in place (the executor calls them by OID), so the call sites are rewritten.
// The result keeps the called function's name, so unnamed result columns keep PostgreSQL's names.
// Error positions reported against the rewritten text are mapped back to the client's text.

import { isName, isOp, type Token } from '../../planner/parse/lexer';

/** The hidden schema (pg_* schemas are hidden by psql and most tools) holding Sluice's replacement functions. */
export const SHIM_SCHEMA = 'pg_sluice';

const RENAMED_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['daticulocale', 'datlocale'],
  ['colliculocale', 'colllocale'],
]);

const SHIMMED_FUNCTIONS: ReadonlySet<string> = new Set(['pg_get_viewdef', 'version', 'current_setting']);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

export interface RewrittenSql {
  readonly text: string;
  /** Maps a 1-based character position in `text` back to the original statement. */
  originalPosition(position: number): number;
}

export function rewriteForMirror(sql: string, tokens: readonly Token[]): RewrittenSql {
  const edits: Edit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'word') continue;
    const renamed = RENAMED_COLUMNS.get(t.value);
    if (renamed !== undefined) {
      edits.push({ start: t.start, end: t.end, replacement: renamed });
      continue;
    }
    if (!SHIMMED_FUNCTIONS.has(t.value) || !isOp(tokens[k + 1], '(')) continue;
    const prev = tokens[k - 1];
    if (isOp(prev, '.')) {
      // Only pg_catalog.f(...) is the built-in; other.f(...) is left alone.
      const schema = tokens[k - 2];
      if (schema !== undefined && isName(schema, 'pg_catalog')) {
        edits.push({ start: schema.start, end: schema.end, replacement: SHIM_SCHEMA });
      }
      continue;
    }
    edits.push({ start: t.start, end: t.start, replacement: `${SHIM_SCHEMA}.` });
  }
  return applyEdits(sql, edits);
}

function applyEdits(sql: string, edits: readonly Edit[]): RewrittenSql {
  if (edits.length === 0) return { text: sql, originalPosition: (p) => p };
  let text = '';
  let at = 0;
  for (const e of edits) {
    text += sql.slice(at, e.start) + e.replacement;
    at = e.end;
  }
  text += sql.slice(at);
  return {
    text,
    originalPosition(position: number): number {
      // Walk the edits in order, undoing each one's change of length for positions past it.
      let shift = 0;
      const p0 = position - 1;
      for (const e of edits) {
        const newStart = e.start + shift;
        const newEnd = newStart + e.replacement.length;
        if (p0 < newStart) break;
        if (p0 < newEnd) return e.start + 1;
        shift += e.replacement.length - (e.end - e.start);
      }
      return p0 - shift + 1;
    },
  };
}

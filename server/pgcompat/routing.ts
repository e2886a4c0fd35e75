// The routing rule: which statements go to the catalog mirror rather than to Sluice's planner. A statement is a
// catalog statement when it reads pg_catalog or information_schema (qualified, or a pg_* catalog relation named
// bare), calls a catalog function (pg_*(...), format_type, has_*_privilege, obj_description, to_regclass, ...) or
// casts to a reg* type. Sluice's own statements (SELECTs from user objects or sluice.* views, streaming DDL, INSERT,
// COPY, SET, SUBSCRIBE ...) never match, and a user relation that happens to be named like a catalog relation
// (a stream called pg_events, say) stays Sluice's.

import { CATALOG_FUNCTION_PATTERN, CATALOG_FUNCTIONS, CATALOG_RELATIONS, REG_TYPES } from './catalog-names';
import { isName, isOp, tokenize, type Token } from '../../planner/parse/lexer';

/** Statements that only read: these may run in the mirror. */
const READ_VERBS = new Set(['select', 'with', 'values', 'table', 'explain']);

/** Statements that write: they are catalog statements only when their target is a catalog relation. */
const WRITE_VERBS = new Set([
  'insert', 'update', 'delete', 'merge', 'truncate', 'create', 'alter', 'drop', 'comment', 'grant', 'revoke',
  'lock', 'vacuum', 'analyze', 'analyse', 'reindex', 'cluster', 'refresh', 'security', 'import', 'reassign',
]);

/** Where the target part of a write statement ends and its query part begins. */
const QUERY_START = new Set(['select', 'as', 'values']);

export type CatalogStatementKind = 'read' | 'write' | 'other';

/** The statement's verb: its first keyword, after any opening parentheses. */
export function statementVerb(tokens: readonly Token[]): string {
  for (const t of tokens) {
    if (isOp(t, '(')) continue;
    return t.kind === 'word' ? t.value : '';
  }
  return '';
}

/** `tokens`: the tokens of `sql` when the caller has lexed it already. */
export function isCatalogStatement(
  sql: string, userRelations: ReadonlySet<string> = new Set(), tokens: readonly Token[] = tokenize(sql),
): boolean {
  const verb = statementVerb(tokens);
  if (READ_VERBS.has(verb)) {
    // A statement reading Sluice data belongs to Sluice even if it also calls a catalog function: in the mirror its
    // user relations would be silently empty, while Sluice's planner says clearly what it cannot do.
    if (readsSluiceRelation(tokens, userRelations)) return false;
    return referencesCatalog(tokens, 0, tokens.length, userRelations, true);
  }
  if (WRITE_VERBS.has(verb)) {
    let end = tokens.findIndex((t, k) => k > 0 && t.kind === 'word' && QUERY_START.has(t.value));
    if (end < 0) end = tokens.length;
    // Only relation names count here: `CREATE STREAM pg_stuff (...)` is no function call.
    return referencesCatalog(tokens, 0, end, userRelations, false);
  }
  return false;
}

/** How the mirror must treat a statement that was routed to it. */
export function catalogStatementKind(tokens: readonly Token[]): CatalogStatementKind {
  const verb = statementVerb(tokens);
  if (READ_VERBS.has(verb)) return 'read';
  if (WRITE_VERBS.has(verb)) return 'write';
  return 'other';
}

function referencesCatalog(
  tokens: readonly Token[],
  from: number,
  to: number,
  userRelations: ReadonlySet<string>,
  expressions = true,
): boolean {
  for (let k = from; k < to; k++) {
    const t = tokens[k];
    if (t.kind !== 'word' && t.kind !== 'quoted') continue;
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    const qualified = isOp(prev, '.');
    if ((t.value === 'pg_catalog' || t.value === 'information_schema') && isOp(next, '.')) return true;
    if (expressions && isOp(next, '(') && !qualified && isCatalogFunction(t.value)) return true;
    if (expressions && REG_TYPES.has(t.value) && (isOp(prev, '::') || isName(prev, 'as') || next?.kind === 'string')) return true;
    if (CATALOG_RELATIONS.has(t.value) && !qualified && !isOp(next, '(') && !userRelations.has(t.value)) return true;
  }
  return false;
}

/** FROM / JOIN followed by a user relation (bare or in schema public) or by a sluice.* system view. */
function readsSluiceRelation(tokens: readonly Token[], userRelations: ReadonlySet<string>): boolean {
  for (let k = 0; k + 1 < tokens.length; k++) {
    if (!isName(tokens[k], 'from') && !isName(tokens[k], 'join')) continue;
    if (tokens[k].kind !== 'word') continue;
    let name = tokens[k + 1];
    if (isOp(tokens[k + 2], '.')) {
      if (isName(name, 'sluice')) return true;
      if (!isName(name, 'public')) continue;
      name = tokens[k + 3];
    }
    if (name !== undefined && (name.kind === 'word' || name.kind === 'quoted') && userRelations.has(name.value)) return true;
  }
  return false;
}

function isCatalogFunction(name: string): boolean {
  return name.startsWith('pg_') || CATALOG_FUNCTIONS.has(name) || CATALOG_FUNCTION_PATTERN.test(name);
}

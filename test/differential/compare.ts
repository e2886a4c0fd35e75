// What a client sees of one statement, as text, so Sluice's answer and PostgreSQL's can be compared: the rows with
// every value as PostgreSQL's text (no type parsing on either side) and the result's type oids, or the error's
// SQLSTATE. Messages are not compared: the SQLSTATE is the contract, the wording is free.

import type { Client } from 'pg';

export type Answer =
  | { readonly types: readonly number[]; readonly rows: readonly string[] }
  | { readonly sqlstate: string };

const asText = { getTypeParser: () => (value: string): string => value };

/** Runs `sql` on `client`; rows are JSON texts, sorted unless `ordered` (then in the order received). */
export async function answerOf(client: Client, sql: string, ordered: boolean): Promise<Answer> {
  try {
    const r = await client.query({ text: sql, rowMode: 'array', types: asText });
    const rows = (r.rows as unknown[][]).map((row) => JSON.stringify(row));
    return { types: r.fields.map((f) => f.dataTypeID), rows: ordered ? rows : rows.sort() };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') throw e; // not an answer from the server: the connection broke
    return { sqlstate: code };
  }
}

/**
 * The same rows and types, or the same SQLSTATE. One rule (docs/sql.md "Differences from PostgreSQL"): when both
 * raise a data exception (class 22), only the class must match, because which row fails first decides which error
 * wins, and Sluice computes a batch expression by expression where PostgreSQL goes row by row (`a + a, b / 0` may be
 * 22003 in one and 22012 in the other).
 */
export function sameAnswer(a: Answer, b: Answer): boolean {
  if ('sqlstate' in a && 'sqlstate' in b && a.sqlstate.startsWith('22') && b.sqlstate.startsWith('22')) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

const MAX_ROWS_SHOWN = 8;

/** The two answers, reduced to what differs: the types if they do, and the rows only one side has. */
export function describeDifference(sql: string, sluice: Answer, postgres: Answer): string {
  const head = `${sql}\n`;
  if ('sqlstate' in sluice || 'sqlstate' in postgres) {
    const short = (a: Answer): string => ('sqlstate' in a ? `error ${a.sqlstate}` : `${a.rows.length} rows`);
    return `${head}  sluice:     ${short(sluice)}\n  postgresql: ${short(postgres)}`;
  }
  const lines = [head.trimEnd()];
  if (JSON.stringify(sluice.types) !== JSON.stringify(postgres.types)) {
    lines.push(`  type oids: sluice ${JSON.stringify(sluice.types)}, postgresql ${JSON.stringify(postgres.types)}`);
  }
  const [onlySluice, onlyPostgres] = [without(sluice.rows, postgres.rows), without(postgres.rows, sluice.rows)];
  if (onlySluice.length + onlyPostgres.length === 0 && sluice.rows.join() !== postgres.rows.join()) {
    lines.push('  the same rows in another order');
  }
  const show = (rows: readonly string[]): string => rows.slice(0, MAX_ROWS_SHOWN).join(' ') +
    (rows.length > MAX_ROWS_SHOWN ? ` … (${rows.length} rows)` : '');
  if (onlySluice.length > 0) lines.push(`  only in sluice:     ${show(onlySluice)}`);
  if (onlyPostgres.length > 0) lines.push(`  only in postgresql: ${show(onlyPostgres)}`);
  return lines.join('\n');
}

/** The rows of `a` left after taking out one copy of each row of `b` (multiset difference). */
function without(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const row of b) left.set(row, (left.get(row) ?? 0) + 1);
  return a.filter((row) => {
    const n = left.get(row) ?? 0;
    if (n === 0) return true;
    left.set(row, n - 1);
    return false;
  });
}

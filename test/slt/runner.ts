// A sqllogictest-style runner over the wire protocol. Records:
//
//   statement ok                      the statement succeeds
//   statement error 42P01 [@N] [text] it fails with this SQLSTATE (at character position N of the statement, and
//                                     with a message containing text)
//   query <types> [rowsort] [eventually]
//   SELECT ...
//   ----
//   expected rows, one per line, values separated by one space; NULL for null, (empty) for ''
//                                     (leading spaces count: EXPLAIN indents its operators)
//   sleep <ms>                        only before checking that something did NOT happen in that time; wait for
//                                     what must happen with `eventually`
//
// `eventually` re-runs the query until it gives the expected rows or 10 s pass: continuous queries catch up one
// trigger interval after the rows they read are acknowledged. Values come as PostgreSQL text, exactly as a client
// sees them.

import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

export type SltRecord =
  | { readonly kind: 'statement'; readonly line: number; readonly sql: string; readonly expect: { ok: true } | { ok: false; code: string; position: number | null; text: string } }
  | { readonly kind: 'query'; readonly line: number; readonly sql: string; readonly columns: number; readonly rowsort: boolean; readonly eventually: boolean; readonly expected: string[] }
  | { readonly kind: 'sleep'; readonly line: number; readonly ms: number };

export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  const block = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && lines[i] !== '----') out.push(lines[i++]);
    return out;
  };
  while (i < lines.length) {
    const line = lines[i].trim();
    const lineNo = i + 1;
    i++;
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    if (words[0] === 'statement') {
      const sql = block().join('\n');
      if (words[1] === 'ok') records.push({ kind: 'statement', line: lineNo, sql, expect: { ok: true } });
      else if (words[1] === 'error') {
        const at = /^@(\d+)$/.exec(words[3] ?? '');
        const text = words.slice(at ? 4 : 3).join(' ');
        records.push({ kind: 'statement', line: lineNo, sql, expect: { ok: false, code: words[2] ?? '', position: at ? Number(at[1]) : null, text } });
      } else throw new Error(`line ${lineNo}: statement ok | statement error CODE`);
    } else if (words[0] === 'query') {
      const sql = block().join('\n');
      if (lines[i] !== '----') throw new Error(`line ${lineNo}: query without ----`);
      i++;
      const expected: string[] = [];
      while (i < lines.length && lines[i].trim() !== '') expected.push(lines[i++].trimEnd());
      records.push({
        kind: 'query', line: lineNo, sql, columns: words[1]?.length ?? 0, rowsort: words.includes('rowsort'),
        eventually: words.includes('eventually'), expected,
      });
    } else if (words[0] === 'sleep') {
      records.push({ kind: 'sleep', line: lineNo, ms: Number(words[1]) });
    } else {
      throw new Error(`line ${lineNo}: unknown record "${line}"`);
    }
  }
  return records;
}

/** Runs every record; throws at the first mismatch with the file and line. */
export async function runSlt(file: string, client: Client): Promise<number> {
  const records = parseSlt(readFileSync(file, 'utf8'));
  for (const r of records) {
    const where = `${file}:${r.line}`;
    if (r.kind === 'sleep') await new Promise((res) => setTimeout(res, r.ms));
    else if (r.kind === 'statement') await runStatement(client, r, where);
    else await runQuery(client, r, where);
  }
  return records.length;
}

async function runStatement(client: Client, r: Extract<SltRecord, { kind: 'statement' }>, where: string): Promise<void> {
  try {
    await client.query(r.sql);
  } catch (e) {
    const err = e as { code?: string; message: string; position?: string };
    if (r.expect.ok) throw new Error(`${where}: statement failed: ${err.code} ${err.message}\n${r.sql}`);
    if (err.code !== r.expect.code || !err.message.includes(r.expect.text)) {
      throw new Error(`${where}: expected error ${r.expect.code} "${r.expect.text}", got ${err.code} "${err.message}"`);
    }
    if (r.expect.position !== null && Number(err.position) !== r.expect.position) {
      throw new Error(`${where}: expected error ${r.expect.code} at position ${r.expect.position}, got position ${err.position ?? 'none'}`);
    }
    return;
  }
  if (!r.expect.ok) throw new Error(`${where}: expected error ${r.expect.code}, statement succeeded\n${r.sql}`);
}

async function runQuery(client: Client, r: Extract<SltRecord, { kind: 'query' }>, where: string): Promise<void> {
  const deadline = Date.now() + (r.eventually ? 10_000 : 0);
  for (;;) {
    let actual: string[];
    try {
      actual = await queryLines(client, r);
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (Date.now() < deadline) { await pause(); continue; }
      throw new Error(`${where}: query failed: ${err.code} ${err.message}\n${r.sql}`);
    }
    if (actual.join('\n') === r.expected.join('\n')) return;
    if (Date.now() >= deadline) {
      throw new Error(`${where}: query result differs\n${r.sql}\n--- expected\n${r.expected.join('\n')}\n--- actual\n${actual.join('\n')}`);
    }
    await pause();
  }
}

async function queryLines(client: Client, r: Extract<SltRecord, { kind: 'query' }>): Promise<string[]> {
  const res = await client.query({ text: r.sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  if (r.columns && res.fields.length !== r.columns) {
    throw new Error(`expected ${r.columns} columns, got ${res.fields.length}`);
  }
  const lines = (res.rows as (string | null)[][]).map((row) => row.map(show).join(' '));
  return r.rowsort ? lines.sort() : lines;
}

function show(v: string | null): string {
  if (v === null) return 'NULL';
  if (v === '') return '(empty)';
  return v;
}

const pause = () => new Promise((res) => setTimeout(res, 100));

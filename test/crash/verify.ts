// The crash test's final checks: what the streams, the table, every continuous query, sluice.dead_letters and
// sluice.queries hold, against what the test knows it sent and was acknowledged.

import * as assert from 'node:assert/strict';
import type { Client } from 'pg';
import { appliedInput, expectedResults } from './expected';
import { QUERY_NAMES, WINDOWED_QUERIES, type Statement, type Workload } from './workload';

/** sluice.dead_letters shows the newest this many dead letters. */
export const DEAD_LETTERS_SHOWN = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until every query has consumed all its input and the epochs have stopped moving. */
export async function waitCaughtUp(client: Client, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let since = Date.now();
  for (;;) {
    const { rows } = await client.query('SELECT name, status, epoch, lag, last_error FROM sluice.queries ORDER BY name');
    const failed = rows.filter((r) => r.status !== 'running');
    if (failed.length > 0) throw new Error(`queries not running: ${JSON.stringify(failed)}`);
    const signature = rows.map((r) => `${r.name}:${r.epoch}:${r.lag}`).join(',');
    if (signature !== last) {
      last = signature;
      since = Date.now();
    } else if (rows.every((r) => Number(r.lag) === 0) && Date.now() - since >= 1200) {
      return;
    }
    if (Date.now() > deadline) throw new Error(`queries did not catch up within ${timeoutMs} ms: ${signature}`);
    await sleep(200);
  }
}

function render(v: unknown): string {
  if (v === null) return 'NULL';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

export async function queryRows(client: Client, sql: string): Promise<string[]> {
  const r = await client.query({ text: sql, rowMode: 'array' });
  return (r.rows as unknown[][]).map((row) => row.map(render).join('|'));
}

/** Multiset difference, for readable failures. */
function diff(actual: readonly string[], expected: readonly string[]): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const e of expected) counts.set(e, (counts.get(e) ?? 0) + 1);
  const extra: string[] = [];
  for (const a of actual) {
    const n = counts.get(a) ?? 0;
    if (n === 0) extra.push(a);
    else counts.set(a, n - 1);
  }
  const missing = [...counts].flatMap(([e, n]) => Array<string>(n).fill(e));
  return { missing, extra };
}

export function compare(failures: string[], what: string, actual: readonly string[], expected: readonly string[]): void {
  const { missing, extra } = diff(actual, expected);
  if (missing.length === 0 && extra.length === 0) return;
  failures.push(`${what}: ${actual.length} rows, expected ${expected.length}; missing ${missing.length} `
    + `${JSON.stringify(missing.slice(0, 5))}; unexpected ${extra.length} ${JSON.stringify(extra.slice(0, 5))}`);
}

function eventTimeOf(raw: string): number {
  const m = /"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\+00"/.exec(raw);
  if (!m) return NaN;
  return Date.parse(m[1].replace(' ', 'T') + 'Z');
}

/** Everything the final state must satisfy; returns the query results it read, to compare after one more kill. */
export async function verify(workload: Workload, failures: string[], client: Client): Promise<Map<string, string[]>> {
  const statements = workload.statements;
  const pending = statements.filter((s) => s.status === 'pending');
  if (pending.length > 0) failures.push(`${pending.length} statements neither acknowledged nor failed`);

  // what is in the streams and the table
  const ids = async (sql: string): Promise<Map<number, number>> => {
    const m = new Map<number, number>();
    for (const r of await queryRows(client, sql)) m.set(Number(r), (m.get(Number(r)) ?? 0) + 1);
    return m;
  };
  const present = {
    ev: await ids('SELECT id FROM ev'),
    clicks: await ids('SELECT id FROM clicks'),
    raw: new Map<number, number>(),
  };
  for (const r of await queryRows(client, 'SELECT id, n FROM raw_ids')) {
    const [id, n] = r.split('|').map(Number);
    present.raw.set(id, (present.raw.get(id) ?? 0) + n);
  }
  const accounts = new Map<number, { grp: string; amount: number }>();
  for (const r of await queryRows(client, 'SELECT id, grp, amount FROM accounts')) {
    const [id, grp, amount] = r.split('|');
    accounts.set(Number(id), { grp, amount: Number(amount) });
  }

  // which statements took effect: acknowledged ones must have; the others all or nothing
  const applied = new Set<Statement>();
  let unackedApplied = 0;
  let unackedAbsent = 0;
  for (const s of statements) {
    let found: number;
    let total: number;
    if (s.target === 'accounts' && s.via === 'update') {
      found = accounts.get(s.id)?.grp === 'u' ? 1 : 0;
      total = 1;
    } else if (s.target === 'accounts' && s.via === 'delete') {
      found = accounts.has(s.id) ? 0 : 1;
      total = 1;
    } else {
      const where = s.target === 'accounts' ? null : present[s.target];
      found = s.rows.filter((r) => (where ? (where.get(r.id) ?? 0) > 0 : accounts.has(r.id))).length;
      total = s.rows.length;
    }
    const what = `statement ${s.seq} (${s.via} into ${s.target} by ${s.writer} in life ${s.life}, ${s.status})`;
    if (s.status === 'acked') {
      applied.add(s);
      // rows INSERTed into accounts may be deleted later: those are checked through the table's contents below
      const laterDeleted = s.target === 'accounts' && (s.via === 'insert' || s.via === 'copy');
      if (found !== total && !laterDeleted) {
        failures.push(`${what}: acknowledged but only ${found} of ${total} rows present`);
      }
      continue;
    }
    if (found !== 0 && found !== total) failures.push(`${what}: ${found} of ${total} rows applied (not all or nothing)`);
    if (found > 0 && s.via === 'copy' && !s.copyDoneSent) failures.push(`${what}: applied although CopyDone was never sent`);
    if (found === total && found > 0) {
      applied.add(s);
      unackedApplied++;
    } else {
      unackedAbsent++;
    }
  }
  const input = appliedInput(statements, (s) => applied.has(s));

  // every row present exactly once, nothing else
  const exactlyOnce = (what: string, actual: Map<number, number>, rows: readonly { id: number }[]): void => {
    const expected = rows.map((r) => r.id);
    const actualList = [...actual].flatMap(([id, n]) => Array<number>(n).fill(id));
    compare(failures, `${what} row ids`, actualList.map(String), expected.map(String));
  };
  exactlyOnce('ev', present.ev, input.ev);
  exactlyOnce('clicks', present.clicks, input.clicks);
  exactlyOnce('raw (through raw_ids)', present.raw, input.raw);
  compare(failures, 'accounts table', [...accounts].map(([id, a]) => `${id}|${a.grp}|${a.amount}`),
    input.accounts.map((a) => `${a.id}|${a.grp}|${a.amount}`));

  // every continuous query equals its batch recomputation
  const expected = expectedResults(input);
  const results = new Map<string, string[]>();
  for (const q of QUERY_NAMES) {
    const actual = await queryRows(client, `SELECT * FROM ${q}`);
    results.set(q, actual);
    compare(failures, `continuous query ${q}`, actual, expected.results[q]);
  }

  // late rows: exactly the ones sent late, counted and dead-lettered once by each windowed query
  const sentLate = input.ev.filter((r) => r.late).map((r) => r.id).sort((a, b) => a - b);
  assert.deepEqual([...expected.lateIds].sort((a, b) => a - b), sentLate, 'the test itself: late rows are the ones sent late');
  const lateTimes = input.ev.filter((r) => r.late).map((r) => String(r.ts));
  const letters = (await client.query('SELECT source, reason, raw FROM sluice.dead_letters')).rows as
    { source: string; reason: string; raw: string }[];
  for (const q of QUERY_NAMES) {
    const mine = letters.filter((d) => d.source === q);
    const want = WINDOWED_QUERIES.includes(q) ? lateTimes : [];
    compare(failures, `dead letters of ${q} (event times)`, mine.map((d) => String(eventTimeOf(d.raw))), want);
    const reasons = [...new Set(mine.map((d) => d.reason))];
    if (reasons.some((r) => r !== 'late')) failures.push(`dead letters of ${q} with reasons ${reasons.join(', ')}`);
  }
  if (letters.length >= DEAD_LETTERS_SHOWN) {
    failures.push(`sluice.dead_letters shows ${letters.length} rows: at its limit, so the counts below cannot be checked`);
  }
  const strays = letters.filter((d) => !(QUERY_NAMES as readonly string[]).includes(d.source));
  if (strays.length > 0) failures.push(`dead letters from unexpected sources: ${JSON.stringify(strays.slice(0, 3))}`);
  const stats = (await client.query('SELECT name, late_rows, status, last_error FROM sluice.queries')).rows as
    { name: string; late_rows: string; status: string; last_error: string | null }[];
  for (const q of QUERY_NAMES) {
    const st = stats.find((r) => r.name === q);
    if (!st) {
      failures.push(`sluice.queries has no row for ${q}`);
      continue;
    }
    const want = WINDOWED_QUERIES.includes(q) ? sentLate.length : 0;
    if (Number(st.late_rows) !== want) failures.push(`sluice.queries.late_rows of ${q} is ${st.late_rows}, expected ${want}`);
    if (st.status !== 'running' || st.last_error !== null) failures.push(`${q} is ${st.status}: ${st.last_error}`);
  }

  const acked = statements.filter((s) => s.status === 'acked').length;
  console.log(`crash test: ${statements.length} statements (${acked} acknowledged, ${unackedApplied} unacknowledged `
    + `but applied, ${unackedAbsent} unacknowledged and absent); rows: ev ${input.ev.length} (${sentLate.length} late), `
    + `clicks ${input.clicks.length}, raw ${input.raw.length}, accounts ${input.accounts.length}`);
  return results;
}

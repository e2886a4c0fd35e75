// The batch recomputation: every continuous query's expected result, computed in plain TypeScript from the rows the
// test knows went in (acknowledged statements plus the unacknowledged ones found applied), following SQL.md:
// windows aligned to the epoch, [start, end); a row is late when its event time is below (the largest event time
// among the rows of the statements before its own: the stream's watermark is per log entry) - the watermark delay,
// and is then applied to no window; EMIT ON WINDOW CLOSE shows the
// windows whose end is at or below the final watermark. Rows are rendered as text, one string per row.

import {
  HOP_SIZE_MS, HOP_SLIDE_MS, REGIONS, SESSION_GAP_MS, TUMBLE_MS, UPDATE_ADD, WATERMARK_DELAY_MS,
  type AccountRow, type ClickRow, type EvRow, type QueryName, type RawRow, type Statement,
} from './workload';

export interface AppliedInput {
  /** ev rows in arrival order. */
  readonly ev: readonly EvRow[];
  /** The same rows by statement (one log entry each), in arrival order. */
  readonly evStatements: readonly (readonly EvRow[])[];
  readonly clicks: readonly ClickRow[];
  readonly raw: readonly RawRow[];
  /** The final contents of the accounts table. */
  readonly accounts: readonly AccountRow[];
}

/** The input as applied: `applied(s)` says whether statement s took effect. Statements come in generation order. */
export function appliedInput(statements: readonly Statement[], applied: (s: Statement) => boolean): AppliedInput {
  const evStatements: (readonly EvRow[])[] = [];
  const clicks: ClickRow[] = [];
  const raw: RawRow[] = [];
  const accounts = new Map<number, AccountRow>();
  const updates: number[] = [];
  const deletes: number[] = [];
  for (const s of statements) {
    if (!applied(s)) continue;
    switch (s.target) {
      case 'ev': evStatements.push(s.rows); break;
      case 'clicks': clicks.push(...s.rows); break;
      case 'raw': raw.push(...s.rows); break;
      case 'accounts':
        if (s.via === 'update') updates.push(s.id);
        else if (s.via === 'delete') deletes.push(s.id);
        else for (const r of s.rows) accounts.set(r.id, r);
    }
  }
  // an UPDATE or DELETE only ever targets an account whose INSERT was acknowledged before it was sent
  for (const id of updates) {
    const a = accounts.get(id)!;
    accounts.set(id, { id, grp: 'u', amount: a.amount + UPDATE_ADD });
  }
  for (const id of deletes) accounts.delete(id);
  return { ev: evStatements.flat(), evStatements, clicks, raw, accounts: [...accounts.values()] };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const row = (...values: (string | number | null)[]): string => values.map((v) => (v === null ? 'NULL' : String(v))).join('|');

interface Agg { n: number; s: number; lo: number; hi: number; mx: number }
function add(map: Map<string, Agg>, key: string, id: number, v: number): void {
  const a = map.get(key);
  if (a === undefined) map.set(key, { n: 1, s: v, lo: id, hi: id, mx: v });
  else {
    a.n++;
    a.s += v;
    a.lo = Math.min(a.lo, id);
    a.hi = Math.max(a.hi, id);
    a.mx = Math.max(a.mx, v);
  }
}

export interface Expected {
  readonly results: Readonly<Record<QueryName, string[]>>;
  /** ev rows that are late by arrival order (each windowed query reports each of them once). */
  readonly lateIds: readonly number[];
}

export function expectedResults(input: AppliedInput): Expected {
  // lateness, by arrival order of the statements
  let maxSeen = -Infinity;
  const onTime: EvRow[] = [];
  const lateIds: number[] = [];
  for (const rows of input.evStatements) {
    const watermarkBefore = maxSeen - WATERMARK_DELAY_MS;
    for (const r of rows) {
      maxSeen = Math.max(maxSeen, r.ts);
      if (r.ts < watermarkBefore) lateIds.push(r.id);
      else onTime.push(r);
    }
  }
  const watermark = maxSeen - WATERMARK_DELAY_MS;

  // TUMBLE
  const tumble = new Map<string, Agg>();
  for (const r of onTime) {
    const start = Math.floor(r.ts / TUMBLE_MS) * TUMBLE_MS;
    add(tumble, `${start}|${r.k}`, r.id, r.v);
  }
  const tumbleChanges: string[] = [];
  const tumbleClose: string[] = [];
  const rollup = new Map<string, { total: number; windows: number }>();
  for (const [key, a] of tumble) {
    const [startText, k] = key.split('|');
    const start = Number(startText);
    tumbleChanges.push(row(iso(start), iso(start + TUMBLE_MS), k, a.n, a.s, a.lo, a.hi));
    if (start + TUMBLE_MS <= watermark) tumbleClose.push(row(iso(start), iso(start + TUMBLE_MS), k, a.n, a.s));
    const ru = rollup.get(k) ?? { total: 0, windows: 0 };
    ru.total += a.n;
    ru.windows++;
    rollup.set(k, ru);
  }

  // HOP
  const hopByKey = new Map<string, Agg>();
  const hopAll = new Map<string, Agg>();
  for (const r of onTime) {
    const last = Math.floor(r.ts / HOP_SLIDE_MS) * HOP_SLIDE_MS;
    for (let start = last; start + HOP_SIZE_MS > r.ts; start -= HOP_SLIDE_MS) {
      add(hopByKey, `${start}|${r.k}`, r.id, r.v);
      add(hopAll, `${start}`, r.id, r.v);
    }
  }
  const hopChanges = [...hopByKey].map(([key, a]) => {
    const [startText, k] = key.split('|');
    const start = Number(startText);
    return row(iso(start), iso(start + HOP_SIZE_MS), k, a.n, a.s);
  });
  const hopClose = [...hopAll]
    .filter(([start]) => Number(start) + HOP_SIZE_MS <= watermark)
    .map(([start, a]) => row(iso(Number(start)), iso(Number(start) + HOP_SIZE_MS), a.n, a.s));

  // SESSION: per key, rows closer than the gap (in event time) share a session
  const byKey = new Map<string, EvRow[]>();
  for (const r of onTime) {
    const list = byKey.get(r.k) ?? [];
    list.push(r);
    byKey.set(r.k, list);
  }
  const sessionChanges: string[] = [];
  const sessionClose: string[] = [];
  for (const [k, rows] of byKey) {
    rows.sort((a, b) => a.ts - b.ts);
    let i = 0;
    while (i < rows.length) {
      let j = i + 1;
      while (j < rows.length && rows[j].ts - rows[j - 1].ts < SESSION_GAP_MS) j++;
      const part = rows.slice(i, j);
      const start = part[0].ts;
      const end = part[part.length - 1].ts + SESSION_GAP_MS;
      const n = part.length;
      const s = part.reduce((x, r) => x + r.v, 0);
      const mx = part.reduce((x, r) => Math.max(x, r.v), -Infinity);
      sessionChanges.push(row(k, iso(start), iso(end), n, s));
      if (end <= watermark) sessionClose.push(row(k, iso(start), iso(end), n, mx));
      i = j;
    }
  }

  // clicks
  const filtered = input.clicks.filter((r) => r.v % 3 === 0).map((r) => row(r.id, r.k, r.v * 2, r.note));
  const perKey = new Map<string, Agg>();
  const perRegion = new Map<string, Agg>();
  for (const r of input.clicks) {
    add(perKey, r.k, r.id, r.v);
    const region = REGIONS[r.k];
    if (region !== undefined) add(perRegion, region, r.id, r.v);
  }
  const filteredRows = input.clicks.filter((r) => r.v % 3 === 0);

  // raw
  const rawIds = new Map<string, Agg>();
  for (const r of input.raw) add(rawIds, String(r.id), r.id, r.v);

  // accounts
  const perGrp = new Map<string, Agg>();
  for (const a of input.accounts) add(perGrp, a.grp, a.id, a.amount);

  const sum = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0));
  return {
    lateIds,
    results: {
      tumble_changes: tumbleChanges,
      tumble_close: tumbleClose,
      hop_changes: hopChanges,
      hop_close: hopClose,
      session_changes: sessionChanges,
      session_close: sessionClose,
      filtered,
      per_key: [...perKey].map(([k, a]) => row(k, a.n, a.s, a.lo, a.hi)),
      per_region: [...perRegion].map(([region, a]) => row(region, a.n, a.s)),
      raw_ids: [...rawIds.values()].map((a) => row(a.lo, a.n, a.s)),
      raw_total: [row(input.raw.length, sum(input.raw.map((r) => r.v)))],
      per_grp: [...perGrp].map(([grp, a]) => row(grp, a.n, a.s)),
      tumble_rollup: [...rollup].map(([k, ru]) => row(k, ru.total, ru.windows)),
      filtered_total: [row(filteredRows.length, sum(filteredRows.map((r) => r.v * 2)))],
    },
  };
}

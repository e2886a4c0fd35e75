// The crash test's workload: the objects it creates, the statements it sends (generated from a seed) and the record
// of which statements were acknowledged. Nothing here talks to a server.
//
// Streams:
//   ev      windowed stream (5 s watermark delay), written by ONE connection, so the order rows arrive in is the
//           order they were sent; this is what makes lateness (and so every windowed result) computable here.
//           A few rows are sent deliberately late.
//   clicks  written concurrently by several connections (INSERT and COPY); order-independent queries only.
//   raw     like clicks but without retention: its log is trimmed as its readers pass it.
// Tables:
//   regions static (filled at setup), joined with clicks.
//   accounts written concurrently: inserts with unique ids, and at most one UPDATE or DELETE per acknowledged id.

export const WATERMARK_DELAY_MS = 5_000;
export const TUMBLE_MS = 10_000;
export const HOP_SLIDE_MS = 5_000;
export const HOP_SIZE_MS = 15_000;
export const SESSION_GAP_MS = 3_000;
/** 2026-01-01T00:00:00Z: event times start here (plus a minute). */
export const BASE_MS = Date.UTC(2026, 0, 1);

export const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
export const REGIONS: Readonly<Record<string, string>> = { k0: 'eu', k1: 'us', k2: 'eu', k3: 'apac' }; // k4: none
export const NOTES: readonly (string | null)[] = [null, 'plain', 'a, b', 'say "hi"', "it's", 'two\nlines', ''];

export const SETUP_SQL: readonly string[] = [
  `CREATE STREAM ev (id BIGINT NOT NULL, k TEXT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL,
     WATERMARK FOR ts AS ts - INTERVAL '5 seconds') WITH (retention = '3650 days')`,
  `CREATE STREAM clicks (id BIGINT NOT NULL, k TEXT NOT NULL, v BIGINT NOT NULL, note TEXT, ts TIMESTAMPTZ NOT NULL)
     WITH (retention = '3650 days')`,
  `CREATE STREAM raw (id BIGINT NOT NULL, v BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE regions (k TEXT PRIMARY KEY, region TEXT NOT NULL)`,
  `INSERT INTO regions VALUES ${Object.entries(REGIONS).map(([k, r]) => `('${k}', '${r}')`).join(', ')}`,
  `CREATE TABLE accounts (id BIGINT PRIMARY KEY, grp TEXT NOT NULL, amount BIGINT NOT NULL)`,
  // each window kind with both emit modes
  `CREATE CONTINUOUS QUERY tumble_changes WITH (trigger_interval = '100 milliseconds') AS
     SELECT window_start, window_end, k, count(*) AS n, sum(v) AS s, min(id) AS lo, max(id) AS hi
     FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY window_start, window_end, k EMIT CHANGES`,
  `CREATE CONTINUOUS QUERY tumble_close WITH (trigger_interval = '250 milliseconds') AS
     SELECT window_start, window_end, k, count(*) AS n, sum(v) AS s
     FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY window_start, window_end, k EMIT ON WINDOW CLOSE`,
  `CREATE CONTINUOUS QUERY hop_changes WITH (trigger_interval = '150 milliseconds') AS
     SELECT window_start, window_end, k, count(*) AS n, sum(v) AS s
     FROM HOP(ev, ts, INTERVAL '5 seconds', INTERVAL '15 seconds') GROUP BY window_start, window_end, k`,
  `CREATE CONTINUOUS QUERY hop_close AS
     SELECT window_start, window_end, count(*) AS n, sum(v) AS s
     FROM HOP(ev, ts, INTERVAL '5 seconds', INTERVAL '15 seconds') GROUP BY window_start, window_end
     EMIT ON WINDOW CLOSE`,
  `CREATE CONTINUOUS QUERY session_changes WITH (trigger_interval = '100 milliseconds') AS
     SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s
     FROM SESSION(ev, ts, INTERVAL '3 seconds') GROUP BY k, window_start, window_end EMIT CHANGES`,
  `CREATE CONTINUOUS QUERY session_close WITH (trigger_interval = '300 milliseconds') AS
     SELECT k, window_start, window_end, count(*) AS n, max(v) AS mx
     FROM SESSION(ev, ts, INTERVAL '3 seconds') GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE`,
  // a plain filter/projection, aggregates without windows, a lookup join, a table aggregate
  `CREATE CONTINUOUS QUERY filtered WITH (trigger_interval = '100 milliseconds') AS
     SELECT id, k, v * 2 AS v2, note FROM clicks WHERE v % 3 = 0`,
  `CREATE CONTINUOUS QUERY per_key WITH (trigger_interval = '200 milliseconds') AS
     SELECT k, count(*) AS n, sum(v) AS s, min(id) AS lo, max(id) AS hi FROM clicks GROUP BY k`,
  `CREATE CONTINUOUS QUERY per_region WITH (trigger_interval = '150 milliseconds') AS
     SELECT r.region, count(*) AS n, sum(c.v) AS s FROM clicks c JOIN regions r ON c.k = r.k GROUP BY r.region`,
  `CREATE CONTINUOUS QUERY raw_ids WITH (trigger_interval = '100 milliseconds') AS
     SELECT id, count(*) AS n, sum(v) AS s FROM raw GROUP BY id`,
  `CREATE CONTINUOUS QUERY raw_total AS SELECT count(*) AS n, sum(v) AS s FROM raw`,
  `CREATE CONTINUOUS QUERY per_grp WITH (trigger_interval = '100 milliseconds') AS
     SELECT grp, count(*) AS n, sum(amount) AS s FROM accounts GROUP BY grp`,
  // chained: queries over other queries' results (with retractions from upstream)
  `CREATE CONTINUOUS QUERY tumble_rollup WITH (trigger_interval = '200 milliseconds') AS
     SELECT k, sum(n) AS total, count(*) AS windows FROM tumble_changes GROUP BY k`,
  `CREATE CONTINUOUS QUERY filtered_total WITH (trigger_interval = '100 milliseconds') AS
     SELECT count(*) AS n, sum(v2) AS s FROM filtered`,
];

export const QUERY_NAMES = [
  'tumble_changes', 'tumble_close', 'hop_changes', 'hop_close', 'session_changes', 'session_close',
  'filtered', 'per_key', 'per_region', 'raw_ids', 'raw_total', 'per_grp', 'tumble_rollup', 'filtered_total',
] as const;
export type QueryName = (typeof QUERY_NAMES)[number];
export const WINDOWED_QUERIES: readonly QueryName[] = [
  'tumble_changes', 'tumble_close', 'hop_changes', 'hop_close', 'session_changes', 'session_close',
];

// --- rows and statements ------------------------------------------------------------------------------------------

export interface EvRow { readonly id: number; readonly k: string; readonly v: number; readonly ts: number; readonly late: boolean }
export interface ClickRow { readonly id: number; readonly k: string; readonly v: number; readonly note: string | null; readonly ts: number }
export interface RawRow { readonly id: number; readonly v: number; readonly ts: number }
export interface AccountRow { readonly id: number; readonly grp: string; readonly amount: number }

export type Status = 'pending' | 'acked' | 'unacked';

interface StatementBase {
  /** Order of generation; for `ev` (one writer) also the order of arrival. */
  readonly seq: number;
  readonly writer: string;
  readonly life: number;
  status: Status;
  /** For COPY: whether CopyDone was sent before the server died (without it the rows must not be applied). */
  copyDoneSent: boolean;
}

export type Statement = StatementBase & (
  | { readonly target: 'ev'; readonly via: 'insert' | 'copy'; readonly rows: readonly EvRow[] }
  | { readonly target: 'clicks'; readonly via: 'insert' | 'copy'; readonly rows: readonly ClickRow[] }
  | { readonly target: 'raw'; readonly via: 'insert' | 'copy'; readonly rows: readonly RawRow[] }
  | { readonly target: 'accounts'; readonly via: 'insert' | 'copy'; readonly rows: readonly AccountRow[] }
  | { readonly target: 'accounts'; readonly via: 'update'; readonly id: number }
  | { readonly target: 'accounts'; readonly via: 'delete'; readonly id: number }
);

/** What an UPDATE does to an account: moves it to group 'u' and adds this to its amount. */
export const UPDATE_ADD = 1_000_000;

// --- the seeded generator -----------------------------------------------------------------------------------------

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** mulberry32: a float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export class Workload {
  readonly statements: Statement[] = [];
  private seq = 0;
  private nextId = { ev: 1, clicks: 1, raw: 1, accounts: 1 };
  /** Largest ev event time among every row sent (acknowledged or not) / among acknowledged rows only. */
  private evMaxSent = BASE_MS + 60_000;
  private evMaxAcked: number | null = null;
  /** Accounts whose INSERT was acknowledged and that no UPDATE or DELETE has targeted yet. */
  private readonly untouchedAccounts: number[] = [];

  private lateSent = 0;

  constructor(readonly rng: Rng, private readonly late: { budget: number; probability: number }) {}

  /** The next statement of the single `ev` writer. */
  nextEv(writer: string, life: number): Statement {
    const r = this.rng;
    const n = r.chance(0.6) ? r.int(1, 20) : r.int(5, 150);
    const via = n > 20 || r.chance(0.3) ? 'copy' : 'insert';
    const rows: EvRow[] = [];
    const ackedMax = this.evMaxAcked;
    for (let i = 0; i < n; i++) {
      const roll = r.next();
      let ts: number;
      let late = false;
      if (roll < this.late.probability && ackedMax !== null && this.lateSent < this.late.budget) {
        this.lateSent++;
        // below (largest time among rows of statements that certainly arrived before it) - delay: late whatever
        // else arrived (rows of its own statement cannot make it late: the watermark moves per statement)
        ts = ackedMax - WATERMARK_DELAY_MS - r.int(1, 20_000);
        late = true;
      } else if (roll < 0.25) {
        // out of order, but within the watermark delay of everything sent: never late
        ts = this.evMaxSent - r.int(0, 3_000);
      } else if (roll < 0.3) {
        ts = this.evMaxSent + r.int(3_000, 9_000); // a gap: closes sessions
      } else {
        ts = this.evMaxSent + r.int(0, 400);
      }
      rows.push({ id: this.nextId.ev++, k: r.pick(KEYS), v: r.int(1, 1000), ts, late });
      if (!late) this.evMaxSent = Math.max(this.evMaxSent, ts);
    }
    return this.add({ target: 'ev', via, rows, writer, life });
  }

  /** The next statement of one of the concurrent writers. */
  nextShared(writer: string, life: number): Statement {
    const r = this.rng;
    const roll = r.next();
    const n = r.chance(0.7) ? r.int(1, 25) : r.int(20, 300);
    const via = n > 25 || r.chance(0.3) ? 'copy' : 'insert';
    if (roll < 0.45) {
      const rows = Array.from({ length: n }, (): ClickRow => ({
        id: this.nextId.clicks++, k: r.pick(KEYS), v: r.int(1, 1000), note: r.pick(NOTES),
        ts: BASE_MS + r.int(0, 86_400_000),
      }));
      return this.add({ target: 'clicks', via, rows, writer, life });
    }
    if (roll < 0.75) {
      const rows = Array.from({ length: n }, (): RawRow => ({
        id: this.nextId.raw++, v: r.int(-500, 1000), ts: BASE_MS + r.int(0, 86_400_000),
      }));
      return this.add({ target: 'raw', via, rows, writer, life });
    }
    if (roll < 0.87 || this.untouchedAccounts.length === 0) {
      const rows = Array.from({ length: Math.min(n, 40) }, (): AccountRow => ({
        id: this.nextId.accounts++, grp: r.pick(['g0', 'g1', 'g2']), amount: r.int(1, 10_000),
      }));
      return this.add({ target: 'accounts', via, rows, writer, life });
    }
    const at = r.int(0, this.untouchedAccounts.length - 1);
    const id = this.untouchedAccounts.splice(at, 1)[0];
    return this.add({ target: 'accounts', via: r.chance(0.6) ? 'update' : 'delete', id, writer, life });
  }

  /** Records the acknowledgement; later statements may build on it. */
  acknowledged(s: Statement): void {
    s.status = 'acked';
    if (s.target === 'ev') {
      for (const row of s.rows) {
        if (!row.late) this.evMaxAcked = this.evMaxAcked === null ? row.ts : Math.max(this.evMaxAcked, row.ts);
      }
    }
    if (s.target === 'accounts' && (s.via === 'insert' || s.via === 'copy')) {
      for (const row of s.rows) this.untouchedAccounts.push(row.id);
    }
  }

  private add(s: Omit<StatementBase, 'seq' | 'status' | 'copyDoneSent'> & Record<string, unknown>): Statement {
    const stmt = { ...s, seq: this.seq++, status: 'pending', copyDoneSent: false } as unknown as Statement;
    this.statements.push(stmt);
    return stmt;
  }
}

// --- rendering ----------------------------------------------------------------------------------------------------

export function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');
}

function literal(v: string | null): string {
  return v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`;
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}

function tuples(s: Statement): (string | number | null)[][] {
  switch (s.target) {
    case 'ev': return s.rows.map((r) => [r.id, r.k, r.v, timestampText(r.ts)]);
    case 'clicks': return s.rows.map((r) => [r.id, r.k, r.v, r.note, timestampText(r.ts)]);
    case 'raw': return s.rows.map((r) => [r.id, r.v, timestampText(r.ts)]);
    case 'accounts': return s.via === 'update' || s.via === 'delete' ? [] : s.rows.map((r) => [r.id, r.grp, r.amount]);
  }
}

/** The SQL of an INSERT / UPDATE / DELETE statement. */
export function statementSql(s: Statement): string {
  if (s.target === 'accounts' && s.via === 'update') {
    return `UPDATE accounts SET amount = amount + ${UPDATE_ADD}, grp = 'u' WHERE id = ${s.id}`;
  }
  if (s.target === 'accounts' && s.via === 'delete') return `DELETE FROM accounts WHERE id = ${s.id}`;
  const values = tuples(s).map((t) => `(${t.map((v) => (typeof v === 'number' ? String(v) : literal(v))).join(', ')})`);
  return `INSERT INTO ${s.target} VALUES ${values.join(', ')}`;
}

/** The COPY statement and its CSV data (with a header line half the time). */
export function copyStatement(s: Statement, header: boolean): { sql: string; data: string } {
  const lines = tuples(s).map((t) => t.map(csvField).join(','));
  const columns = { ev: 'id,k,v,ts', clicks: 'id,k,v,note,ts', raw: 'id,v,ts', accounts: 'id,grp,amount' }[s.target];
  if (header) lines.unshift(columns);
  return {
    sql: `COPY ${s.target} FROM STDIN WITH (FORMAT csv${header ? ', HEADER true' : ''})`,
    data: lines.join('\n') + '\n',
  };
}

/** Rows (and row counts) a statement affects, for checking the server's reply. */
export function expectedCount(s: Statement): number {
  return s.via === 'update' || s.via === 'delete' ? 1 : s.rows.length;
}

// q1, q2, q5 and q7 the way a PostgreSQL user would keep them up to date. The Nexmark events go into three
// tables by COPY. Stateless queries (q1, q2) are maintained incrementally: a statement-level trigger with a
// transition table appends each COPY's results to a result table, in the COPY's own transaction, so they are
// visible at commit. Windowed queries (q5, q7) are MATERIALIZED VIEWs that PostgreSQL can only recompute in full,
// refreshed again and again by a second connection. Windows use date_bin (PostgreSQL 14+), epoch-aligned like
// Sluice's.

import { STREAM_COLUMNS, STREAM_NAMES } from '../nexmark/schema';

export interface PgQuery {
  readonly name: string;
  readonly setup: readonly string[];
  /** Run repeatedly to bring the result up to date; null when COPY's commit already does. */
  readonly refresh: string | null;
}

const EPOCH = `timestamptz '1970-01-01 00:00:00+00'`;

function tables(): string[] {
  return STREAM_NAMES.map((s) => `CREATE TABLE ${s} (${STREAM_COLUMNS[s].map((c) =>
    `${c.name} ${{ int8: 'bigint', text: 'text', timestamptz: 'timestamptz' }[c.type]}`).join(', ')})`);
}

function appendTrigger(name: string, resultColumns: string, select: string): string[] {
  return [
    `CREATE TABLE ${name} (${resultColumns})`,
    `CREATE FUNCTION ${name}_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ${name} ${select};
  RETURN NULL;
END $$`,
    `CREATE TRIGGER ${name}_append AFTER INSERT ON bid REFERENCING NEW TABLE AS new_bids
FOR EACH STATEMENT EXECUTE FUNCTION ${name}_append()`,
  ];
}

export const PG_QUERIES: readonly PgQuery[] = [
  {
    name: 'q1',
    setup: [...tables(), ...appendTrigger('q1',
      'auction bigint, bidder bigint, price numeric, date_time timestamptz, extra text',
      'SELECT auction, bidder, 0.908 * price, date_time, extra FROM new_bids')],
    refresh: null,
  },
  {
    name: 'q2',
    setup: [...tables(), ...appendTrigger('q2', 'auction bigint, price bigint',
      'SELECT auction, price FROM new_bids WHERE auction % 123 = 0')],
    refresh: null,
  },
  {
    name: 'q5',
    setup: [...tables(), `CREATE MATERIALIZED VIEW q5 AS
WITH hop AS (
  SELECT b.auction, date_bin('2 seconds', b.date_time, ${EPOCH}) - k * interval '2 seconds' AS window_start
  FROM bid b CROSS JOIN generate_series(0, 4) AS k
), counts AS (
  SELECT auction, count(*) AS num, window_start, window_start + interval '10 seconds' AS window_end
  FROM hop GROUP BY auction, window_start
)
SELECT c.auction, c.num, c.window_start, c.window_end
FROM counts c JOIN (SELECT max(num) AS maxn, window_start FROM counts GROUP BY window_start) m
  ON c.window_start = m.window_start AND c.num >= m.maxn`],
    refresh: 'REFRESH MATERIALIZED VIEW q5',
  },
  {
    name: 'q7',
    setup: [...tables(), `CREATE MATERIALIZED VIEW q7 AS
WITH w AS (SELECT date_bin('10 seconds', date_time, ${EPOCH}) AS window_start, * FROM bid)
SELECT b.auction, b.price, b.bidder, b.date_time, b.extra
FROM w b JOIN (SELECT max(price) AS maxprice, window_start FROM w GROUP BY window_start) m
  ON b.window_start = m.window_start AND b.price = m.maxprice`],
    refresh: 'REFRESH MATERIALIZED VIEW q7',
  },
];

/** The Sluice query whose figures a PostgreSQL query is compared with. */
export const PG_COUNTERPART: Readonly<Record<string, string>> = { q1: 'q1', q2: 'q2', q5: 'q5', q7: 'q7' };

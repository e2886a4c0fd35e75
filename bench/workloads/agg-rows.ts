// The rows of the copy-agg and liveness workloads, as one CSV body for COPY ... FROM STDIN (FORMAT csv):
// `(k BIGINT, v BIGINT, t BIGINT)` with k uniform in 1..1000, v uniform in 0..999 (seeded, so runs repeat) and t the
// row number 0, 1, 2, ... (time increasing, one tick per row). Grouped by k and t / 10000, the result holds 1,000
// groups per 10,000 rows: 100 K groups for 1 M rows, 1 M for 10 M.

import { Prng } from '../nexmark/prng';

export interface AggRows {
  readonly rows: number;
  readonly body: Buffer;
  /** sum(v) over every row: the result is checked against it. */
  readonly sumV: number;
}

/** Rows per string built at a time: bounds the intermediate strings, whatever the total. */
const PIECE = 65_536;

export function aggRows(rows: number, seed: number): AggRows {
  const prng = new Prng(seed);
  const pieces: Buffer[] = [];
  let sumV = 0;
  for (let from = 0; from < rows; from += PIECE) {
    let text = '';
    for (let t = from; t < Math.min(rows, from + PIECE); t++) {
      const k = 1 + prng.nextInt(1000);
      const v = prng.nextInt(1000);
      sumV += v;
      text += `${k},${v},${t}\n`;
    }
    pieces.push(Buffer.from(text, 'latin1'));
  }
  return { rows, body: Buffer.concat(pieces), sumV };
}

export const AGG_COLUMNS = '(k BIGINT, v BIGINT, t BIGINT)';
export const AGG_SELECT = 'SELECT k, t / 10000 AS w, count(*) AS n, sum(v) AS total FROM agg_in GROUP BY k, t / 10000';
export const AGG_COPY = 'COPY agg_in FROM STDIN (FORMAT csv)';
/** What psql's `\d` and BI tools begin with: the first one on a fresh Sluice starts the catalog mirror. */
export const CATALOG_SQL = 'SELECT * FROM pg_catalog.pg_class LIMIT 1';

/** Throws unless the result's counts and sums hold every row exactly once. */
export function checkAggResult(data: AggRows, row: readonly unknown[] | undefined): void {
  const [n, total] = (row ?? []).map((x) => Number(x));
  if (n !== data.rows || total !== data.sumV) {
    throw new Error(`result check failed: sum(n) ${n} (want ${data.rows}), sum(total) ${total} (want ${data.sumV})`);
  }
}

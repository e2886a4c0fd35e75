// The Nexmark queries in Sluice SQL, translated from nexmark/nexmark's nexmark-flink/src/main/resources/queries
// (Flink's TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), ...)) becomes Sluice's TUMBLE(bid, date_time, ...)), and
// which relations each reads. q3 is the stream-table style join: persons are a TABLE keyed by id, auctions a
// stream. The `-agg` variants are the windowed aggregation at the heart of q5 and q7 without the join that picks
// the top row; they are reported under their own names, never as q5 or q7.

import type { StreamName } from './nexmark/schema';

export interface BenchQuery {
  readonly name: string;
  readonly description: string;
  readonly select: string;
  /** The relations it reads; every event of these kinds counts as its input (sluice.queries.rows_in). */
  readonly reads: readonly StreamName[];
  /** Relations created as a TABLE (keyed by id) rather than a STREAM. */
  readonly tables?: readonly StreamName[];
}

const HOP = `HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)`;
const TUMBLE_BID = `TUMBLE(bid, date_time, INTERVAL '10' SECOND)`;

export const QUERIES: readonly BenchQuery[] = [
  {
    name: 'q0',
    description: 'pass-through',
    select: 'SELECT auction, bidder, price, date_time, extra FROM bid',
    reads: ['bid'],
  },
  {
    name: 'q1',
    description: 'currency conversion',
    select: 'SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid',
    reads: ['bid'],
  },
  {
    name: 'q2',
    description: 'selection',
    select: 'SELECT auction, price FROM bid WHERE auction % 123 = 0',
    reads: ['bid'],
  },
  {
    name: 'q3',
    description: 'local item suggestion (auction stream ⋈ person table)',
    select: `SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,
    reads: ['auction', 'person'],
    tables: ['person'],
  },
  {
    name: 'q5',
    description: 'hot items (HOP 10 s / 2 s)',
    select: `SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.window_start, AuctionBids.window_end
FROM (SELECT auction, count(*) AS num, window_start, window_end FROM ${HOP}
      GROUP BY auction, window_start, window_end) AS AuctionBids
JOIN (SELECT max(CountBids.num) AS maxn, CountBids.window_start, CountBids.window_end
      FROM (SELECT count(*) AS num, window_start, window_end FROM ${HOP}
            GROUP BY auction, window_start, window_end) AS CountBids
      GROUP BY CountBids.window_start, CountBids.window_end) AS MaxBids
ON AuctionBids.window_start = MaxBids.window_start AND AuctionBids.window_end = MaxBids.window_end
   AND AuctionBids.num >= MaxBids.maxn`,
    reads: ['bid'],
  },
  {
    name: 'q5-agg',
    description: 'q5 without the top-1 join: bids per auction per HOP window',
    select: `SELECT auction, count(*) AS num, window_start, window_end FROM ${HOP}
GROUP BY auction, window_start, window_end`,
    reads: ['bid'],
  },
  {
    name: 'q7',
    description: 'highest bid (TUMBLE 10 s)',
    select: `SELECT B.auction, B.price, B.bidder, B.date_time, B.extra
FROM ${TUMBLE_BID} AS B
JOIN (SELECT max(price) AS maxprice, window_start, window_end FROM ${TUMBLE_BID}
      GROUP BY window_start, window_end) AS B1
ON B.window_start = B1.window_start AND B.window_end = B1.window_end AND B.price = B1.maxprice`,
    reads: ['bid'],
  },
  {
    name: 'q7-agg',
    description: 'q7 without the join: max bid per TUMBLE window',
    select: `SELECT window_start, window_end, max(price) AS maxprice FROM ${TUMBLE_BID}
GROUP BY window_start, window_end`,
    reads: ['bid'],
  },
  {
    name: 'q8',
    description: 'monitor new users (window join of persons and auctions)',
    select: `SELECT P.id, P.name, P.window_start AS starttime
FROM (SELECT id, name, window_start, window_end FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
      GROUP BY id, name, window_start, window_end) AS P
JOIN (SELECT seller, window_start, window_end FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
      GROUP BY seller, window_start, window_end) AS A
ON P.id = A.seller AND P.window_start = A.window_start AND P.window_end = A.window_end`,
    reads: ['person', 'auction'],
  },
  {
    name: 'q11',
    description: 'user sessions (SESSION 10 s per bidder)',
    select: `SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM SESSION(bid, date_time, INTERVAL '10' SECOND)
GROUP BY bidder, window_start, window_end`,
    reads: ['bid'],
  },
];

export function queryByName(name: string): BenchQuery {
  const q = QUERIES.find((x) => x.name === name);
  if (!q) throw new Error(`unknown query ${name}; known: ${QUERIES.map((x) => x.name).join(', ')}`);
  return q;
}

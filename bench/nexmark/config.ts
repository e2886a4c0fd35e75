// The generator's parameters, with the reference's defaults (nexmark/nexmark NexmarkConfiguration and
// GeneratorConfig), and the arithmetic on event numbers that the reference derives from them.

export interface NexmarkConfig {
  /** Events per second of event time: consecutive events are 1e6 / rate microseconds apart. */
  readonly rate: number;
  readonly seed: number;
  /** Event time of event 0, in milliseconds since the epoch. Fixed (not the wall clock) so that runs repeat. */
  readonly baseTimeMs: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

/** 2026-01-01T00:00:00Z. */
export const DEFAULT_BASE_TIME_MS = 1767225600000;

export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  return {
    // The reference's firstEventRate: 10,000 events/s, so 10 s windows hold 100,000 events and close often.
    rate: 10_000,
    seed: 1,
    baseTimeMs: DEFAULT_BASE_TIME_MS,
    personProportion: 1,
    auctionProportion: 3,
    bidProportion: 46,
    hotAuctionRatio: 2,
    hotSellersRatio: 4,
    hotBiddersRatio: 4,
    numInFlightAuctions: 100,
    numActivePeople: 1000,
    avgPersonByteSize: 200,
    avgAuctionByteSize: 500,
    avgBidByteSize: 100,
    ...overrides,
  };
}

export const FIRST_AUCTION_ID = 1000;
export const FIRST_PERSON_ID = 1000;
export const FIRST_CATEGORY_ID = 10;

export function totalProportion(c: NexmarkConfig): number {
  return c.personProportion + c.auctionProportion + c.bidProportion;
}

/** GeneratorConfig.timestampForEvent: baseTime + (long)(n * interEventDelayUs) / 1000, in milliseconds. */
export function timestampForEvent(c: NexmarkConfig, eventNumber: number): number {
  return c.baseTimeMs + Math.floor(Math.floor(eventNumber * (1_000_000 / c.rate)) / 1000);
}

export type EventKind = 'person' | 'auction' | 'bid';

/** Which kind event `eventId` is: the reference picks by eventId % totalProportion. */
export function kindOf(c: NexmarkConfig, eventId: number): EventKind {
  const rem = eventId % totalProportion(c);
  if (rem < c.personProportion) return 'person';
  if (rem < c.personProportion + c.auctionProportion) return 'auction';
  return 'bid';
}

/** How many persons, auctions and bids the events [first, first + count) hold. */
export function kindCounts(c: NexmarkConfig, first: number, count: number): Record<EventKind, number> {
  const before = countsBelow(c, first);
  const upto = countsBelow(c, first + count);
  return { person: upto.person - before.person, auction: upto.auction - before.auction, bid: upto.bid - before.bid };
}

function countsBelow(c: NexmarkConfig, n: number): Record<EventKind, number> {
  const total = totalProportion(c);
  const epochs = Math.floor(n / total);
  const rem = n - epochs * total;
  const person = epochs * c.personProportion + Math.min(rem, c.personProportion);
  const auction = epochs * c.auctionProportion +
    Math.min(Math.max(rem - c.personProportion, 0), c.auctionProportion);
  return { person, auction, bid: n - person - auction };
}

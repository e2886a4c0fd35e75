// Ids as the reference computes them (PersonGenerator, AuctionGenerator): every id is a function of the event id,
// so bids name auctions and people that exist (or are about to), and "hot" ids are the first of each batch of 100.

import { type NexmarkConfig, totalProportion } from './config';
import type { Prng } from './prng';

/** Number of yet-to-be-created people and auction ids allowed (PERSON_ID_LEAD, AUCTION_ID_LEAD). */
const ID_LEAD = 10;

/** The batch size of which the first auction / person is "hot" (HOT_AUCTION_RATIO, HOT_SELLER_RATIO, ...). */
export const HOT_BATCH = 100;

/** The last person id (base 0) generated at or before `eventId`. */
export function lastBase0PersonId(c: NexmarkConfig, eventId: number): number {
  const total = totalProportion(c);
  const epoch = Math.floor(eventId / total);
  let offset = eventId - epoch * total;
  if (offset >= c.personProportion) offset = c.personProportion - 1;
  return epoch * c.personProportion + offset;
}

/** The last auction id (base 0) generated at or before `eventId`. */
export function lastBase0AuctionId(c: NexmarkConfig, eventId: number): number {
  const total = totalProportion(c);
  let epoch = Math.floor(eventId / total);
  let offset = eventId - epoch * total;
  if (offset < c.personProportion) {
    epoch--;
    offset = c.auctionProportion - 1;
  } else if (offset >= c.personProportion + c.auctionProportion) {
    offset = c.auctionProportion - 1;
  } else {
    offset -= c.personProportion;
  }
  return epoch * c.auctionProportion + offset;
}

/** A random active person (one of the last numActivePeople, plus a few not yet created). */
export function nextBase0PersonId(c: NexmarkConfig, eventId: number, rnd: Prng): number {
  const numPeople = lastBase0PersonId(c, eventId) + 1;
  const activePeople = Math.min(numPeople, c.numActivePeople);
  return numPeople - activePeople + rnd.nextInt(activePeople + ID_LEAD);
}

/** A random auction likely still in flight (one of the last numInFlightAuctions, plus a few not yet created). */
export function nextBase0AuctionId(c: NexmarkConfig, eventId: number, rnd: Prng): number {
  const maxAuction = lastBase0AuctionId(c, eventId);
  const minAuction = Math.max(maxAuction - c.numInFlightAuctions, 0);
  return minAuction + rnd.nextInt(maxAuction - minAuction + 1 + ID_LEAD);
}

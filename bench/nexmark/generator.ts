// The Nexmark event generator (nexmark/nexmark's NexmarkGenerator, PersonGenerator, AuctionGenerator and
// BidGenerator) with one generator, no out-of-order groups and no extended bids: event n has id n and event time
// timestampForEvent(n); n % 50 picks a person (1), an auction (3) or a bid (46). Events come out in columnar
// batches, one per stream, so that feeding them to an engine is not dominated by allocating row objects.

import {
  FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, type NexmarkConfig, kindCounts, kindOf, timestampForEvent,
  totalProportion,
} from './config';
import { HOT_BATCH, lastBase0AuctionId, lastBase0PersonId, nextBase0AuctionId, nextBase0PersonId } from './ids';
import { Prng } from './prng';
import { type ColumnBatch, type EventBatch, STREAM_COLUMNS, type StreamName } from './schema';
import { nextPrice, Strings } from './strings';
import { Channels } from './channels';

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle',
  'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const NUM_CATEGORIES = 5;

export class NexmarkGenerator {
  private readonly rnd: Prng;
  private readonly strings: Strings;
  private readonly channels: Channels;
  /** Events until numInFlightAuctions more auctions exist: sets the average auction length. */
  private readonly eventsForInFlightAuctions: number;
  private next = 0;

  constructor(readonly config: NexmarkConfig) {
    this.rnd = new Prng(config.seed);
    this.strings = new Strings(this.rnd);
    this.channels = new Channels(config.seed, this.rnd);
    this.eventsForInFlightAuctions = Math.floor(config.numInFlightAuctions * totalProportion(config) /
      config.auctionProportion);
  }

  /** Number of the next event to generate. */
  get position(): number {
    return this.next;
  }

  /** The next `count` events. */
  nextBatch(count: number): EventBatch {
    const first = this.next;
    const c = this.config;
    const sizes = kindCounts(c, first, count);
    const person = allocate('person', sizes.person);
    const auction = allocate('auction', sizes.auction);
    const bid = allocate('bid', sizes.bid);
    let p = 0;
    let a = 0;
    let b = 0;
    for (let n = first; n < first + count; n++) {
      const timestamp = timestampForEvent(c, n);
      switch (kindOf(c, n)) {
        case 'person': this.person(person, p++, n, timestamp); break;
        case 'auction': this.auction(auction, a++, n, timestamp); break;
        case 'bid': this.bid(bid, b++, n, timestamp); break;
      }
    }
    this.next = first + count;
    return { firstEvent: first, count, person, auction, bid };
  }

  private person(out: ColumnBatch, i: number, eventId: number, timestampMs: number): void {
    const r = this.rnd;
    const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
    const email = `${this.strings.nextString(7)}@${this.strings.nextString(5)}.com`;
    const card = [0, 1, 2, 3].map(() => String(r.nextInt(10000)).padStart(4, '0')).join(' ');
    const city = US_CITIES[r.nextInt(US_CITIES.length)];
    const state = US_STATES[r.nextInt(US_STATES.length)];
    const size = 8 + name.length + email.length + card.length + city.length + state.length;
    const col = out.columns;
    (col[0] as Float64Array)[i] = lastBase0PersonId(this.config, eventId) + FIRST_PERSON_ID;
    (col[1] as string[])[i] = name;
    (col[2] as string[])[i] = email;
    (col[3] as string[])[i] = card;
    (col[4] as string[])[i] = city;
    (col[5] as string[])[i] = state;
    (col[6] as Float64Array)[i] = timestampMs * 1000;
    (col[7] as string[])[i] = this.strings.nextExtra(size, this.config.avgPersonByteSize);
  }

  private auction(out: ColumnBatch, i: number, eventId: number, timestampMs: number): void {
    const c = this.config;
    const r = this.rnd;
    // A hot seller with probability 1 - 1/hotSellersRatio: the first person of the latest batch of 100.
    const seller = r.nextInt(c.hotSellersRatio) > 0
      ? Math.floor(lastBase0PersonId(c, eventId) / HOT_BATCH) * HOT_BATCH
      : nextBase0PersonId(c, eventId, r);
    const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
    const initialBid = nextPrice(r);
    // Lengths average the time until numInFlightAuctions more auctions exist, so about that many are open.
    const horizonMs = timestampForEvent(c, eventId + this.eventsForInFlightAuctions) - timestampMs;
    const expires = timestampMs + 1 + r.nextInt(Math.max(horizonMs * 2, 1));
    const itemName = this.strings.nextString(20);
    const description = this.strings.nextString(100);
    const reserve = initialBid + nextPrice(r);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const col = out.columns;
    (col[0] as Float64Array)[i] = lastBase0AuctionId(c, eventId) + FIRST_AUCTION_ID;
    (col[1] as string[])[i] = itemName;
    (col[2] as string[])[i] = description;
    (col[3] as Float64Array)[i] = initialBid;
    (col[4] as Float64Array)[i] = reserve;
    (col[5] as Float64Array)[i] = timestampMs * 1000;
    (col[6] as Float64Array)[i] = expires * 1000;
    (col[7] as Float64Array)[i] = seller + FIRST_PERSON_ID;
    (col[8] as Float64Array)[i] = category;
    (col[9] as string[])[i] = this.strings.nextExtra(size, c.avgAuctionByteSize);
  }

  private bid(out: ColumnBatch, i: number, eventId: number, timestampMs: number): void {
    const c = this.config;
    const r = this.rnd;
    // A hot auction with probability 1 - 1/hotAuctionRatio: the first auction of the latest batch of 100.
    const auction = r.nextInt(c.hotAuctionRatio) > 0
      ? Math.floor(lastBase0AuctionId(c, eventId) / HOT_BATCH) * HOT_BATCH
      : nextBase0AuctionId(c, eventId, r);
    // A hot bidder with probability 1 - 1/hotBiddersRatio: the second person of the latest batch of 100, so that
    // hot bidders and hot sellers differ.
    const bidder = r.nextInt(c.hotBiddersRatio) > 0
      ? Math.floor(lastBase0PersonId(c, eventId) / HOT_BATCH) * HOT_BATCH + 1
      : nextBase0PersonId(c, eventId, r);
    const price = nextPrice(r);
    const col = out.columns;
    this.channels.pick(col[3] as string[], col[4] as string[], i);
    (col[0] as Float64Array)[i] = auction + FIRST_AUCTION_ID;
    // One revision of the reference adds FIRST_PERSON_ID twice here, which breaks bids ⋈ persons; it is added once.
    (col[1] as Float64Array)[i] = bidder + FIRST_PERSON_ID;
    (col[2] as Float64Array)[i] = price;
    (col[5] as Float64Array)[i] = timestampMs * 1000;
    (col[6] as string[])[i] = this.strings.nextExtra(8 + 8 + 8 + 8, c.avgBidByteSize);
  }
}

function allocate(stream: StreamName, length: number): ColumnBatch {
  const columns = STREAM_COLUMNS[stream].map((spec) =>
    spec.type === 'text' ? new Array<string>(length) : new Float64Array(length));
  return { stream, length, columns };
}

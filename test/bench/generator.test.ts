// The Nexmark generator: a seed fixes every event, the mix is 1:3:46, ids follow the reference's arithmetic (hot
// auctions, bidders and sellers; bids name auctions and people that exist or are about to), and event times are
// spaced by the rate.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { nexmarkConfig, timestampForEvent } from '../../bench/nexmark/config';
import { NexmarkGenerator } from '../../bench/nexmark/generator';
import { type EventBatch, numbers, strings, STREAM_NAMES } from '../../bench/nexmark/schema';
import { copyText } from '../../bench/encode/copy-text';

function generate(seed: number, events: number, batch = 5000): EventBatch[] {
  const gen = new NexmarkGenerator(nexmarkConfig({ seed }));
  const out: EventBatch[] = [];
  for (let n = 0; n < events; n += batch) out.push(gen.nextBatch(Math.min(batch, events - n)));
  return out;
}

function flatten(batches: EventBatch[]): unknown {
  return batches.map((b) => STREAM_NAMES.map((s) => b[s].columns.map((c) => Array.from(c as ArrayLike<unknown>))));
}

test('the same seed gives the same events, whatever the batch size; another seed does not', () => {
  const a = generate(42, 20_000);
  const b = generate(42, 20_000);
  assert.deepEqual(flatten(a), flatten(b));
  const whole = generate(42, 20_000, 20_000)[0];
  const split = generate(42, 20_000, 7_000);
  assert.deepEqual(Array.from(numbers(whole.bid, 'price')),
    split.flatMap((x) => Array.from(numbers(x.bid, 'price'))));
  const c = generate(43, 20_000);
  assert.notDeepEqual(flatten(a), flatten(c));
});

test('persons, auctions and bids come 1:3:46, with ids in sequence from 1000', () => {
  const [batch] = generate(1, 50_000, 50_000);
  assert.equal(batch.person.length, 1_000);
  assert.equal(batch.auction.length, 3_000);
  assert.equal(batch.bid.length, 46_000);
  const personIds = numbers(batch.person, 'id');
  const auctionIds = numbers(batch.auction, 'id');
  for (let i = 0; i < personIds.length; i++) assert.equal(personIds[i], 1000 + i);
  for (let i = 0; i < auctionIds.length; i++) assert.equal(auctionIds[i], 1000 + i);
});

test('hot auctions take about half the bids, hot bidders and sellers about three quarters', () => {
  const [batch] = generate(7, 200_000, 200_000);
  const auctions = numbers(batch.bid, 'auction');
  const bidders = numbers(batch.bid, 'bidder');
  const sellers = numbers(batch.auction, 'seller');
  const share = (xs: Float64Array, hot: (x: number) => boolean): number => xs.filter(hot).length / xs.length;
  // Hot ids are the first (sellers) or second (bidders) of a batch of 100, counted from 1000.
  const hotAuction = share(auctions, (a) => (a - 1000) % 100 === 0);
  const hotBidder = share(bidders, (b) => (b - 1000) % 100 === 1);
  const hotSeller = share(sellers, (s) => (s - 1000) % 100 === 0);
  // Cold picks land on a hot id now and then, so the shares sit a little above 1 - 1/ratio.
  assert.ok(hotAuction > 0.49 && hotAuction < 0.53, `hot auction share ${hotAuction}`);
  assert.ok(hotBidder > 0.74 && hotBidder < 0.77, `hot bidder share ${hotBidder}`);
  assert.ok(hotSeller > 0.73 && hotSeller < 0.78, `hot seller share ${hotSeller}`);
});

test('bids name auctions among the last 100 (plus 10 ahead) and active people (1000, plus 10 ahead)', () => {
  const [batch] = generate(3, 100_000, 100_000);
  const auctions = numbers(batch.bid, 'auction');
  const bidders = numbers(batch.bid, 'bidder');
  const times = numbers(batch.bid, 'date_time');
  const maxAuctionId = numbers(batch.auction, 'id')[batch.auction.length - 1];
  const maxPersonId = numbers(batch.person, 'id')[batch.person.length - 1];
  for (let i = 0; i < auctions.length; i++) {
    assert.ok(auctions[i] >= 1000 && auctions[i] <= maxAuctionId + 10);
    assert.ok(bidders[i] >= 1000 && bidders[i] <= maxPersonId + 10);
  }
  // Events late in the run do not pick auctions from its beginning: ~100 in flight.
  const last = auctions.length - 1;
  assert.ok(auctions[last] >= maxAuctionId - 110, `${auctions[last]} vs ${maxAuctionId}`);
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]));
});

test('event times are spaced by the rate', () => {
  const config = nexmarkConfig({ rate: 1000 });
  const gen = new NexmarkGenerator(config);
  const batch = gen.nextBatch(100);
  // Event 0 is a person; event n happens n milliseconds after the base time at 1,000 events/s.
  assert.equal(numbers(batch.person, 'date_time')[0], config.baseTimeMs * 1000);
  assert.equal(timestampForEvent(config, 99), config.baseTimeMs + 99);
  assert.equal(numbers(batch.bid, 'date_time')[batch.bid.length - 1], (config.baseTimeMs + 99) * 1000);
});

test('fields look like the reference: prices, categories, channels, sizes', () => {
  const [batch] = generate(5, 50_000, 50_000);
  const prices = numbers(batch.bid, 'price');
  assert.ok(prices.every((p) => p >= 100 && p <= 100_000_000 && Number.isInteger(p)));
  assert.ok(numbers(batch.auction, 'category').every((c) => c >= 10 && c < 15));
  const channels = strings(batch.bid, 'channel');
  const hot = channels.filter((c) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(c)).length / channels.length;
  assert.ok(hot > 0.48 && hot < 0.52, `hot channel share ${hot}`);
  assert.ok(strings(batch.bid, 'url').every((u) => u.startsWith('https://www.nexmark.com/')));
  const extras = strings(batch.bid, 'extra');
  const mean = extras.reduce((n, e) => n + e.length, 0) / extras.length;
  assert.ok(mean > 64 && mean < 72, `mean bid extra ${mean}`);
  assert.ok(strings(batch.person, 'credit_card').every((c) => /^\d{4} \d{4} \d{4} \d{4}$/.test(c)));
});

test('no generated string needs escaping in COPY text format', () => {
  const [batch] = generate(9, 20_000, 20_000);
  for (const s of STREAM_NAMES) {
    const text = copyText(batch[s]).toString('latin1');
    assert.equal(text.split('\n').length - 1, batch[s].length);
    assert.ok(!/[\\\r]/.test(text));
    for (const line of text.split('\n').slice(0, -1)) assert.equal(line.split('\t').length, batch[s].columns.length);
  }
});

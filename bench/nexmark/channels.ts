// Bid channels and URLs as the reference's BidGenerator draws them: half the bids come from four hot channels
// (Google, Facebook, Baidu, Apple), the rest from "channel-0" .. "channel-9999", whose URLs usually carry
// `&channel_id=` and the bit-reversed channel number. The reference draws URLs from an unseeded Random; here each
// channel's URL comes from its own seeded generator, so it is the same whichever bid names the channel first.

import { Prng } from './prng';
import { Strings } from './strings';

const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;

export class Channels {
  private readonly hotUrls: string[];
  private readonly names = new Array<string | undefined>(CHANNELS_NUMBER);
  private readonly urls = new Array<string>(CHANNELS_NUMBER);

  constructor(private readonly seed: number, private readonly rnd: Prng) {
    const r = new Prng(seed ^ 0x5bd1e995);
    this.hotUrls = HOT_CHANNELS.map(() => baseUrl(new Strings(r)));
  }

  /** Writes bid i's channel and url. */
  pick(channel: string[], url: string[], i: number): void {
    if (this.rnd.nextInt(HOT_CHANNELS_RATIO) > 0) {
      const h = this.rnd.nextInt(HOT_CHANNELS.length);
      channel[i] = HOT_CHANNELS[h];
      url[i] = this.hotUrls[h];
      return;
    }
    const n = this.rnd.nextInt(CHANNELS_NUMBER);
    if (this.names[n] === undefined) this.create(n);
    channel[i] = this.names[n]!;
    url[i] = this.urls[n];
  }

  private create(n: number): void {
    const r = new Prng((this.seed * 31 + n + 1) | 0);
    let url = baseUrl(new Strings(r));
    if (r.nextInt(10) > 0) url += `&channel_id=${Math.abs(reverseBits32(n))}`;
    this.names[n] = `channel-${n}`;
    this.urls[n] = url;
  }
}

function baseUrl(s: Strings): string {
  return `https://www.nexmark.com/${s.nextString(5, '_')}/${s.nextString(5, '_')}/${s.nextString(5, '_')}/item.htm?query=1`;
}

/** Java's Integer.reverse. */
export function reverseBits32(x: number): number {
  let v = x >>> 0;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  v = (v >>> 16) | (v << 16);
  return v | 0;
}

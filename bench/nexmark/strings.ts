// Strings and prices as the reference draws them (StringsGenerator, PriceGenerator).
//
// One departure, for speed: the reference's `extra` padding (nextExactString) is built letter by letter; here it is
// a slice of a seeded pool of random lowercase letters at a random offset. Lengths follow the reference exactly
// (nextExtra), the alphabet is the same, and V8 keeps such slices as views of the pool instead of copies, so a
// million bids do not cost sixty million character appends.

import type { Prng } from './prng';

const MIN_STRING_LENGTH = 3;
const POOL_LENGTH = 1 << 20;

export class Strings {
  /** Built on first use: generators that only need nextString (URLs) never pay for it. */
  private pool = '';

  constructor(private readonly rnd: Prng) {}

  /** StringsGenerator.nextString: 3 to maxLength - 1 letters, about one in 13 replaced by `special`, trimmed. */
  nextString(maxLength: number, special = ' '): string {
    let len = MIN_STRING_LENGTH + this.rnd.nextInt(maxLength - MIN_STRING_LENGTH);
    let s = '';
    while (len-- > 0) s += this.rnd.nextInt(13) === 0 ? special : String.fromCharCode(97 + this.rnd.nextInt(26));
    return s.trim();
  }

  /** StringsGenerator.nextExactString: exactly `length` random lowercase letters. */
  nextExactString(length: number): string {
    if (length <= 0) return '';
    if (this.pool === '') this.pool = letterPool(this.rnd);
    const at = this.rnd.nextInt(POOL_LENGTH - length);
    return this.pool.substring(at, at + length);
  }

  /** StringsGenerator.nextExtra: padding so that currentSize + its length averages desiredAverageSize (±20%). */
  nextExtra(currentSize: number, desiredAverageSize: number): string {
    if (currentSize > desiredAverageSize) return '';
    const wanted = desiredAverageSize - currentSize;
    const delta = Math.round(wanted * 0.2);
    const minSize = wanted - delta;
    return this.nextExactString(minSize + (delta === 0 ? 0 : this.rnd.nextInt(2 * delta)));
  }
}

/** PriceGenerator.nextPrice: round(10^(6u) * 100), log-uniform from 100 to 100,000,000 (cents). */
export function nextPrice(rnd: Prng): number {
  return Math.round(Math.pow(10, rnd.nextDouble() * 6) * 100);
}

function letterPool(rnd: Prng): string {
  const codes = new Uint8Array(POOL_LENGTH);
  for (let i = 0; i < POOL_LENGTH; i++) codes[i] = 97 + rnd.nextInt(26);
  return Buffer.from(codes).toString('latin1');
}

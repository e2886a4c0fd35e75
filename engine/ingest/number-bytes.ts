// Numbers read straight from the bytes of a field, for the forms nearly every CSV or COPY file holds: plain digits
// with an optional sign, and decimals without exponent. Numbers stay below 2^53, so the result is exact (an integer)
// or correctly rounded (one division of two exact doubles), just as the text parsers' Number(text) would give; a
// bigint of up to 18 digits is written as its exact int64 bits. Anything else (spaces, exponents, NaN, more digits,
// garbage) is refused (NaN, false), and the caller goes to the text parser, which alone words the errors.

const MAX_DIGITS = 15; // 10^15 < 2^53: every such integer is an exact double
const POWERS_OF_TEN = Array.from({ length: MAX_DIGITS + 1 }, (_, k) => 10 ** k);

/** `[+-]digits` in bytes[start, end) with at most 15 digits, or NaN. */
export function integerAt(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const sign = bytes[i];
  if (sign === 45 || sign === 43) i++; // '-' '+'
  if (i === end || end - i > MAX_DIGITS) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  // + 0 turns -0 into 0, as the text parser's Number(text) + 0 does.
  return (sign === 45 ? -n : n) + 0;
}

/** `[+-]digits[.digits]` or `[+-].digits` in bytes[start, end) with at most 15 digits in all, or NaN. -0 stays -0. */
export function decimalAt(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const sign = bytes[i];
  if (sign === 45 || sign === 43) i++;
  let n = 0;
  let digits = 0;
  let fraction = -1; // digits after the point, -1 before it
  for (; i < end; i++) {
    const c = bytes[i];
    if (c === 46 && fraction < 0) { // '.'
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0 || digits > MAX_DIGITS) return NaN;
  const v = fraction > 0 ? n / POWERS_OF_TEN[fraction] : n;
  return sign === 45 ? -v : v;
}

const TWO_16 = 65536;
const TWO_32 = 4294967296;
const INT64_DIGITS = 18; // 10^18 < 2^63: every such integer is an int64

/**
 * Writes `[+-]digits` in bytes[start, end), up to 18 digits, exactly as int64 row i of `view` (the Int32 view of a
 * BigInt64Array, engine/columns int32View); false, writing nothing, for any other form. No BigInt: the number is
 * hi * 10^9 + lo, put together from 16- and 32-bit pieces that doubles hold exactly.
 */
export function writeInt64At(bytes: Uint8Array, start: number, end: number, view: Int32Array, i: number): boolean {
  let p = start;
  const sign = bytes[p];
  if (sign === 45 || sign === 43) p++;
  if (p === end || end - p > INT64_DIGITS) return false;
  const split = Math.max(p, end - 9);
  let hi = 0;
  for (let k = p; k < split; k++) {
    const d = bytes[k] - 48;
    if (d < 0 || d > 9) return false;
    hi = hi * 10 + d;
  }
  let lo = 0;
  for (let k = split; k < end; k++) {
    const d = bytes[k] - 48;
    if (d < 0 || d > 9) return false;
    lo = lo * 10 + d;
  }
  // hi < 10^9 < 2^30: hi * 10^9 = (hiHigh * 2^16 + hiLow) * 10^9, each product below 2^46.
  const hiHigh = Math.floor(hi / TWO_16);
  const a = (hi % TWO_16) * 1e9 + lo;
  const b = hiHigh * 1e9;
  // value = b * 2^16 + a = floor(b / 2^16) * 2^32 + ((b mod 2^16) * 2^16 + a)
  const c = (b % TWO_16) * TWO_16 + a;
  let low = c % TWO_32;
  let high = Math.floor(b / TWO_16) + Math.floor(c / TWO_32);
  if (sign === 45) {
    // Two's complement of the 64 bits: 2^64 - value.
    high = low === 0 ? -high : ~high;
    low = low === 0 ? 0 : TWO_32 - low;
  }
  view[2 * i] = low; // Int32Array stores modulo 2^32
  view[2 * i + 1] = high;
  return true;
}

/**
 * The JSON number in bytes[start, end) (already checked against JSON's grammar) as the double JSON.parse gives:
 * short decimals on the fast path above, which rounds as correctly as JSON.parse; exponents and long ones by Number.
 */
export function jsonNumberAt(bytes: Buffer, start: number, end: number): number {
  const v = decimalAt(bytes, start, end);
  return v === v ? v : Number(bytes.toString('latin1', start, end));
}

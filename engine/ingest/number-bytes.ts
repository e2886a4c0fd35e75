// Numbers read straight from the bytes of a field, for the forms nearly every CSV or COPY file holds: plain digits
// with an optional sign, and decimals without exponent. Both stay below 2^53, so the result is exact (an integer)
// or correctly rounded (one division of two exact doubles), just as the text parsers' Number(text) would give.
// Anything else (spaces, exponents, NaN, more digits, garbage) returns NaN, and the caller goes to the text parser,
// which alone words the errors.

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

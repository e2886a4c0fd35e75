// sqrt and power of NUMERIC, computed in decimal as PostgreSQL 15 does (numeric.c sqrt_var, power_var,
// power_var_int), not through a double: the same result scales, and every digit of them right (the exact value
// rounded half away from zero). sqrt is an integer square root over BigInt; power by an integer is repeated squaring,
// exact while the result has at most a working number of significant digits and rounded to them beyond; power by
// a fraction is exp(y · ln x) in BigInt fixed point with guard digits.

import { SqlError, SQLSTATE } from '../errors';
import {
  base10000Lead, checked, type Dec, type Decimal, isSpecial, MAX_DISPLAY_SCALE, MAX_WEIGHT_DIGITS, MIN_SIG_DIGITS,
  overflow, pow10, roundedQuotient,
} from './decimal';

/** Digits beyond those the result needs, so that the rounding errors of the steps stay below its last digit. */
const GUARD_DIGITS = 12;
/** PostgreSQL's NUMERIC_MAX_RESULT_SCALE: a power whose natural log passes 3.01 times it cannot be represented. */
const MAX_RESULT_SCALE = 2000;

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const digitCount = (x: bigint): number => (x === 0n ? 1 : abs(x).toString().length);
const clampScale = (s: number): number => Math.min(Math.max(s, 0), MAX_DISPLAY_SCALE);

function powerError(message: string): SqlError {
  return new SqlError(SQLSTATE.invalid_argument_for_power_function, message);
}

/** coef · 10^-scale, where scale may be negative while computing. */
interface Num {
  readonly coef: bigint;
  readonly scale: number;
}

/** The value at `scale` digits after the point, half away from zero (scale ≥ 0). */
function roundTo(n: Num, scale: number): Dec {
  if (n.scale <= scale) return checked({ coef: n.coef * pow10(scale - n.scale), scale });
  return checked({ coef: roundedQuotient(n.coef, pow10(n.scale - scale)), scale });
}

/** n with at most `digits` significant digits, half away from zero. */
function trimmed(n: Num, digits: number): Num {
  const extra = digitCount(n.coef) - digits;
  if (extra <= 0) return n;
  return { coef: roundedQuotient(n.coef, pow10(extra)), scale: n.scale - extra };
}

/** Approximate log10 |d| of a nonzero decimal, from its leading digits. */
function log10Abs(d: Dec): number {
  const digits = abs(d.coef).toString();
  const lead = Number(`${digits.slice(0, 1)}.${digits.slice(1, 17) || '0'}`);
  return Math.log10(lead) + digits.length - 1 - d.scale;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// sqrt

/** sqrt(numeric): at least 16 significant digits and never fewer decimals than the input (sqrt_var's scale). */
export function sqrtDecimal(a: Decimal): Decimal {
  if (a === 'NaN' || a === 'Infinity') return a;
  if (a === '-Infinity' || a.coef < 0n) {
    throw new SqlError(SQLSTATE.invalid_argument_for_power_function, 'cannot take square root of a negative number');
  }
  // The result's decimal weight is about half the input's (base-10000 weight + 1) · 4.
  const resultWeight = (base10000Lead(a).weight + 1) * 2 - 1;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - resultWeight, a.scale));
  // sqrt(coef · 10^-scale) to rscale + 1 digits, truncated; the last digit rounds it.
  const root = isqrt(a.coef * pow10(2 * (rscale + 1) - a.scale));
  return roundTo({ coef: root, scale: rscale + 1 }, rscale);
}

// ---------------------------------------------------------------------------------------------------------------
// power

const ONE: Dec = { coef: 1n, scale: 0 };

/** power(numeric, numeric) and numeric ^ numeric. */
export function powerDecimal(x: Decimal, y: Decimal): Decimal {
  if (isSpecial(x) || isSpecial(y)) return powerOfSpecial(x, y);
  if (x.coef === 0n && y.coef < 0n) throw powerError('zero raised to a negative power is undefined');
  const exponent = integralExponent(y);
  if (exponent !== null) return powerInteger(x, exponent);
  if (x.coef < 0n) throw powerError('a negative number raised to a non-integer power yields a complex result');
  return powerFraction(x, y);
}

/** y as an integer when it is one within int32 (PostgreSQL then multiplies instead of taking logarithms). */
function integralExponent(y: Dec): number | null {
  const unit = pow10(y.scale);
  if (y.coef % unit !== 0n) return null;
  const n = y.coef / unit;
  return n >= -2147483648n && n <= 2147483647n ? Number(n) : null;
}

/** NaN and infinities, by PostgreSQL's rules (those of POSIX pow, and 1 ^ NaN = NaN ^ 0 = 1). */
function powerOfSpecial(x: Decimal, y: Decimal): Decimal {
  const isOne = (d: Decimal): boolean => !isSpecial(d) && d.coef === pow10(d.scale);
  const isZero = (d: Decimal): boolean => !isSpecial(d) && d.coef === 0n;
  if (x === 'NaN') return isZero(y) ? ONE : 'NaN';
  if (y === 'NaN') return isOne(x) ? ONE : 'NaN';
  const sign = (d: Decimal): number => (d === 'Infinity' ? 1 : d === '-Infinity' ? -1 : Math.sign(Number((d as Dec).coef)));
  if (sign(x) === 0 && sign(y) < 0) throw powerError('zero raised to a negative power is undefined');
  if (sign(x) < 0 && !isSpecial(y) && y.coef % pow10(y.scale) !== 0n) {
    throw powerError('a negative number raised to a non-integer power yields a complex result');
  }
  const xf = isSpecial(x) ? Number(x) : Number(`${x.coef}e-${x.scale}`);
  const yf = isSpecial(y) ? Number(y) : Number(`${y.coef}e-${y.scale}`);
  // POSIX: pow(±1, ±inf) = 1 (JavaScript says NaN).
  const r = Math.abs(xf) === 1 && !Number.isFinite(yf) ? 1 : Math.pow(xf, yf);
  if (r === Infinity) return 'Infinity';
  if (r === -Infinity) return '-Infinity';
  return { coef: BigInt(r), scale: 0 };
}

/** power_var_int: at least 16 decimals, never fewer than the base's. */
function powerInteger(x: Dec, e: number): Dec {
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS, x.scale));
  if (e === 0) return { coef: pow10(rscale), scale: rscale };
  if (x.coef === 0n) return { coef: 0n, scale: rscale };
  const weight = e * log10Abs(x);
  if (weight > MAX_WEIGHT_DIGITS) throw overflow();
  if (weight + 1 < -rscale) return { coef: 0n, scale: rscale };
  // |x|^|e| to as many significant digits as the result shows, and guard digits for the roundings on the way.
  const digits = Math.max(rscale + Math.ceil(weight), 1) + GUARD_DIGITS + Math.ceil(Math.log10(Math.abs(e)));
  const magnitude = powerBySquaring(x, Math.abs(e), digits);
  if (e > 0) return roundTo(magnitude, rscale);
  // 1 / x^|e| at rscale: 10^(rscale + m.scale) / m.coef, where m.scale may be negative.
  const shift = rscale + magnitude.scale;
  const num = shift >= 0 ? pow10(shift) : 1n;
  const den = shift >= 0 ? magnitude.coef : magnitude.coef * pow10(-shift);
  return checked({ coef: roundedQuotient(num, den), scale: rscale });
}

function powerBySquaring(x: Dec, e: number, digits: number): Num {
  let result: Num = { coef: 1n, scale: 0 };
  let square: Num = x;
  for (let bits = e; bits > 0; bits = Math.floor(bits / 2)) {
    if (bits % 2 === 1) result = trimmed({ coef: result.coef * square.coef, scale: result.scale + square.scale }, digits);
    if (bits > 1) square = trimmed({ coef: square.coef * square.coef, scale: square.scale * 2 }, digits);
  }
  return result;
}

/** power_var for a fractional exponent: exp(y · ln x), x > 0 (or 0, whose powers are 0). */
function powerFraction(x: Dec, y: Dec): Dec {
  if (x.coef === 0n) return { coef: 0n, scale: MIN_SIG_DIGITS };
  const lnResult = Number(`${y.coef}e-${y.scale}`) * log10Abs(x) * Math.LN10;
  if (Math.abs(lnResult) > MAX_RESULT_SCALE * 3.01) {
    if (lnResult > 0) throw overflow();
    return { coef: 0n, scale: MAX_DISPLAY_SCALE };
  }
  const weight = Math.trunc(lnResult * Math.LOG10E);
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - weight, x.scale, y.scale));
  const digits = Math.max(rscale + weight, 0) + GUARD_DIGITS;
  // y · ln x to `digits` places: ln x needs as many more as y has digits before the point.
  const lnPlaces = digits + Math.max(digitCount(y.coef) - y.scale, 0);
  const product = lnFixed(x, lnPlaces) * y.coef;
  const exponent = roundedQuotient(product, pow10(y.scale + lnPlaces - digits));
  return roundTo(expFixed(exponent, digits), rscale);
}

// ---------------------------------------------------------------------------------------------------------------
// ln and exp in fixed point: a bigint F stands for F / 10^places

/** ln of x > 0 at `places` decimals: x = m · 10^k with m in [1, 10), ln x = ln m + k · ln 10. */
function lnFixed(x: Dec, places: number): bigint {
  const p = places + GUARD_DIGITS;
  const digits = digitCount(x.coef);
  const shift = p - (digits - 1);
  const m = shift >= 0 ? x.coef * pow10(shift) : x.coef / pow10(-shift);
  const k = BigInt(digits - 1 - x.scale);
  return (lnOfReduced(m, p) + k * lnOfReduced(10n * pow10(p), p)) / pow10(GUARD_DIGITS);
}

/** ln(m / 10^p) for m / 10^p in [1, 10]: square roots down to below 1.01, then 2 · atanh((m - 1) / (m + 1)). */
function lnOfReduced(m: bigint, p: number): bigint {
  const one = pow10(p);
  const limit = one + one / 100n;
  let halvings = 0n;
  let v = m;
  while (v > limit) {
    v = isqrt(v * one);
    halvings++;
  }
  const z = ((v - one) * one) / (v + one);
  const z2 = (z * z) / one;
  let sum = 0n;
  let power = z;
  for (let k = 1n; power !== 0n; k += 2n) {
    sum += power / k;
    power = (power * z2) / one;
  }
  return (2n * sum) << halvings;
}

/** exp(t / 10^places), as a number with `places` digits of precision: t = q · ln 10 + r, exp t = 10^q · exp r. */
function expFixed(t: bigint, places: number): Num {
  const p = places + GUARD_DIGITS;
  const one = pow10(p);
  const scaled = t * pow10(GUARD_DIGITS);
  const ln10 = lnOfReduced(10n * one, p);
  let q = scaled / ln10;
  if (scaled < 0n && q * ln10 !== scaled) q -= 1n;
  const r = scaled - q * ln10;
  // exp(r) with r in [0, ln 10): halve r until below 0.01, sum the series, square back.
  let halvings = 0;
  let w = r;
  while (w * 100n > one) {
    w /= 2n;
    halvings++;
  }
  let sum = one;
  let term = one;
  for (let k = 1n; term !== 0n; k++) {
    term = (term * w) / (one * k);
    sum += term;
  }
  for (let i = 0; i < halvings; i++) sum = (sum * sum) / one;
  return { coef: sum, scale: p - Number(q) };
}

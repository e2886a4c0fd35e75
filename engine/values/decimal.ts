// NUMERIC, exact: a value is its canonical text (what numeric_out prints: plain digits, no exponent, no '+', its
// display scale kept, so 1.50 stays 1.50) and computes as a BigInt coefficient with a decimal scale. Our own rather
// than decimal.js / big.js: those round every division to a fixed precision of their own and know nothing of
// PostgreSQL's result scales, while the arithmetic PostgreSQL does (exact + - *, division rounded at a scale chosen by
// select_div_scale, half-away-from-zero rounding) is a few lines over BigInt, with no dependency and no per-digit
// arrays. NaN and ±Infinity are NUMERIC values too (PostgreSQL 14+); NaN sorts above everything and equals itself.

import { SqlError, SQLSTATE } from '../errors';
import type { SqlType } from '../types';

/** A finite decimal: coef × 10^-scale, scale ≥ 0. */
export interface Dec {
  readonly coef: bigint;
  readonly scale: number;
}

export type Special = 'NaN' | 'Infinity' | '-Infinity';
export type Decimal = Dec | Special;

export const isSpecial = (d: Decimal): d is Special => typeof d === 'string';

// PostgreSQL's limits: 131072 digits before the point, 16383 after; division keeps at most 1000 (display scale).
export const MAX_WEIGHT_DIGITS = 131072;
const MAX_SCALE = 16383;
export const MAX_DISPLAY_SCALE = 1000;
export const MIN_SIG_DIGITS = 16;

export function overflow(): SqlError {
  return new SqlError(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
}

function divisionByZero(): SqlError {
  return new SqlError(SQLSTATE.division_by_zero, 'division by zero');
}

const POW10: bigint[] = [1n];
export function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n && i <= 64; i++) POW10.push(POW10[i - 1] * 10n);
  return n < POW10.length ? POW10[n] : 10n ** BigInt(n);
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

// ---------------------------------------------------------------------------------------------------------------
// Text

const NUMERIC_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(?:e([+-]?\d+))?$/i;

function invalidSyntax(text: string): SqlError {
  return new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type numeric: "${text}"`);
}

function special(t: string): Special | null {
  switch (t.toLowerCase()) {
    case 'nan': return 'NaN';
    case 'infinity': case '+infinity': case 'inf': case '+inf': return 'Infinity';
    case '-infinity': case '-inf': return '-Infinity';
    default: return null;
  }
}

/** numeric_in: the decimal of a text (surrounding spaces allowed, exponent form read exactly). */
export function parseDecimal(text: string): Decimal {
  const t = text.trim();
  const sp = special(t);
  if (sp !== null) return sp;
  const m = NUMERIC_RE.exec(t);
  if (m === null) throw invalidSyntax(text);
  const [, sign, body, expText] = m;
  const point = body.indexOf('.');
  const intPart = point < 0 ? body : body.slice(0, point);
  const fracPart = point < 0 ? '' : body.slice(point + 1);
  const exp = expText === undefined ? 0 : Number(expText);
  // PostgreSQL refuses exponents beyond ±1000 outright, whatever the digits.
  if (!Number.isFinite(exp) || Math.abs(exp) > MAX_DISPLAY_SCALE) throw overflow();
  let coef = BigInt(intPart + fracPart);
  let scale = fracPart.length - exp;
  if (scale < 0) {
    coef *= pow10(-scale);
    scale = 0;
  }
  if (sign === '-') coef = -coef;
  return checked({ coef, scale });
}

/** 22003 when a value leaves NUMERIC's range (as PostgreSQL's make_result). */
export function checked(d: Dec): Dec {
  if (d.scale > MAX_SCALE) throw overflow();
  if (d.coef !== 0n && abs(d.coef).toString().length - d.scale > MAX_WEIGHT_DIGITS) throw overflow();
  return d;
}

/** numeric_out: every digit of the display scale, no exponent, no sign on zero. */
export function formatDecimal(d: Decimal): string {
  if (isSpecial(d)) return d;
  const digits = abs(d.coef).toString();
  const neg = d.coef < 0n ? '-' : '';
  if (d.scale === 0) return neg + digits;
  const padded = digits.padStart(d.scale + 1, '0');
  const cut = padded.length - d.scale;
  return `${neg}${padded.slice(0, cut)}.${padded.slice(cut)}`;
}

/** The canonical text of a NUMERIC given as text (what a NUMERIC Value is). */
export function canonicalNumeric(text: string): string {
  return formatDecimal(parseDecimal(text));
}

/** float8 → numeric as PostgreSQL 15 does it: through printf's %.15g (float4: %.6g). */
export function decimalFromFloat(x: number, significantDigits = 15): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return canonicalNumeric(x.toPrecision(significantDigits).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1'));
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison

function specialRank(d: Decimal): number {
  return d === 'NaN' ? 2 : d === 'Infinity' ? 1 : d === '-Infinity' ? -1 : 0;
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const ra = specialRank(a);
  const rb = specialRank(b);
  if (ra !== 0 || rb !== 0) return Math.sign(ra - rb);
  const x = a as Dec;
  const y = b as Dec;
  const s = Math.max(x.scale, y.scale);
  const cx = x.coef * pow10(s - x.scale);
  const cy = y.coef * pow10(s - y.scale);
  return cx < cy ? -1 : cx > cy ? 1 : 0;
}

/** NUMERIC order of two canonical texts: by value, so 1.0 = 1.00 and 9 < 10. */
export function compareNumericText(a: string, b: string): number {
  if (a === b) return 0;
  return compareDecimal(parseDecimal(a), parseDecimal(b));
}

// ---------------------------------------------------------------------------------------------------------------
// Arithmetic (PostgreSQL's result scales: + - keep the larger scale, * adds them, / per select_div_scale)

function align(x: Dec, y: Dec): [bigint, bigint, number] {
  const s = Math.max(x.scale, y.scale);
  return [x.coef * pow10(s - x.scale), y.coef * pow10(s - y.scale), s];
}

const signOf = (d: Decimal): number =>
  d === 'Infinity' ? 1 : d === '-Infinity' ? -1 : d === 'NaN' ? NaN : (d as Dec).coef > 0n ? 1 : (d as Dec).coef < 0n ? -1 : 0;

const infinityOf = (sign: number): Special => (sign > 0 ? 'Infinity' : '-Infinity');

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (isSpecial(a) || isSpecial(b)) {
    if (a === 'NaN' || b === 'NaN') return 'NaN';
    if (isSpecial(a) && isSpecial(b)) return a === b ? a : 'NaN';
    return isSpecial(a) ? a : b;
  }
  const [x, y, s] = align(a, b);
  return checked({ coef: x + y, scale: s });
}

export function negateDecimal(a: Decimal): Decimal {
  if (a === 'NaN') return a;
  if (a === 'Infinity') return '-Infinity';
  if (a === '-Infinity') return 'Infinity';
  return { coef: -a.coef, scale: a.scale };
}

export function subtractDecimal(a: Decimal, b: Decimal): Decimal {
  return addDecimal(a, negateDecimal(b));
}

export function multiplyDecimal(a: Decimal, b: Decimal): Decimal {
  if (isSpecial(a) || isSpecial(b)) {
    const s = signOf(a) * signOf(b);
    // NaN, and infinity times zero, are NaN.
    return Number.isNaN(s) || s === 0 ? 'NaN' : infinityOf(s);
  }
  return checked({ coef: a.coef * b.coef, scale: a.scale + b.scale });
}

/** Weight and first digit of |d| in PostgreSQL's base-10000 digits (0 and 0 for zero). */
export function base10000Lead(d: Dec): { weight: number; first: number } {
  if (d.coef === 0n) return { weight: 0, first: 0 };
  const digits = abs(d.coef).toString();
  const intDigits = digits.length - d.scale;
  // Groups of four aligned on the decimal point: the lead group holds the digits above the last multiple of four.
  const exponent = intDigits - 1;
  const weight = Math.floor(exponent / 4);
  const leadLen = exponent - weight * 4 + 1;
  const lead = digits.slice(0, leadLen).padEnd(leadLen, '0');
  return { weight, first: Number(lead) };
}

/** PostgreSQL's select_div_scale: at least 16 significant digits, never fewer than either input's scale. */
function divScale(a: Dec, b: Dec): number {
  const x = base10000Lead(a);
  const y = base10000Lead(b);
  let qweight = x.weight - y.weight;
  if (x.first <= y.first) qweight--;
  const rscale = Math.max(MIN_SIG_DIGITS - qweight * 4, a.scale, b.scale, 0);
  return Math.min(rscale, MAX_DISPLAY_SCALE);
}

/** coef / divisor rounded half away from zero. */
export function roundedQuotient(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  if (2n * abs(r) >= abs(d)) return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
  return q;
}

export function divideDecimal(a: Decimal, b: Decimal): Decimal {
  if (a === 'NaN' || b === 'NaN') return 'NaN';
  if (!isSpecial(b) && b.coef === 0n) throw divisionByZero();
  if (isSpecial(a)) return isSpecial(b) ? 'NaN' : infinityOf(signOf(a) * signOf(b));
  if (isSpecial(b)) return { coef: 0n, scale: 0 };
  const scale = divScale(a, b);
  // a.coef·10^-sa / (b.coef·10^-sb) at `scale` digits: a.coef·10^(scale - sa + sb) / b.coef.
  const shift = scale - a.scale + b.scale;
  const num = shift >= 0 ? a.coef * pow10(shift) : a.coef;
  const den = shift >= 0 ? b.coef : b.coef * pow10(-shift);
  return checked({ coef: roundedQuotient(num, den), scale });
}

/** mod / %: the remainder of truncating division, with the larger scale (sign of the dividend). */
export function modDecimal(a: Decimal, b: Decimal): Decimal {
  if (a === 'NaN' || b === 'NaN') return 'NaN';
  if (!isSpecial(b) && b.coef === 0n) throw divisionByZero();
  if (isSpecial(a)) return 'NaN';
  if (isSpecial(b)) return a;
  const [x, y, s] = align(a, b);
  return { coef: x % y, scale: s };
}

/** The value at `scale` digits (negative: tens, hundreds, ...), half away from zero; display scale max(scale, 0). */
export function roundDecimal(a: Decimal, scale: number): Decimal {
  return rescale(a, scale, 'round');
}

export function truncDecimal(a: Decimal, scale: number): Decimal {
  return rescale(a, scale, 'trunc');
}

type Rounding = 'round' | 'trunc' | 'floor' | 'ceil';

function rescale(a: Decimal, scale: number, mode: Rounding): Decimal {
  if (isSpecial(a)) return a;
  const target = Math.max(Math.min(scale, MAX_DISPLAY_SCALE), -MAX_WEIGHT_DIGITS);
  const display = Math.max(target, 0);
  if (target >= a.scale) return { coef: a.coef * pow10(display - a.scale), scale: display };
  const unit = pow10(a.scale - target);
  let q = a.coef / unit;
  const r = a.coef - q * unit;
  if (r !== 0n) {
    if (mode === 'round' && 2n * abs(r) >= unit) q += a.coef < 0n ? -1n : 1n;
    else if (mode === 'floor' && a.coef < 0n) q -= 1n;
    else if (mode === 'ceil' && a.coef > 0n) q += 1n;
  }
  // q counts units of 10^-target; back to the display scale.
  const coef = target >= 0 ? q : q * pow10(-target);
  return checked({ coef, scale: display });
}

/**
 * NUMERIC(p, s) on a value, as PostgreSQL's apply_typmod: rounded half away from zero to s digits, then 22003 when
 * more than p - s digits remain before the point, or when it is infinite (NaN fits any).
 */
export function fitDecimal(d: Decimal, precision: number, scale: number): Decimal {
  if (d === 'NaN') return d;
  const field = `A field with precision ${precision}, scale ${scale}`;
  if (isSpecial(d)) throw fieldOverflow(`${field} cannot hold an infinite value.`);
  const rounded = rescale(d, scale, 'round') as Dec;
  const maxDigits = precision - scale;
  const digitsBeforePoint = abs(rounded.coef).toString().length - rounded.scale;
  if (rounded.coef !== 0n && digitsBeforePoint > maxDigits) {
    throw fieldOverflow(`${field} must round to an absolute value less than ${maxDigits === 0 ? '1' : `10^${maxDigits}`}.`);
  }
  return rounded;
}

function fieldOverflow(detail: string): SqlError {
  return new SqlError(SQLSTATE.numeric_value_out_of_range, 'numeric field overflow', { detail });
}

/** A NUMERIC Value (canonical text) fitted to its type's precision and scale, if it has them. */
export function fitNumeric(text: string, type: SqlType): string {
  if (type.precision === undefined) return text;
  return formatDecimal(fitDecimal(parseDecimal(text), type.precision, type.scale ?? 0));
}

export function floorDecimal(a: Decimal): Decimal {
  return rescale(a, 0, 'floor');
}

export function ceilDecimal(a: Decimal): Decimal {
  return rescale(a, 0, 'ceil');
}

export function absDecimal(a: Decimal): Decimal {
  if (a === '-Infinity') return 'Infinity';
  if (isSpecial(a)) return a;
  return { coef: abs(a.coef), scale: a.scale };
}

/** numeric → integer types: rounded half away from zero (NaN and infinities cannot be). */
export function decimalToBigInt(a: Decimal): bigint | null {
  if (isSpecial(a)) return null;
  return (rescale(a, 0, 'round') as Dec).coef;
}

/** A NUMERIC Value from a number or bigint computed elsewhere (an integer exactly, a double as float8 → numeric). */
export function numericText(v: number | bigint | string | boolean | object): string {
  if (typeof v === 'string') return canonicalNumeric(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : decimalFromFloat(v);
  throw new Error(`expected a numeric value, got ${typeof v}`);
}

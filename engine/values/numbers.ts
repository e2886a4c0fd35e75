// Numbers as PostgreSQL reads and prints them. float4/float8 print the shortest text that reads back to the same
// value, switching to exponent form like PostgreSQL 12+ (Ryu with printf's %g thresholds). NUMERIC is exact and
// lives in engine/values/decimal.ts.

import { SqlError, SQLSTATE } from '../errors';

/** Decimal digits and exponent of the first digit: 1234.5 → { digits: '12345', exp: 3 }. */
function decompose(shortestExponential: string): { digits: string; exp: number } {
  // (callers may adjust the digits of the returned object)
  const [mantissa, e] = shortestExponential.split('e');
  return { digits: mantissa.replace('.', '').replace('-', ''), exp: Number(e) };
}

/** Digits placed at decimal exponent `exp` without exponent notation. */
function fixedFromDigits(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

function formatShortest(n: number, digits: string, exp: number, fixedBelow: number): string {
  const sign = n < 0 ? '-' : '';
  if (exp >= -4 && exp < fixedBelow) return sign + fixedFromDigits(digits, exp);
  const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const e = Math.abs(exp);
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
}

function formatSpecial(n: number): string | null {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  return null;
}

/**
 * JavaScript's shortest digits may lie exactly halfway between two floats (it accepts the rounding boundary);
 * PostgreSQL's Ryu does not and prints one digit more. That only happens for integers beyond the mantissa
 * (|x| >= 2^(bits+1)), where a short decimal can be an exact midpoint; there, check with exact arithmetic.
 */
function avoidMidpoint(x: number, digits: string, exp: number, mantissaBits: number,
  round: (v: number) => number): { digits: string; exp: number } {
  const abs = Math.abs(x);
  if (abs < 2 ** (mantissaBits + 1) || !Number.isFinite(abs)) return { digits, exp };
  const ulpExp = Math.floor(Math.log2(abs)) - mantissaBits;
  // log2 can be off by one at powers of two; exactness below does not depend on it being perfect.
  const shifted = exp - (digits.length - 1);
  if (shifted < 0) return { digits, exp };
  const decimal = BigInt(digits) * 10n ** BigInt(shifted);
  const exact = BigInt(abs);
  const diff = decimal > exact ? decimal - exact : exact - decimal;
  if (diff * 2n !== 2n ** BigInt(Math.max(ulpExp, 0))) return { digits, exp };
  // Ryu then settles on the full precision: the correctly rounded 17 (float4: 9) significant digits.
  const full = mantissaBits === 52 ? 17 : 9;
  const text = abs.toExponential(full - 1);
  return round(Number(text)) === abs ? decompose(text) : { digits, exp };
}

export function formatFloat8(n: number): string {
  const special = formatSpecial(n);
  if (special !== null) return special;
  const shortest = decompose(n.toExponential());
  const { digits, exp } = avoidMidpoint(n, shortest.digits, shortest.exp, 52, (v) => v);
  return formatShortest(n, digits.replace(/0+$/, '') || '0', exp, 15);
}

/** x = m · 2^e exactly, m an integer. */
function binaryParts(x: number): { m: bigint; e: number } {
  let e = Math.floor(Math.log2(Math.abs(x))) - 52;
  let m = Math.abs(x) / 2 ** e;
  // log2 may be off by one near powers of two: keep m an integer below 2^53.
  while (!Number.isInteger(m)) {
    e -= 1;
    m = Math.abs(x) / 2 ** e;
  }
  return { m: BigInt(m), e };
}

/** Whether the decimal `digits`·10^(exp-len+1) lies strictly within half a float4 gap of f (exact arithmetic). */
function insideFloat4Interval(f: number, digits: string, exp: number): boolean {
  const abs = Math.abs(f);
  const top = Math.floor(Math.log2(abs));
  const gapExp = Math.max(top, -126) - 23;
  // Below a power of two the gap to the next smaller float is half as wide.
  const isPow2 = abs === 2 ** top && top > -126;
  const { m, e } = binaryParts(abs);
  const k = exp - (digits.length - 1);
  const P = Math.max(0, -e, -(gapExp - 2));
  const Q = Math.max(0, -k);
  const scale2 = (n: number): bigint => 2n ** BigInt(n + P);
  const X = m * scale2(e) * 10n ** BigInt(Q);
  const D = BigInt(digits) * 10n ** BigInt(k + Q) * 2n ** BigInt(P);
  const halfHigh = scale2(gapExp - 1) * 10n ** BigInt(Q);
  const halfLow = isPow2 ? scale2(gapExp - 2) * 10n ** BigInt(Q) : halfHigh;
  return D >= X ? D - X < halfHigh : X - D < halfLow;
}

/** The shortest decimal within f's rounding interval (as PostgreSQL's Ryu finds it), f a float4. */
export function formatFloat4(n: number): string {
  const special = formatSpecial(n);
  if (special !== null) return special;
  const f = Math.fround(n);
  let best = decompose(f.toExponential(8));
  for (let p = 1; p <= 9; p++) {
    const candidate = decompose(Math.abs(f).toExponential(p - 1));
    // toExponential rounds a tie away from zero; Ryu rounds it to even.
    const longer = Math.abs(f).toExponential(p + 40);
    const tie = /^5(0*)$/.test(longer.replace('.', '').replace(/e.*$/, '').slice(p));
    if (tie && Number(candidate.digits[candidate.digits.length - 1]) % 2 === 1) {
      const d = candidate.digits;
      candidate.digits = d.slice(0, -1) + String(Number(d[d.length - 1]) - 1);
    }
    if (insideFloat4Interval(f, candidate.digits, candidate.exp)) {
      best = candidate;
      break;
    }
  }
  return formatShortest(f, best.digits.replace(/0+$/, '') || '0', best.exp, 6);
}

// ---------------------------------------------------------------------------------------------------------------
// Input

export function invalidSyntax(typeName: string, text: string): SqlError {
  return new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type ${typeName}: "${text}"`);
}

const INT_RE = /^\s*[+-]?\d+\s*$/;

const INT_RANGE = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
} as const;

export function parseSmallInt(text: string): number {
  return parseInt32(text, 'smallint');
}

export function parseInteger(text: string): number {
  return parseInt32(text, 'integer');
}

function parseInt32(text: string, typeName: 'smallint' | 'integer'): number {
  if (!INT_RE.test(text)) throw invalidSyntax(typeName, text);
  const n = Number(text.trim());
  const [lo, hi] = INT_RANGE[typeName];
  if (n < lo || n > hi) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `value "${text}" is out of range for type ${typeName}`);
  }
  return n + 0;
}

export const INT8_MIN = -0x8000000000000000n;
export const INT8_MAX = 0x7fffffffffffffffn;

export function parseBigInt(text: string): bigint {
  if (!INT_RE.test(text)) throw invalidSyntax('bigint', text);
  const n = BigInt(text.trim());
  if (n < INT8_MIN || n > INT8_MAX) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `value "${text}" is out of range for type bigint`);
  }
  return n;
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseSpecialFloat(t: string): number | null {
  switch (t.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return NaN;
    case 'infinity': case '+infinity': case 'inf': case '+inf': return Infinity;
    case '-infinity': case '-inf': return -Infinity;
    default: return null;
  }
}

export function parseFloat8(text: string): number {
  return parseFloat(text, 'double precision', (n) => n);
}

export function parseFloat4(text: string): number {
  return parseFloat(text, 'real', Math.fround);
}

function parseFloat(text: string, typeName: string, round: (n: number) => number): number {
  const t = text.trim();
  const special = parseSpecialFloat(t);
  if (special !== null) return special;
  if (!FLOAT_RE.test(t)) throw invalidSyntax(typeName, text);
  const n = round(Number(t));
  const isZeroText = !/[1-9]/.test(t.replace(/e.*$/i, ''));
  if (!Number.isFinite(n) || (n === 0 && !isZeroText)) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `"${t}" is out of range for type ${typeName}`);
  }
  return n;
}

/** PostgreSQL's boolean input: any prefix of true/false/yes/no, on/off (2+ letters), 1/0; case-insensitive. */
export function parseBool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t.length > 0) {
    if ('true'.startsWith(t) || 'yes'.startsWith(t) || t === '1') return true;
    if ('false'.startsWith(t) || 'no'.startsWith(t) || t === '0') return false;
    if (t.length >= 2 && 'on'.startsWith(t)) return true;
    if (t.length >= 2 && 'off'.startsWith(t)) return false;
  }
  throw invalidSyntax('boolean', text);
}

// Numbers as PostgreSQL reads and prints them. float4/float8 print the shortest text that reads back to the same
// value, switching to exponent form like PostgreSQL 12+ (Ryu with printf's %g thresholds). NUMERIC is carried as
// a float64 inside Sluice (documented in docs/sql.md): it prints without exponent and without float noise.

import { SqlError, SQLSTATE } from '../errors';

/** Decimal digits and exponent of the first digit: 1234.5 → { digits: '12345', exp: 3 }. */
function decompose(shortestExponential: string): { digits: string; exp: number } {
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

export function formatFloat8(n: number): string {
  const special = formatSpecial(n);
  if (special !== null) return special;
  const { digits, exp } = decompose(n.toExponential());
  return formatShortest(n, digits, exp, 15);
}

/** The shortest decimal that reads back (through float32 rounding) to the same float4. */
export function formatFloat4(n: number): string {
  const special = formatSpecial(n);
  if (special !== null) return special;
  const f = Math.fround(n);
  let text = f.toExponential(8);
  for (let p = 0; p <= 8; p++) {
    const candidate = f.toExponential(p);
    if (Math.fround(Number(candidate)) === f) {
      text = candidate;
      break;
    }
  }
  const { digits, exp } = decompose(text);
  return formatShortest(f, digits.replace(/0+$/, '') || '0', exp, 6);
}

/** NUMERIC text: exact digits for integers, otherwise 15 significant digits with trailing zeros trimmed. */
export function formatNumeric(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return '0';
  if (Number.isInteger(n)) return BigInt(n).toString();
  const { digits, exp } = decompose(n.toExponential(14));
  const trimmed = digits.replace(/0+$/, '');
  return (n < 0 ? '-' : '') + fixedFromDigits(trimmed, exp);
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

export function parseNumeric(text: string): number {
  const t = text.trim();
  const special = parseSpecialFloat(t);
  if (special !== null && !/^[+-]?inf$/i.test(t)) return special;
  if (!FLOAT_RE.test(t)) throw invalidSyntax('numeric', text);
  const n = Number(t);
  if (!Number.isFinite(n)) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `value overflows numeric format`);
  }
  return n + 0;
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

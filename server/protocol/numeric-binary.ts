// NUMERIC in PostgreSQL's binary format: int16 ndigits, int16 weight, int16 sign, int16 dscale, then ndigits
// base-10000 digits; the value is sum(digit[i] * 10000^(weight - i)). Encoded from a plain decimal string so that a
// numeric computed elsewhere keeps every digit.

import { SqlError, SQLSTATE } from '../../engine/errors';

const POSITIVE = 0x0000;
const NEGATIVE = 0x4000;
const NAN = 0xc000;
const PLUS_INFINITY = 0xd000;
const MINUS_INFINITY = 0xf000;

function header(ndigits: number, weight: number, sign: number, dscale: number): Buffer {
  const b = Buffer.alloc(8 + ndigits * 2);
  b.writeInt16BE(ndigits, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(sign, 4);
  b.writeInt16BE(dscale, 6);
  return b;
}

/** `text` is a plain decimal ("-12.50", "0.001", "7"), or NaN / Infinity / -Infinity. */
export function encodeNumericText(text: string): Buffer {
  if (text === 'NaN') return header(0, 0, NAN, 0);
  if (text === 'Infinity') return header(0, 0, PLUS_INFINITY, 0);
  if (text === '-Infinity') return header(0, 0, MINUS_INFINITY, 0);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new Error(`encodeNumericText: not a plain decimal: ${JSON.stringify(text)}`);
  }
  const negative = m[1] === '-';
  const fraction = m[3] ?? '';
  const dscale = fraction.length;
  // Align both parts on 4-digit groups: the integer part to the left, the fraction to the right.
  const intPart = m[2].replace(/^0+/, '');
  const intPadded = '0'.repeat((4 - (intPart.length % 4)) % 4) + intPart;
  const fracPadded = fraction + '0'.repeat((4 - (fraction.length % 4)) % 4);
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  // Leading zero groups only move the weight; trailing zero groups carry nothing (dscale keeps the display).
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const digits = groups.slice(first, last);
  if (digits.length === 0) return header(0, 0, POSITIVE, dscale);
  const out = header(digits.length, weight, negative ? NEGATIVE : POSITIVE, dscale);
  digits.forEach((d, i) => out.writeInt16BE(d, 8 + i * 2));
  return out;
}

function badBinary(): SqlError {
  return new SqlError(SQLSTATE.invalid_binary_representation, 'invalid numeric binary data');
}

/** The decimal text of a binary NUMERIC, with exactly dscale fractional digits, as numeric_out prints it. */
export function decodeNumericText(b: Buffer): string {
  if (b.length < 8) throw badBinary();
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (ndigits < 0 || dscale < 0 || b.length !== 8 + ndigits * 2) throw badBinary();
  if (sign === NAN) return 'NaN';
  if (sign === PLUS_INFINITY) return 'Infinity';
  if (sign === MINUS_INFINITY) return '-Infinity';
  if (sign !== POSITIVE && sign !== NEGATIVE) throw badBinary();
  const digits: number[] = [];
  for (let i = 0; i < ndigits; i++) {
    const d = b.readInt16BE(8 + i * 2);
    if (d < 0 || d > 9999) throw badBinary();
    digits.push(d);
  }
  const group = (w: number): number => digits[weight - w] ?? 0; // the digit of weight w, 0 outside the stored range
  let intText = '';
  for (let w = Math.max(weight, 0); w >= 0; w--) intText += String(group(w)).padStart(4, '0');
  intText = intText.replace(/^0+(?=\d)/, '');
  let fracText = '';
  for (let w = -1; fracText.length < dscale; w--) fracText += String(group(w)).padStart(4, '0');
  fracText = fracText.slice(0, dscale);
  const text = dscale > 0 ? `${intText}.${fracText}` : intText;
  return sign === NEGATIVE && /[1-9]/.test(text) ? `-${text}` : text;
}

// Which column a JSON field's key names, read from the key's bytes: the column of exactly that name, else the first
// column whose lower-case name is the key's lower case (JSON field names are matched case-insensitively). ASCII keys,
// nearly all of them, are compared byte by byte with no string made; escaped or non-ASCII keys are decoded first.

import type { Field } from '../types';

/** The key names a column but must go through JSON.parse's object (see column()). */
export const KEY_NEEDS_PARSE = -2;
export const UNKNOWN_KEY = -1;

export class JsonColumnNames {
  private readonly exact = new Map<string, number>();
  private readonly lower = new Map<string, number>();
  /** Column c's name as UTF-8. */
  private readonly exactBytes: Buffer[];
  /** The lower-case names and the column each stands for (the first with that lower case). */
  private readonly lowerBytes: Buffer[] = [];
  private readonly lowerColumn: number[] = [];
  private lastFound = -1;

  constructor(columns: readonly Field[]) {
    columns.forEach((c, i) => {
      this.exact.set(c.name, i);
      if (!this.lower.has(c.name.toLowerCase())) this.lower.set(c.name.toLowerCase(), i);
    });
    this.exactBytes = columns.map((c) => Buffer.from(c.name, 'utf8'));
    for (const [name, c] of this.lower) {
      this.lowerBytes.push(Buffer.from(name, 'utf8'));
      this.lowerColumn.push(c);
    }
  }

  /** The column of a key of a parsed object, or UNKNOWN_KEY. */
  ofString(key: string): number {
    return this.exact.get(key) ?? this.lower.get(key.toLowerCase()) ?? UNKNOWN_KEY;
  }

  /**
   * The column of the key in bytes[start, end) (JSON escapes still in when `escaped`), UNKNOWN_KEY, or
   * KEY_NEEDS_PARSE for a key that names a column and starts with a digit: an object's integer-like keys are
   * enumerated before the others, an order only JSON.parse's object gives.
   */
  ofBytes(bytes: Buffer, start: number, end: number, escaped: boolean): number {
    let c: number;
    let first: number;
    if (escaped || !isAscii(bytes, start, end)) {
      const key = escaped ? (JSON.parse(bytes.toString('utf8', start - 1, end + 1)) as string) : bytes.toString('utf8', start, end);
      c = this.ofString(key);
      first = key.charCodeAt(0);
    } else {
      c = this.asciiColumn(bytes, start, end);
      first = bytes[start];
    }
    return c >= 0 && first >= 0x30 && first <= 0x39 ? KEY_NEEDS_PARSE : c;
  }

  /** Producers write fields in one order, most often the columns': the column after the last one found is tried first. */
  private asciiColumn(bytes: Buffer, start: number, end: number): number {
    const length = end - start;
    const names = this.exactBytes;
    const guess = this.lastFound + 1 < names.length ? this.lastFound + 1 : 0;
    if (guess < names.length && names[guess].length === length && sameAt(bytes, start, names[guess], false)) return (this.lastFound = guess);
    for (let c = 0; c < names.length; c++) {
      if (names[c].length === length && sameAt(bytes, start, names[c], false)) return (this.lastFound = c);
    }
    const lowers = this.lowerBytes;
    for (let k = 0; k < lowers.length; k++) {
      if (lowers[k].length === length && sameAt(bytes, start, lowers[k], true)) return this.lowerColumn[k];
    }
    return UNKNOWN_KEY;
  }
}

function isAscii(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/** Whether bytes at `start` are `name` (ASCII bytes lower-cased first with `fold`). */
function sameAt(bytes: Buffer, start: number, name: Buffer, fold: boolean): boolean {
  for (let k = 0; k < name.length; k++) {
    let b = bytes[start + k];
    if (fold && b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== name[k]) return false;
  }
  return true;
}

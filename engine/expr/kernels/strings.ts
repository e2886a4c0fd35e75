// Text functions. Lengths and positions count characters (code points), as PostgreSQL does with UTF-8.
// Argument orders: trim/ltrim/rtrim(string [, characters]); position(substring, string) as in
// `POSITION(sub IN s)`; substring(string, from [, count]); like/ilike(value, pattern) with '\' as the escape.

import { SqlError, SQLSTATE } from '../../errors';
import { unionNulls, valueAt, type Vec } from '../../columns/vec';
import { formatValue } from '../../text';
import type { Kernel, KernelSpec } from '../kernel';
import { asNum, asStr, numVec, strVec } from '../vecs';

const hasSurrogates = (s: string): boolean => /[\ud800-\udfff]/.test(s);

export function charLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Runs f on every non-NULL row whose arguments are all non-NULL; the result is NULL elsewhere. */
function strict<T>(spec: KernelSpec, f: (args: readonly Vec[], i: number) => T, build: (out: T[], nulls: Uint8Array | null) => Vec, fill: T): Kernel {
  return (args, n) => {
    const nulls = unionNulls(n, ...args);
    const out = new Array<T>(n).fill(fill);
    for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) out[i] = f(args, i);
    return build(out, nulls);
  };
}

function textResult(spec: KernelSpec, f: (args: readonly Vec[], i: number) => string): Kernel {
  return strict(spec, f, (out, nulls) => strVec(spec.type, out, nulls), '');
}

function numberResult(spec: KernelSpec, f: (args: readonly Vec[], i: number) => number): Kernel {
  return strict(spec, f, (out, nulls) => numVec(spec.type, Float64Array.from(out), nulls), 0);
}

const str = (args: readonly Vec[], k: number, i: number): string => asStr(args[k]).values[i];
const num = (args: readonly Vec[], k: number, i: number): number => asNum(args[k]).values[i];

/**
 * Case mapping one code point at a time, as PostgreSQL does (towupper / towlower): a character whose full mapping is
 * several characters (ß → SS, ﬁ → FI, İ → i̇) stays as it is. ASCII-only strings take the fast path.
 */
function mapCase(s: string, upper: boolean): string {
  const whole = upper ? s.toUpperCase() : s.toLowerCase();
  if (whole.length === s.length && /^[\x00-\x7f]*$/.test(s)) return whole;
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    // İ is the one letter whose simple lower-case mapping (i) differs from the first of its full mapping's.
    out += [...m].length === 1 ? m : ch === '\u0130' ? 'i' : ch;
  }
  return out;
}

export function lowerKernel(spec: KernelSpec): Kernel {
  return textResult(spec, (a, i) => mapCase(str(a, 0, i), false));
}

export function upperKernel(spec: KernelSpec): Kernel {
  return textResult(spec, (a, i) => mapCase(str(a, 0, i), true));
}

export function lengthKernel(spec: KernelSpec): Kernel {
  return numberResult(spec, (a, i) => charLength(str(a, 0, i)));
}

export function substringKernel(spec: KernelSpec): Kernel {
  return textResult(spec, (a, i) => {
    const s = str(a, 0, i);
    const from = Math.trunc(num(a, 1, i));
    let end = Infinity;
    if (a.length > 2) {
      const count = Math.trunc(num(a, 2, i));
      if (count < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, 'negative substring length not allowed');
      end = from + count;
    }
    const start = Math.max(from, 1);
    if (end <= start) return '';
    if (!hasSurrogates(s)) return s.slice(start - 1, end === Infinity ? undefined : end - 1);
    return Array.from(s).slice(start - 1, end === Infinity ? undefined : end - 1).join('');
  });
}

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  const set = new Set(Array.from(chars));
  const cs = Array.from(s);
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && set.has(cs[a])) a++;
  if (right) while (b > a && set.has(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}

export function trimKernel(spec: KernelSpec): Kernel {
  const left = spec.fn !== 'rtrim';
  const right = spec.fn !== 'ltrim';
  return textResult(spec, (a, i) => {
    const s = str(a, 0, i);
    if (a.length > 1) return trimChars(s, str(a, 1, i), left, right);
    if (left && right) return s.replace(/^ +| +$/g, '');
    return left ? s.replace(/^ +/, '') : s.replace(/ +$/, '');
  });
}

/** Any value as the text its output function prints (concat and || accept any type). */
function textOf(v: Vec, i: number): string {
  if (v.kind === 'str') return v.values[i];
  const value = valueAt(v, i);
  return value === null ? '' : formatValue(value, v.type);
}

/** concat(...): NULL arguments are skipped; never NULL. */
export function concatKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      let s = '';
      for (const a of args) if (a.nulls === null || a.nulls[i] === 0) s += textOf(a, i);
      out[i] = s;
    }
    return strVec(spec.type, out, null);
  };
}

/** a || b: NULL if either is NULL. */
export function concatOpKernel(spec: KernelSpec): Kernel {
  return textResult(spec, (a, i) => textOf(a[0], i) + textOf(a[1], i));
}

export function replaceKernel(spec: KernelSpec): Kernel {
  return textResult(spec, (a, i) => {
    const from = str(a, 1, i);
    return from === '' ? str(a, 0, i) : str(a, 0, i).split(from).join(str(a, 2, i));
  });
}

export function splitPartKernel(spec: KernelSpec): Kernel {
  return textResult(spec, (a, i) => {
    const s = str(a, 0, i);
    const delim = str(a, 1, i);
    const field = Math.trunc(num(a, 2, i));
    if (field === 0) throw new SqlError(SQLSTATE.invalid_parameter_value, 'field position must not be zero');
    const parts = delim === '' ? [s] : s.split(delim);
    const k = field > 0 ? field - 1 : parts.length + field;
    return parts[k] ?? '';
  });
}

export function positionKernel(spec: KernelSpec): Kernel {
  return numberResult(spec, (a, i) => {
    const sub = str(a, 0, i);
    const s = str(a, 1, i);
    const at = s.indexOf(sub);
    return at < 0 ? 0 : charLength(s.slice(0, at)) + 1;
  });
}

/** A LIKE pattern as an anchored RegExp: % any run, _ one character, \ escapes the next character. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  const cs = Array.from(pattern);
  for (let k = 0; k < cs.length; k++) {
    const c = cs[k];
    if (c === '\\') {
      if (k + 1 >= cs.length) {
        throw new SqlError(SQLSTATE.invalid_parameter_value, 'LIKE pattern must not end with escape character');
      }
      re += cs[++k].replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (c === '%') re += '[^]*';
    else if (c === '_') re += '[^]';
    else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u');
}

export function likeKernel(spec: KernelSpec): Kernel {
  const ci = spec.fn === 'ilike';
  const cache = new Map<string, RegExp>();
  const regexpFor = (p: string): RegExp => {
    let r = cache.get(p);
    if (r === undefined) {
      r = likeToRegExp(p, ci);
      if (cache.size > 1000) cache.clear();
      cache.set(p, r);
    }
    return r;
  };
  return (args, n) => {
    const v = asStr(args[0]).values;
    const p = asStr(args[1]).values;
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) out[i] = regexpFor(p[i]).test(v[i]) ? 1 : 0;
    return { kind: 'bool', type: spec.type, length: n, nulls, values: out };
  };
}

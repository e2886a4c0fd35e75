// NOT, IS [NOT] NULL, IS TRUE / IS FALSE, COALESCE, NULLIF, a scalar subquery's one value. (AND / OR are special forms in compile.ts: they run
// their right side only on the rows still undecided.)

import { compactNulls, type Vec } from '../../columns/vec';
import { SqlError, SQLSTATE } from '../../errors';
import type { Kernel, KernelSpec } from '../kernel';
import { asBool, asNum, boolVec, VecWriter } from '../vecs';
import { compareAt } from './compare';

export function notKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const a = asBool(args[0]);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = a.values[i] ^ 1;
    if (a.nulls !== null) for (let i = 0; i < n; i++) if (a.nulls[i] === 1) out[i] = 0;
    return boolVec(spec.type, out, a.nulls);
  };
}

export function isNullKernel(spec: KernelSpec): Kernel {
  const wantNull = spec.fn === 'is_null';
  return (args, n) => {
    const a = args[0];
    const out = new Uint8Array(n);
    if (a.nulls === null) out.fill(wantNull ? 0 : 1);
    else for (let i = 0; i < n; i++) out[i] = wantNull ? a.nulls[i] : a.nulls[i] ^ 1;
    return boolVec(spec.type, out, null);
  };
}

export function isBoolKernel(spec: KernelSpec): Kernel {
  const want = spec.fn === 'is_true' ? 1 : 0;
  return (args, n) => {
    const a = asBool(args[0]);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (a.nulls === null || a.nulls[i] === 0) && a.values[i] === want ? 1 : 0;
    return boolVec(spec.type, out, null);
  };
}

export function coalesceKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    if (args.length === 1 || args[0].nulls === null) return withType(args[0], spec);
    const w = new VecWriter(spec.type, n);
    for (let i = 0; i < n; i++) {
      for (const a of args) {
        if (a.nulls === null || a.nulls[i] === 0) {
          w.copy(i, a, i);
          break;
        }
      }
    }
    return w.finish();
  };
}

/** NULLIF(a, b): NULL where a = b, else a. */
export function nullifKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const [a, b] = args;
    const nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const an = a.nulls !== null && a.nulls[i] === 1;
      const bn = b.nulls !== null && b.nulls[i] === 1;
      nulls[i] = an || (!bn && compareAt(a, i, b, i) === 0) ? 1 : 0;
    }
    return { ...withType(a, spec), nulls: compactNulls(nulls) } as Vec;
  };
}

/**
 * scalar_subquery(rows, value): the value of a subquery used as an expression, given how many rows it has (the
 * planner aggregates it to one row: its count and the value of its row); more than one row is PostgreSQL's 21000.
 */
export function scalarSubqueryKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const [rows, value] = args;
    const counts = asNum(rows).values;
    for (let i = 0; i < n; i++) {
      if ((rows.nulls === null || rows.nulls[i] === 0) && counts[i] > 1) {
        throw new SqlError(SQLSTATE.cardinality_violation, 'more than one row returned by a subquery used as an expression');
      }
    }
    return withType(value, spec);
  };
}

function withType(v: Vec, spec: KernelSpec): Vec {
  return v.type === spec.type ? v : ({ ...v, type: spec.type } as Vec);
}

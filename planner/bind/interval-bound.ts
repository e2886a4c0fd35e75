// The time bound of an interval join, as the join operator evicts by it: when both sides are streams read directly
// and the condition bounds the distance between their watermark columns (`b.ts BETWEEN a.ts - INTERVAL '10
// minutes' AND a.ts`), then right.ts - left.ts lies in [lower, upper] for every pair that matches. A left row can
// then match no right row once the watermark passes its time + upper, a right row none once it passes its time -
// lower, and both go (engine/operators/join.ts). Bounds over other columns (say _arrival) say nothing about the
// watermark, so they bound nothing here.

import type { StreamDef } from '../../engine/catalog';
import type { Interval } from '../../engine/types';
import { splitConjuncts, type LExpr } from '../logical/expr';
import type { LField, TimeBound } from '../logical/nodes';

/** The watermark column of a join side that is a stream read directly; null otherwise. */
export function watermarkColumnId(stream: StreamDef | null, fields: readonly LField[]): number | null {
  const column = stream?.watermark?.column;
  return column === undefined ? null : fields.find((f) => f.name === column)?.id ?? null;
}

/** The bound of right time - left time that `condition` implies, when it has both a lower and an upper one. */
export function intervalBound(condition: LExpr | null, leftTimeId: number | null, rightTimeId: number | null): TimeBound | null {
  if (leftTimeId === null || rightTimeId === null) return null;
  let lower = -Infinity;
  let upper = Infinity;
  for (const c of splitConjuncts(condition)) {
    if (c.kind !== 'call' || c.args.length !== 2 || !COMPARISONS.has(c.fn)) continue;
    const a = timeTerm(c.args[0]);
    const b = timeTerm(c.args[1]);
    if (a === null || b === null) continue;
    // a.column + a.offset OP b.column + b.offset, as right - left OP constant.
    let op: string = c.fn;
    let constant: number;
    if (a.id === rightTimeId && b.id === leftTimeId) {
      constant = b.offset - a.offset;
    } else if (a.id === leftTimeId && b.id === rightTimeId) {
      constant = a.offset - b.offset;
      op = FLIPPED[op] ?? op;
    } else {
      continue;
    }
    if (op === '>=' || op === '>' || op === '=') lower = Math.max(lower, constant);
    if (op === '<=' || op === '<' || op === '=') upper = Math.min(upper, constant);
  }
  return lower > -Infinity && upper < Infinity ? { leftTimeId, rightTimeId, lowerMicros: lower, upperMicros: upper } : null;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '=']);
const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A column, or a column plus or minus a constant interval of days and time (no months: they vary in length). */
function timeTerm(e: LExpr): { id: number; offset: number } | null {
  if (e.kind === 'column') return { id: e.id, offset: 0 };
  if (e.kind !== 'call' || (e.fn !== '+' && e.fn !== '-') || e.args.length !== 2) return null;
  const [x, y] = e.args;
  if (x.kind === 'column' && y.kind === 'literal') {
    const micros = intervalLiteralMicros(y.value);
    return micros === null ? null : { id: x.id, offset: e.fn === '+' ? micros : -micros };
  }
  if (e.fn === '+' && x.kind === 'literal' && y.kind === 'column') {
    const micros = intervalLiteralMicros(x.value);
    return micros === null ? null : { id: y.id, offset: micros };
  }
  return null;
}

function intervalLiteralMicros(v: unknown): number | null {
  if (v === null || typeof v !== 'object' || !('micros' in v)) return null;
  const iv = v as Interval;
  return iv.months === 0 ? iv.days * 86_400_000_000 + iv.micros : null;
}

// What one statement holds in memory, against its share of --memory-limit (engine/memory/limit.ts). A pull query or
// a COPY that would pass its share fails alone with 53200 instead of growing until V8 aborts the whole process.
//
// Only what grows with the data is counted: a join's materialized sides, a sort's or a LIMIT's buffered rows, the
// result rows kept before they are sent, a COPY's rows held until its end. Sizes are estimates (engine/memory/sizes.ts):
// the point is to fail long before the heap ceiling, not to match V8's bookkeeping. Nothing here frees memory: a
// statement that fails drops its operators, and the garbage collector takes what they held.

import { SqlError, SQLSTATE } from '../errors';

const MIB = 1024 * 1024;

const mb = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MB`;

export class StatementMemory {
  private held = 0;
  /** Bytes held by what holds them ("join sides", "sort buffer", ...), for the error's DETAIL. */
  private readonly byHolder = new Map<string, number>();

  /** `limitBytes`: the statement's share, memoryLimits(--memory-limit).statementBytes. */
  constructor(readonly limitBytes: number) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Takes `bytes` more for `holder`; throws 53200 (and takes nothing) when that would pass the limit. */
  hold(bytes: number, holder: string): void {
    if (this.held + bytes > this.limitBytes) throw this.outOfMemory(bytes, holder);
    this.held += bytes;
    this.byHolder.set(holder, (this.byHolder.get(holder) ?? 0) + bytes);
  }

  /** Gives back bytes `holder` no longer holds (a buffer handed on). */
  release(bytes: number, holder: string): void {
    const had = this.byHolder.get(holder) ?? 0;
    const freed = Math.min(had, bytes);
    this.byHolder.set(holder, had - freed);
    this.held -= freed;
  }

  private outOfMemory(bytes: number, holder: string): SqlError {
    const parts = [...this.byHolder].filter(([, b]) => b > 0).map(([h, b]) => `${h} ${mb(b)}`);
    const held = parts.length === 0 ? 'nothing yet' : `${mb(this.held)} (${parts.join(', ')})`;
    return new SqlError(SQLSTATE.out_of_memory, 'out of memory', {
      detail: `Failed on request of ${mb(bytes)} for ${holder}: the statement held ${held}, and may hold ${mb(this.limitBytes)} ` +
        '(a quarter of --memory-limit).',
      hint: 'Make the statement hold less (filter or aggregate before a join or ORDER BY, add a LIMIT), or raise --memory-limit.',
    });
  }
}

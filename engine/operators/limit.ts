// LIMIT / OFFSET, for pull queries: the rows of its (already ordered) input from offset, at most limit of them. A
// continuous query plans ORDER BY ... LIMIT as a top-n instead (top-n.ts), which stays current.

import { SqlError, SQLSTATE } from '../errors';
import type { ChangeBatch } from '../batch';
import type { RecordBatch } from 'apache-arrow';
import { concatBatches } from '../columns/rows';
import type { LimitNode, RowCount } from '../plan';
import type { Value } from '../types';
import { batchBytes } from '../memory/sizes';
import { consolidateBatches } from './changes';
import { StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

export type CountClause = 'LIMIT' | 'OFFSET';

/** PostgreSQL's errors for a negative count, for constants (at planning) and parameters (at run time) alike. */
export function checkedCount(n: number, what: CountClause, position?: number): number {
  if (n >= 0) return n;
  const code = what === 'LIMIT' ? SQLSTATE.invalid_row_count_in_limit_clause : SQLSTATE.invalid_row_count_in_result_offset_clause;
  throw new SqlError(code, `${what} must not be negative`, { position });
}

/** A count's value in this run: a parameter bound to NULL means no LIMIT, as in PostgreSQL (and OFFSET 0). */
function countValue(count: RowCount | null, params: readonly Value[], what: CountClause): number | null {
  if (count === null || typeof count === 'number') return count;
  const v = params[count.param];
  return v === null || v === undefined ? null : checkedCount(Number(v), what);
}

export class LimitOperator extends StatelessOperator {
  private buffered: ChangeBatch[] = [];
  private readonly limit: number | null;
  private readonly offset: number;

  private bufferedBytes = 0;

  constructor(private readonly node: LimitNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out);
    if (ctx.mode === 'incremental') {
      throw new SqlError(SQLSTATE.feature_not_supported, 'a LIMIT node cannot run in a continuous query',
        { hint: 'A continuous query plans ORDER BY ... LIMIT as a top-n.' });
    }
    this.limit = countValue(node.limit, ctx.eval.params, 'LIMIT');
    this.offset = countValue(node.offset, ctx.eval.params, 'OFFSET') ?? 0;
  }

  push(_input: number, batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    const bytes = batchBytes(batch.data);
    this.ctx.memory?.hold(bytes, 'LIMIT buffer');
    this.bufferedBytes += bytes;
    this.buffered.push(batch);
  }

  override endOfInput(): void {
    const schema = this.node.input.schema;
    const batches = this.buffered;
    this.buffered = [];
    // Without deletes, the rows are the batches' rows in order: only the part picked is copied (concatenating a
    // million rows to keep three was one long step). Deletes must cancel inserted copies first, over all the rows.
    const rows = batches.every((b) => b.diffs === null) ? batches.map((b) => b.data) : [consolidateBatches(schema, batches)];
    const total = rows.reduce((n, b) => n + b.numRows, 0);
    const end = this.limit === null ? total : Math.min(total, this.offset + this.limit);
    const parts: RecordBatch[] = [];
    let at = 0;
    for (const b of rows) {
      const from = Math.max(this.offset, at);
      const to = Math.min(end, at + b.numRows);
      if (from < to) parts.push(b.slice(from - at, to - at));
      at += b.numRows;
    }
    if (parts.length > 0) this.out.emit({ data: concatBatches(schema, parts), diffs: null });
    this.ctx.memory?.release(this.bufferedBytes, 'LIMIT buffer');
  }
}
